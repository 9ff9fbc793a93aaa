"""Rendering by shape gives exactly the bytes of rendering each service directly."""

from __future__ import annotations

import pytest

from tests.render.catalogs import CHAT, USER, service
from zwobs.catalog.model import Catalog, Service
from zwobs.render import RenderOptions
from zwobs.render.dashboards import render_dashboards
from zwobs.render.dashboards.service import service_json
from zwobs.render.rollouts import _text, render_rollouts
from zwobs.render.shapes import PLACEHOLDER, ShapeCache

ADDRESS = "http://prometheus-operated.monitoring.svc:9090"

NAMES = [
    "user-service",
    "on",  # YAML 1.1 would read it as a boolean: must not share the placeholder's plain style
    "null",
    "a" * 60,  # dashboard uid gets a hash
    "Upper_Case.svc",  # not a plain name: rendered directly
    "svc-2",
]


@pytest.mark.parametrize("name", NAMES)
def test_cached_dashboard_equals_direct_render(name: str) -> None:
    svc = service(name, *USER.slos, runbook_url=f"https://runbooks.example.com/{name}")
    files = render_dashboards(Catalog((USER, svc)))
    assert files[f"dashboards/{name}.json"] == service_json(svc)


@pytest.mark.parametrize("name", NAMES)
def test_cached_analysis_template_equals_direct_render(name: str) -> None:
    svc = service(name, *CHAT.slos, rollout=CHAT.rollout)
    files = render_rollouts(Catalog((CHAT, svc)), RenderOptions())
    assert files[f"rollouts/{name}.analysis.yaml"] == _text(svc, ADDRESS, ())


def test_services_of_one_shape_render_once() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.name)
        return f"name={svc.name}".encode()

    shapes = ShapeCache()
    outputs = [shapes.render("t", service(f"svc-{i}"), render) for i in range(20)]
    assert outputs == [f"name=svc-{i}".encode() for i in range(20)]
    assert calls == [PLACEHOLDER]


def test_each_generator_kind_has_its_own_entry_per_shape() -> None:
    shapes = ShapeCache()
    assert shapes.render("a", service("svc-1"), lambda s: b"a:" + s.name.encode()) == b"a:svc-1"
    assert shapes.render("b", service("svc-2"), lambda s: b"b:" + s.name.encode()) == b"b:svc-2"


def test_a_name_that_appears_elsewhere_in_the_service_is_rendered_directly() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.name)
        return svc.description.encode()

    svc = service("api", description="the api of api")
    assert ShapeCache().render("t", svc, render) == b"the api of api"
    assert calls == ["api"]


def test_ineligible_service_is_rendered_directly() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.name)
        return svc.name.encode()

    assert ShapeCache().render("t", service("svc-x"), render, eligible=False) == b"svc-x"
    assert calls == ["svc-x"]


def test_services_differing_only_in_cleared_fields_share_one_render() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.team)
        return f"name={svc.name}".encode()

    shapes = ShapeCache()
    teams = [service(f"svc-{i}", team=f"team-{i % 3}") for i in range(9)]
    outputs = [shapes.render("t", svc, render, team="") for svc in teams]
    assert outputs == [f"name=svc-{i}".encode() for i in range(9)]
    assert calls == [""]
    assert len({shapes.key("t", svc) for svc in teams}) == 3  # not cleared: three shapes


def test_groups_keep_service_order_and_put_each_ineligible_service_alone() -> None:
    shapes = ShapeCache()
    services = [
        service("svc-a"),
        service("svc-b", tier=2),
        service("svc-c"),
        service("Upper_Case.svc"),
        service("Upper_Case.svc2"),
    ]
    groups = shapes.groups("t", services)
    assert [[s.name for s in group] for group in groups] == [
        ["svc-a", "svc-c"],
        ["svc-b"],
        ["Upper_Case.svc"],
        ["Upper_Case.svc2"],
    ]


def test_a_shape_is_shared_only_by_the_services_whose_name_shows_nowhere_else() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.name)
        return f"{svc.name}: {svc.description}".encode()

    shapes = ShapeCache()
    api = service("api", description="the api of api")
    web = service("web", description="the api of api")
    assert shapes.render("t", web, render) == b"web: the api of api"
    assert shapes.render("t", api, render) == b"api: the api of api"
    assert calls == [PLACEHOLDER, "api"]


def test_a_placeholder_written_by_someone_makes_the_shape_render_directly() -> None:
    calls: list[str] = []

    def render(svc: Service) -> bytes:
        calls.append(svc.name)
        return svc.description.encode()

    shapes = ShapeCache()
    svc = service("svc-a", description=f"see {PLACEHOLDER}")
    assert shapes.render("t", svc, render) == f"see {PLACEHOLDER}".encode()
    assert calls == ["svc-a"]
