"""A worker gives back the memory a large file left in its heap (issue 13, memory)."""

from __future__ import annotations

import pytest

from droplint import engine, heap, workers

MiB = 2**20
needs_glibc = pytest.mark.skipif(not heap.Heap().works, reason="malloc_trim and /proc are glibc/Linux only")

_held: list[bytes] = []


def _leave_freed_memory(megabytes: int) -> int:
    """Allocate `megabytes` in pieces glibc's heap serves, keep one piece above them (so
    free() cannot shrink the heap from its top) and free the rest, as a parsed tree does;
    return the resident set with the freed memory still in the heap."""
    pieces = [bytes(2000) + bytes([i % 256]) for i in range(megabytes * MiB // 2000)]
    _held.append(bytes(2000) + b"top")
    del pieces
    return heap.resident()


def _resident() -> int:
    return heap.resident()


@needs_glibc
def test_release_gives_freed_heap_back():
    before = heap.resident()
    freed_but_kept = _leave_freed_memory(48)
    assert freed_but_kept - before > 40 * MiB  # free() alone kept it resident
    heap.Heap().release()
    assert heap.resident() - before < 8 * MiB


@needs_glibc
def test_settle_trims_only_after_growth():
    process_heap = heap.Heap(growth=32 * MiB)
    _leave_freed_memory(4)
    assert not process_heap.settle()  # a small file: nothing worth a trim
    grown = _leave_freed_memory(48)
    assert process_heap.settle()
    assert heap.resident() < grown - 30 * MiB
    assert not process_heap.settle()  # nothing grew since


@needs_glibc
def test_a_worker_does_not_keep_a_large_tasks_heap():
    pool = workers.Pool(1, workers.Limits(), engine._start_method())  # no fork next to JAX's threads
    try:
        stream = pool.stream(_leave_freed_memory_then_resident, _no_failure)
        large, following = stream.put((64,)), stream.put(())
        answers = dict(stream)
        after_large, next_task = answers[large], answers[following]
    finally:
        pool.close()
    assert after_large - next_task > 48 * MiB


def _leave_freed_memory_then_resident(megabytes: int | None = None) -> int:
    return _leave_freed_memory(megabytes) if megabytes else _resident()


def _no_failure(task, reason):
    raise AssertionError(f"{task} failed: {reason}")


def test_without_glibc_nothing_happens(monkeypatch):
    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    assert not heap.release()
    process_heap = heap.Heap(growth=0)
    assert not process_heap.works
    assert not process_heap.settle()
    process_heap.release()  # no error
