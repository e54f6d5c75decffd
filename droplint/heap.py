"""Give a worker's freed memory back to the system after a file that grew it.

glibc's malloc keeps memory a process frees in its heap, for reuse. libcst's native
parser and the tree's larger objects allocate through it, so a worker that has analysed
a large file (the largest transformers modeling file: some 60 MiB) keeps most of that
resident after the tree is gone, in pieces the next files cannot all reuse; a worker's
peak grew with the large files it had seen, some 20 MiB over the largest one alone.
`malloc_trim` returns the free pages of the heap to the system.

It costs up to a few tens of milliseconds when there is much to return, nothing worth
measuring when there is not, so a worker asks for it only after a task that left its
resident set `GROWTH` bytes above where the last trim (or its start) left it: after a
large file, not after each of the small ones.

Where there is no glibc (macOS, Windows, musl) or no `/proc`, this does nothing: the
memory is then the platform allocator's business, as it was before.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import lru_cache

GROWTH = 16 * 2**20  # bytes of resident growth since the last trim that call for one


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's `malloc_trim`, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def resident() -> int | None:
    """This process's resident set in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * _PAGE


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    _PAGE = 4096


def release() -> bool:
    """Give every free page of the heap back now; False where this platform cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class Heap:
    """One process's heap, trimmed when it has grown (see the module's docstring)."""

    def __init__(self, growth: int = GROWTH):
        self._trim = _malloc_trim()
        self._growth = growth
        self._after_trim = resident() if self._trim is not None else None

    @property
    def works(self) -> bool:
        """Whether this platform can give freed memory back (glibc and /proc)."""
        return self._trim is not None and self._after_trim is not None

    def settle(self) -> bool:
        """Give freed memory back if the resident set grew by `growth` since the last
        time; True if it did."""
        if not self.works:
            return False
        now = resident()
        if now is None or now - self._after_trim < self._growth:
            return False
        self.release()
        return True

    def release(self) -> None:
        """Give every free page of the heap back now."""
        if self._trim is None:
            return
        self._trim(0)
        self._after_trim = resident()
