"""The document split: what Trivy is handed keeps the user's line numbers, and every
document it cannot be handed is named with its line."""

from __future__ import annotations

from zwobs.scan.documents import split_yaml

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: []}\n"


def test_a_broken_document_is_blanked_line_for_line_and_the_valid_ones_stay() -> None:
    text = POD + "---\nkind: [\n---\n" + POD
    split = split_yaml(text, "all.yaml")
    assert [(d.line, d.kind, bool(d.problem)) for d in split.documents] == [
        (1, "Pod", False),
        (6, "", True),
        (8, "Pod", False),
    ]
    staged = split.staged.split("\n")
    assert len(staged) == len(text.split("\n"))
    assert staged[4:7] == ["---", "", "---"]
    assert split.kubernetes_objects == 2


def test_separators_with_comments_and_document_ends_become_bare_separators() -> None:
    split = split_yaml(POD + "--- # second\n" + POD + "...\n", "all.yaml")
    assert split.staged.split("\n")[4] == "---"
    assert split.kubernetes_objects == 2


def test_content_on_the_marker_line_is_moved_and_lines_map_back() -> None:
    split = split_yaml("--- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n", "a.yaml")
    assert split.staged.split("\n")[:2] == [
        "---",
        " {apiVersion: v1, kind: Pod, metadata: {name: a}}",
    ]
    assert split.original_line(2) == 1
    assert split.kubernetes_objects == 1


def test_a_duplicate_key_in_a_kubernetes_object_is_refused_with_its_line() -> None:
    text = POD.replace("spec:", "metadata: {name: other}\nspec:")
    (document,) = split_yaml(text, "dup.yaml").documents
    assert document.problem == "duplicate key 'metadata': tools disagree on which value wins"
    assert document.problem_line == 4


def test_only_workload_kinds_need_apiversion_and_metadata() -> None:
    (deployment,) = split_yaml("kind: Deployment\nmetadata: {name: a}\n", "d.yaml").documents
    assert "no apiVersion" in deployment.problem
    (kustomization,) = split_yaml(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", "k.yaml"
    ).documents
    assert not kustomization.problem and not kustomization.kubernetes


def test_a_list_is_named_because_its_items_are_not_evaluated() -> None:
    text = "apiVersion: v1\nkind: List\nmetadata: {}\nitems: [{kind: Pod}]\n"
    (document,) = split_yaml(text, "list.yaml").documents
    assert "items are not evaluated one by one" in document.problem


def test_an_alias_bomb_is_refused_without_being_expanded() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (document,) = split_yaml("\n".join(lines) + "\n", "bomb.yaml").documents
    assert "expands to more than" in document.problem  # 10^9 nodes, counted not walked
