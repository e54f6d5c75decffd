"""The garbage collector around a file's analysis (droplint/collector.py): the tree dies
with its file, and the process's collector is left as it was found."""

from __future__ import annotations

import gc

import libcst as cst

from conftest import FIXTURES
from droplint import collector, engine

# Models: the torch and keras interpreters run, whose objects refer to each other.
MODELS = sorted([*(FIXTURES / "torch").rglob("*.py"), *(FIXTURES / "keras").rglob("*.py")])


def _trees_alive() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, cst.Module))


def test_each_tree_is_freed_when_its_file_is_done_without_a_full_collection():
    assert len(MODELS) > 10
    gc.collect()
    before = _trees_alive()
    for path in MODELS:
        result = engine.process_file(str(path), path.read_bytes())
        assert result.error is None and result.summary is not None, path
        assert _trees_alive() == before, path  # no gc.collect() here: the pause freed it
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_each_tree_dies_by_reference_counting_alone():
    # No collection at all: no analysis object may hold the file's context or its
    # tree in a reference cycle (an interpreter and its semantics, the index walk).
    gc.collect()
    gc.disable()
    try:
        before = _trees_alive()
        for path in MODELS:
            engine.process_file(str(path), path.read_bytes())
            assert _trees_alive() == before, path
    finally:
        gc.enable()


def test_the_collector_is_left_alone_where_the_process_manages_it():
    path = MODELS[0]
    gc.disable()
    try:
        engine.process_file(str(path), path.read_bytes())
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        engine.process_file(str(path), path.read_bytes())
        assert gc.get_freeze_count() == frozen  # its own frozen objects stay frozen
    finally:
        gc.unfreeze()


def test_a_failed_analysis_still_restores_the_collector(monkeypatch):
    def fail(*args):
        collector.tree_built()
        raise ValueError("boom")

    monkeypatch.setattr(engine, "_analyse", fail)
    path = MODELS[0]
    result = engine.process_file(str(path), path.read_bytes())
    assert "internal error" in result.error.message
    assert gc.isenabled() and gc.get_freeze_count() == 0
