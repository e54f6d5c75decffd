"""Python's garbage collector around one file's analysis.

A libcst tree is a few hundred thousand objects, made at once, that never refer back to
anything. Left alone, the collector traverses it again and again while it is built and
used: a quarter of a file's analysis time went to that (bench/per_file.py).

So during a file's analysis the collector is paused; once the tree is parsed it is
frozen (taken out of the generations the collector scans; reference counting still frees
it). No analysis object holds the file's context or its tree in a reference cycle (an
interpreter refers to its semantics weakly; tests/test_collector.py keeps it so), so the
tree dies by reference counting as soon as the file's result is built. At the end one
collection of the young generations, which hold only what analysis made, frees the few
small cycles left (a scope and its attributes' scopes, libcst's `literal_eval`), and
what survives is unfrozen.

A process that froze objects of its own, or turned the collector off, is left as it is.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_paused = False


@contextmanager
def paused() -> Iterator[None]:
    """Pause the collector for one file's analysis (see the module's docstring); nested
    or in a process that manages the collector itself, do nothing."""
    global _paused
    if _paused or not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.disable()
    _paused = True
    try:
        yield
    finally:
        _paused = False
        gc.collect(1)
        gc.unfreeze()
        gc.enable()


def tree_built() -> None:
    """The tree is parsed: keep it out of every collection until the file is done."""
    if _paused:
        gc.freeze()
