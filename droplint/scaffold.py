"""`droplint init`: a commented `[tool.droplint]` block at the end of pyproject.toml.

Every key is commented out, so the block changes nothing until the user edits it: the
comments show each key with its default. An existing block is never touched, and the
new file is checked (valid TOML, a valid configuration) before it replaces the old one.
"""

from __future__ import annotations

import os
from pathlib import Path

from droplint import config as configuration
from droplint.atomic import write_atomic

BLOCK = """\
[tool.droplint]
# droplint's settings (https://github.com/droplint/droplint/blob/main/docs/configuration.md).
# Every key is commented out: the values shown are the defaults.

# Base configuration to start from, relative to this file.
# extend = "../droplint-base.toml"

# Rules to run: codes or prefixes ("DL1", "DL301", "ALL").
# Default: every rule that is on by default (`droplint rule` lists them).
# select = ["DL"]
# ignore = []                 # rules to leave out (wins over select)
# extend-select = []          # rules to add, e.g. DL104, DL105, DL108 (off by default)
# extend-ignore = []

# Paths never linted: gitignore-style globs, relative to this file's folder.
# exclude = []
# extend-exclude = []

# What a positional `tf.nn.dropout` argument means: keep_prob (1) or rate (2).
# tf-version = 2

# Rules to leave out for matching files.
# [tool.droplint.per-file-ignores]
# "experiments/*.py" = ["DL302"]

# Recommended dropout rates by position: [low, high].
# [tool.droplint.bands]
# input = [0.1, 0.3]
# hidden = [0.3, 0.5]
# final-hidden = [0.5, 0.7]
"""


class InitError(Exception):
    """Nothing was written; the message says why."""


def init(folder: Path) -> Path:
    """Add the block to `folder`/pyproject.toml (created if absent); return its path."""
    pyproject = folder / "pyproject.toml"
    own = folder / "droplint.toml"
    if own.is_file():
        raise InitError(f"{own} exists and wins over pyproject.toml in its folder; nothing written")
    if pyproject.is_file():
        try:
            data = configuration.read_toml(pyproject)
        except configuration.ConfigError as exc:
            raise InitError(f"{exc}; nothing written") from None
        if "droplint" in configuration.tool_tables(data):
            raise InitError(f"{pyproject} already has a [tool.droplint] table; nothing written")
        before = pyproject.read_bytes().decode("utf-8")
    else:
        before = ""
    if not before or before.endswith("\n\n"):
        separator = ""
    else:
        separator = "\n" if before.endswith("\n") else "\n\n"
    after = before + separator + BLOCK
    _check(after, pyproject)
    _write(pyproject, after)
    return pyproject


def _check(text: str, path: Path) -> None:
    """The new file must parse and configure droplint (with the defaults)."""
    try:
        table = configuration.tomllib.loads(text)["tool"]["droplint"]
        configuration.parse(table, root=path.parent, file=path)
    except (configuration.tomllib.TOMLDecodeError, KeyError, configuration.ConfigError) as exc:
        raise InitError(f"{path}: the new block would not be valid ({exc}); nothing written") from None


def _write(path: Path, text: str) -> None:
    """Write beside the file and rename over it: a reader sees the old file or the new."""

    def usual_mode(temporary: str) -> None:
        # The old file's mode; a new file gets what any new file of the user's gets.
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())

    data = text.encode("utf-8")
    try:
        write_atomic(path, data, prefix=f".{path.name}.", suffix=".droplint-init", before_rename=usual_mode)
    except OSError as exc:
        raise InitError(f"{path}: cannot write: {exc.strerror or exc}; nothing written") from None


def _umask() -> int:
    """The process's umask (`os.umask` sets it to read it: set it back at once)."""
    current = os.umask(0o022)
    os.umask(current)
    return current
