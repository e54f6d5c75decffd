"""Is a file test code? Tests force training mode and extreme rates on purpose.

A dropout layer's own test calls it with `training=True`, builds `Dropout(0.9)` to
make its effect visible, and defines throwaway layers that apply dropout at test
time: the rules that judge intent (DL302, DL304, DL202's implausible literals) would
only cry wolf there. Model code is what they are for.
"""

from __future__ import annotations

import re

_TEST_FILE = re.compile(r"^(test_.*|.*_tests?|conftest)\.pyi?$")
_TEST_FOLDERS = frozenset({"test", "tests"})


def is_test_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return bool(_TEST_FILE.match(parts[-1])) or any(part in _TEST_FOLDERS for part in parts[:-1])
