"""Is a file test code? Tests force training mode and extreme rates on purpose.

A dropout layer's own test calls it with `training=True`, builds `Dropout(0.9)` to
make its effect visible, and defines throwaway layers that apply dropout at test
time: the rules that judge intent (DL302, DL304, DL202's implausible literals) would
only cry wolf there. Model code is what they are for.
"""

from __future__ import annotations

import os
import re

_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|conftest)\.pyi?$")
_TEST_FOLDERS = frozenset({"test", "tests"})


def is_test_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return bool(_TEST_FILE.match(parts[-1])) or any(part in _TEST_FOLDERS for part in parts[:-1])


def is_test_code(ctx) -> bool:
    """Whether the file of `ctx` is test code, judged on its path below the repository
    that holds it (links resolved): how the path is spelt (relative, absolute, through a
    link) and the folders the checkout sits in (`~/tests/repo/`) decide nothing. Outside a
    repository, on the path as given. Once per file (three rules ask)."""
    found = ctx.shared.get("is_test_code")
    if found is None:
        found = ctx.shared["is_test_code"] = is_test_file(_in_repository(ctx.path))
    return found


def _in_repository(path: str) -> str:
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return os.path.relpath(real, folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return path
        folder = parent
