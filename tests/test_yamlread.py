"""Bounded YAML reading: every hostile input is a YamlInputError with a position, quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwobs.yamlread import YamlInputError, compose_documents, load_documents, read_text


def _bomb(levels: int = 9) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_anything_expands_it() -> None:
    text = _bomb()
    assert len(text) < 800
    with pytest.raises(YamlInputError, match="expands to more than 1000 nodes") as caught:
        load_documents(text, "bomb.yaml", max_nodes=1000)
    assert (caught.value.file, caught.value.line) == ("bomb.yaml", 1)


def test_the_default_cap_refuses_a_billion_node_bomb() -> None:
    with pytest.raises(YamlInputError, match="aliases counted as expanded"):
        compose_documents(_bomb(10), "bomb.yaml")


def test_shared_aliases_within_the_cap_load_as_usual() -> None:
    docs = load_documents("base: &b {a: 1}\none: *b\ntwo: *b\n", "ok.yaml")
    assert docs == [{"base": {"a": 1}, "one": {"a": 1}, "two": {"a": 1}}]


def test_a_recursive_alias_is_refused_with_its_position() -> None:
    with pytest.raises(YamlInputError, match=r"r.yaml:1:4: recursive alias"):
        compose_documents("a: &a [*a]\n", "r.yaml")


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: [1,\n", "s.yaml:2:1: invalid YAML"), ("a: \x07\n", "s.yaml:1:4: invalid YAML")],
)
def test_syntax_and_reader_errors_carry_file_line_column(text: str, where: str) -> None:
    with pytest.raises(YamlInputError, match=where):
        compose_documents(text, "s.yaml")


def test_every_document_is_returned_and_empty_ones_skipped() -> None:
    assert load_documents("a: 1\n---\n---\nb: [1, 2]\n", "m.yaml") == [{"a": 1}, {"b": [1, 2]}]


def test_a_file_over_the_byte_cap_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 100 + "\n")
    with pytest.raises(YamlInputError, match="larger than 10 bytes"):
        read_text(path, max_bytes=10)


def test_non_utf8_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: \xe9\n")
    with pytest.raises(YamlInputError, match=r"latin1.yaml:2:4: expected UTF-8"):
        read_text(path)
    with pytest.raises(YamlInputError, match="cannot read the file"):
        read_text(tmp_path / "missing.yaml")
