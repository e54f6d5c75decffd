"""Configuration: `[tool.droplint]` in pyproject.toml, or a droplint.toml.

A configuration may name a base with `extend = "path"` (relative to the file that names
it): the base is read first, the file's own keys replace the base's, and the `extend-*`
lists add to the base's. Every message names the file it comes from.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_BANDS = {
    "input": (0.1, 0.3),
    "hidden": (0.3, 0.5),
    "final-hidden": (0.5, 0.7),
}

KNOWN_KEYS = (
    "extend",
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "bands",
    "tf-version",
    "roots",
)


class ConfigError(Exception):
    """Invalid configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    root: Path  # folder of the config file (or the working folder): cache and globs live here
    file: Path | None = None
    select: tuple[str, ...] | None = None  # None: every rule that is on by default
    ignore: tuple[str, ...] = ()  # `ignore` and `extend-ignore` together
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # `exclude` and `extend-exclude` together
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    bands: dict = field(default_factory=lambda: dict(DEFAULT_BANDS))
    tf_version: int | None = None
    bases: tuple[Path, ...] = ()  # the files named by `extend`, nearest first
    # Import roots for code that the `__init__.py` chain, script folders and `src/` do not
    # place (namespace packages, a package run with PYTHONPATH): absolute folders.
    roots: tuple[Path, ...] = ()

    def with_cli(self, select=None, ignore=(), extend_select=()) -> "Config":
        """Command-line options override (select) or extend (ignore, extend-select)."""
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=self.ignore + tuple(ignore),
            extend_select=self.extend_select + tuple(extend_select),
        )

    def fingerprint(self) -> str:
        """What in the configuration can change a file's cached result."""
        return repr((sorted(self.bands.items()), self.tf_version, [str(r) for r in self.roots]))


def find_config_file(start: Path) -> Path | None:
    """The nearest droplint.toml, or pyproject.toml with [tool.droplint], upwards.

    A pyproject.toml on the way that is not valid TOML stops the search with an error:
    it may hold the settings the user meant, and running without them would mislead.
    The search stops at the repository root (a folder holding `.git`): a file above the
    repository is not the repository's to choose, and would move its cache there too.
    """
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "droplint.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "droplint" in tool_tables(read_toml(pyproject)):
            return pyproject
        if os.path.lexists(candidate / ".git"):
            return None
    return None


def load(config_file: Path | None = None, start: Path | None = None) -> Config:
    """Load the explicit file, else the nearest one from `start`, else the defaults."""
    explicit = config_file is not None
    if config_file is None and start is not None:
        config_file = find_config_file(start)
    if config_file is None:
        return Config(root=Path.cwd())
    table, bases = _merged_table(config_file, explicit, ())
    return parse(table, root=config_file.resolve().parent, file=config_file, bases=bases)


def parse(table: dict, root: Path, file: Path | None = None, bases: tuple[Path, ...] = ()) -> Config:
    where = str(file) if file else "configuration"
    _check_keys(table, where)
    return Config(
        root=root,
        file=file,
        select=_codes(table, "select", where) if "select" in table else None,
        ignore=_codes(table, "ignore", where) + _codes(table, "extend-ignore", where),
        extend_select=_codes(table, "extend-select", where),
        exclude=_strings(table, "exclude", where) + _strings(table, "extend-exclude", where),
        per_file_ignores=_per_file_ignores(table, where),
        bands=_bands(table, where),
        tf_version=_tf_version(table, where),
        bases=bases,
        roots=_roots(table, root, where),
    )


# Keys whose lists add up along an `extend` chain; every other key replaces the base's.
_ADDITIVE = ("extend-select", "extend-ignore", "extend-exclude")


