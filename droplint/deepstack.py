"""Run analysis where deep but valid nesting cannot overflow the stack.

libcst's visitors recurse once per syntax level, several frames each, so even valid
code nested a hundred levels deep can exceed Python's default recursion limit, and
libcst's native parser overflows the C stack (a crash, not an exception) on
absurdly deep input. Analysis therefore runs in a thread with a large stack and a
raised recursion limit, and input nested deeper than Python itself accepts is
refused before libcst sees it.
"""

from __future__ import annotations

import os
import sys
import threading
from itertools import accumulate
from concurrent.futures import ThreadPoolExecutor

# CPython refuses more than 200 nested brackets ("too many nested parentheses").
PYTHON_MAX_NESTING = 200
STACK_BYTES = 512 * 1024 * 1024  # reserved address space, committed only when used
_RECURSION_LIMIT = 50_000

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()

_BRACKETS = b"()[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_STEP = {ord("("): 1, ord("["): 1, ord("{"): 1, ord(")"): -1, ord("]"): -1, ord("}"): -1}


def bracket_depth(data: bytes) -> int:
    """Deepest bracket nesting, counting brackets in strings too (an upper bound)."""
    brackets = data.translate(None, _NOT_BRACKETS)  # at C speed: only brackets remain
    if not brackets:
        return 0
    return max(0, max(accumulate(_STEP[b] for b in brackets)))


def too_deep(text: str) -> bool:
    """True when the source nests deeper than Python accepts."""
    if bracket_depth(text.encode("utf-8", "surrogatepass")) <= PYTHON_MAX_NESTING:
        return False
    try:  # brackets inside strings may inflate the count: ask Python itself
        compile(text, "<droplint>", "exec", flags=1024, dont_inherit=True)  # PyCF_ONLY_AST
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return True
    return False


def run(function, *args):
    """Call function(*args) on the big-stack thread and return its result."""
    global _executor
    with _lock:
        if _executor is None:
            previous = threading.stack_size(STACK_BYTES)
            try:
                _executor = ThreadPoolExecutor(max_workers=1, initializer=_raise_limit)
                _executor.submit(lambda: None).result()  # start the thread now
            finally:
                threading.stack_size(previous)
    return _executor.submit(function, *args).result()


def threads_started() -> int:
    """How many threads this module runs in this process (0 or 1)."""
    return 0 if _executor is None else 1


def _forget_thread_after_fork() -> None:
    # A forked worker inherits the executor object but not its thread.
    global _executor, _lock
    _executor = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_thread_after_fork)


def _raise_limit() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), _RECURSION_LIMIT))
