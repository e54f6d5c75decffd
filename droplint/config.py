"""Configuration: `[tool.droplint]` in pyproject.toml, or a droplint.toml."""

from __future__ import annotations

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
    "select",
    "ignore",
    "extend-select",
    "exclude",
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
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    bands: dict = field(default_factory=lambda: dict(DEFAULT_BANDS))
    tf_version: int | None = None
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
    """The nearest droplint.toml, or pyproject.toml with [tool.droplint], upwards."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "droplint.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_droplint_table(pyproject):
            return pyproject
    return None


def load(config_file: Path | None = None, start: Path | None = None) -> Config:
    """Load the explicit file, else the nearest one from `start`, else the defaults."""
    if config_file is None and start is not None:
        config_file = find_config_file(start)
    if config_file is None:
        return Config(root=Path.cwd())
    table = _read_table(config_file)
    return parse(table, root=config_file.resolve().parent, file=config_file)


def parse(table: dict, root: Path, file: Path | None = None) -> Config:
    where = str(file) if file else "configuration"
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(KNOWN_KEYS)})")
    return Config(
        root=root,
        file=file,
        select=_codes(table, "select", where) if "select" in table else None,
        ignore=_codes(table, "ignore", where),
        extend_select=_codes(table, "extend-select", where),
        exclude=_strings(table, "exclude", where),
        per_file_ignores=_per_file_ignores(table, where),
        bands=_bands(table, where),
        tf_version=_tf_version(table, where),
        roots=_roots(table, root, where),
    )


def _has_droplint_table(path: Path) -> bool:
    try:
        return "droplint" in _toml(path).get("tool", {})
    except ConfigError:
        return False


def _toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None


def _read_table(path: Path) -> dict:
    data = _toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("droplint", {})
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
    from droplint.rules import registry

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
        result.append((glob, _codes({"per-file-ignores": codes}, "per-file-ignores", where)))
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
