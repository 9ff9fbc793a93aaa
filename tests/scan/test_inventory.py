"""The inventory accounts for every input (Hypothesis): whatever bytes a file holds, it is a
unit Trivy must evaluate, an input named as not evaluated, or a YAML/JSON file listed as
not Kubernetes; never dropped, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwobs.scan.documents import split_yaml
from zwobs.scan.inventory import UnitKind, take_inventory

_YAMLISH = st.lists(
    st.sampled_from([*"ab:-{}[]&*!|>'\"%@#,?. \t\n\r\x85", "---", "...", "\n---\n", "k: v"]),
    max_size=30,
).map("".join)
_NAMES = st.sampled_from(["x.yaml", "x.yml", "x.json", "Dockerfile", "x.tf", "notes.txt"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_NAMES, content=st.one_of(st.binary(max_size=80), _YAMLISH.map(str.encode)))
def test_every_file_is_evaluated_named_or_listed_never_dropped(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_bytes(content)
        inventory = take_inventory((root,))
    shown = f"{root.as_posix()}/{name}"
    required = [u for u in inventory.units if u.kind is not UnitKind.OTHER]
    named = [u for u in inventory.unevaluated if u.path in (shown, root.as_posix())]
    if name == "notes.txt":  # not configuration: only the secret scanner reads it
        assert not inventory.units
    else:
        accounted = [u for u in inventory.units if u.display == shown]
        assert accounted or named, (content, inventory)
    # Nothing Trivy must evaluate means the path itself fails: zero configs is not a pass.
    assert required or named or inventory.unevaluated


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(_YAMLISH, st.just("apiVersion: v1\nkind: Pod\nmetadata: {name: p}")),
        max_size=6,
    ),
    separator=st.sampled_from(["---", "--- # next", "---   ", "...\n---"]),
)
def test_the_staged_text_keeps_every_line_where_it_was(parts: list[str], separator: str) -> None:
    text = f"\n{separator}\n".join(parts)
    split = split_yaml(text, "x.yaml")
    original = text.removeprefix("\ufeff").split("\n")
    assert len(split.line_map) == len(split.staged.split("\n"))
    assert split.line_map == sorted(split.line_map)
    assert set(split.line_map) == set(range(1, len(original) + 1))
    for staged_line, line in zip(split.staged.split("\n"), split.line_map, strict=True):
        source = original[line - 1]
        assert staged_line in ("", "---") or source.endswith(staged_line), (staged_line, source)
    for document in split.documents:
        assert not (document.kubernetes and document.problem and document.kind != "List")
        assert 1 <= (document.problem_line or document.line) <= max(len(original), 1)