def _merged_table(path: Path, explicit: bool, chain: tuple[Path, ...]) -> tuple[dict, tuple[Path, ...]]:
    """The table of `path` on top of the bases it extends, and those bases' files."""
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ConfigError(f"{path}: 'extend' makes a cycle: {cycle}")
    table = _read_table(path, explicit)
    where = str(path)
    _check_keys(table, where)
    base_name = table.get("extend")
    if base_name is None:
        return table, ()
    if not isinstance(base_name, str) or not base_name:
        raise ConfigError(f"{where}: 'extend' must be the path of a configuration file")
    base_path = Path(base_name).expanduser()
    if not base_path.is_absolute():
        base_path = path.parent / base_path
    if not base_path.is_file():
        raise ConfigError(f"{where}: 'extend' names '{base_name}', which is not a file ({base_path})")
    base, bases = _merged_table(base_path, True, (*chain, resolved))
    merged = {k: v for k, v in base.items() if k != "extend"}
    for key, value in table.items():
        if key == "extend":
            continue
        if key in _ADDITIVE and key in merged:
            merged[key] = _strings(merged, key, str(base_path)) + _strings(table, key, where)
            merged[key] = list(merged[key])
        else:
            merged[key] = value
    return merged, (base_path, *bases)


def _check_keys(table: dict, where: str) -> None:
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(KNOWN_KEYS)})")


def tool_tables(data: dict) -> dict:
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read configuration: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        line, column, reason = _toml_position(str(exc), data.decode("utf-8"))
        raise ConfigError(f"{path}:{line}:{column}: invalid TOML: {reason}") from None


def _toml_position(message: str, text: str) -> tuple[int, int, str]:
    """(line, column, reason) of a tomllib message, which ends "(at line L, column C)"
    or "(at end of document)"."""
    found = _TOML_AT.search(message)
    if found:
        return int(found.group(1)), int(found.group(2)), message[: found.start()]
    reason = message.replace("(at end of document)", "").strip()
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1, f"{reason} (at end of file)"


def _read_table(path: Path, explicit: bool = True) -> dict:
    data = read_toml(path)
    tools = tool_tables(data)
    if path.name == "pyproject.toml" or ("droplint" in tools and set(data) == {"tool"}):
        if "droplint" not in tools:
            if explicit:
                raise ConfigError(f"{path}: has no [tool.droplint] table")
            return {}
        table = tools["droplint"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.droplint] must be a table")
        return table
    return data


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _codes(table: dict, key: str, where: str) -> tuple[str, ...]:
    from droplint.rulebook import registry

    codes = _strings(table, key, where)
    for code in codes:
        if not registry.matches_any(code):
            raise ConfigError(f"{where}: '{key}' names unknown rule code '{code}'")
    return codes


def _per_file_ignores(table: dict, where: str):
    value = table.get("per-file-ignores", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
    result = []
    for glob, codes in value.items():
        entry = f'per-file-ignores."{glob}"'
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: '{entry}' must be a list of rule codes, not {codes!r}")
        result.append((glob, _codes({entry: codes}, entry, where)))
    return tuple(result)


def _bands(table: dict, where: str) -> dict:
    bands = dict(DEFAULT_BANDS)
    value = table.get("bands", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'bands' must be a table")
    for position, band in value.items():
        if position not in DEFAULT_BANDS:
            raise ConfigError(
                f"{where}: unknown key 'bands.{position}' (known: {', '.join(DEFAULT_BANDS)})"
            )
        ok = (
            isinstance(band, list)
            and len(band) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in band)
            and 0 <= band[0] <= band[1] < 1
        )
        if not ok:
            raise ConfigError(
                f"{where}: 'bands.{position}' must be [low, high] with 0 <= low <= high < 1"
            )
        bands[position] = (float(band[0]), float(band[1]))
    return bands


def _tf_version(table: dict, where: str) -> int | None:
    value = table.get("tf-version")
    if value is None:
        return None
    if value not in (1, 2) or isinstance(value, bool):
        raise ConfigError(f"{where}: 'tf-version' must be 1 or 2")
    return value


def _roots(table: dict, root: Path, where: str) -> tuple[Path, ...]:
    """`roots = ["lib", "tools/scripts"]`: folders relative to the configuration file."""
    folders = []
    for value in _strings(table, "roots", where):
        folder = (root / value).resolve()
        if not folder.is_dir():
            raise ConfigError(f"{where}: 'roots' names '{value}', which is not a folder (relative to {root})")
        folders.append(folder)
    return tuple(folders)
