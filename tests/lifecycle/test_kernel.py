"""The fork registry, the process-wide singleton and per-registry metric families."""

from __future__ import annotations

import gc
import os
import threading

import pytest
from prometheus_client import REGISTRY, CollectorRegistry

from zwobs.lifecycle import forks
from zwobs.lifecycle.families import PerRegistry
from zwobs.lifecycle.singleton import ProcessSingleton


class _Tracked:
    def __init__(self, pipe: int) -> None:
        self.pipe = pipe

    def after_fork_in_child(self) -> None:
        os.write(self.pipe, b"restarted")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_tracked_object_is_told_in_a_forked_child_and_not_in_the_parent() -> None:
    read, write = os.pipe()
    tracked = _Tracked(write)
    forks.track(tracked)
    try:
        pid = os.fork()
        if pid == 0:  # the child: the hook has run already
            os._exit(0)
        os.waitpid(pid, 0)
        os.close(write)
        assert os.read(read, 100) == b"restarted"
    finally:
        forks.untrack(tracked)
        os.close(read)


def test_the_singleton_is_built_once_under_concurrent_first_use() -> None:
    built: list[object] = []

    def build() -> object:
        built.append(object())
        return built[-1]

    single: ProcessSingleton[object] = ProcessSingleton(build)
    assert single.current() is None
    threads = [threading.Thread(target=single.get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and single.get() is built[0]
    assert single.replace(None) is built[0] and single.current() is None


def test_families_are_built_once_per_registry_and_freed_with_it() -> None:
    built: list[CollectorRegistry] = []
    families: PerRegistry[list[CollectorRegistry]] = PerRegistry(lambda r: built.append(r) or built)
    registry = CollectorRegistry()
    assert families(registry) is families(registry)
    assert built == [registry]
    families()
    assert built[-1] is REGISTRY
    del registry, built[0]
    gc.collect()
    assert len(families._by_registry) == 1  # only the default registry is still held
