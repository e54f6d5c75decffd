"""Every rule, by code; and which of them a configuration turns on."""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from functools import lru_cache

from droplint.rulebook.rule import FileRule, ModelRule, Rule


@lru_cache(maxsize=1)
def _rules() -> dict:
    """Import every module of droplint.rules and collect its Rule subclasses."""
    import droplint.rules as package

    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"droplint.rules.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
                if getattr(value, "code", None) and value.__module__ == module.__name__:
                    if value.code in found:
                        raise RuntimeError(f"two rules claim {value.code}")
                    found[value.code] = value()
    return dict(sorted(found.items()))


def all_rules() -> list[Rule]:
    return list(_rules().values())


@lru_cache(maxsize=1)
def file_rules() -> tuple[FileRule, ...]:
    """The rules that judge one file, run in the worker that parses it."""
    return tuple(rule for rule in all_rules() if isinstance(rule, FileRule))


@lru_cache(maxsize=1)
def model_rules() -> tuple[ModelRule, ...]:
    """The rules that judge one linked model, run after linking."""
    return tuple(rule for rule in all_rules() if isinstance(rule, ModelRule))


def get(code: str) -> Rule | None:
    rules = _rules()
    if code in rules:
        return rules[code]
    for rule in rules.values():
        if rule.name == code:
            return rule
    return None


def matches_any(selector: str) -> bool:
    return selector == "ALL" or any(code.startswith(selector) for code in _rules())


def _selected(code: str, selectors) -> bool:
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def enabled_codes(config) -> frozenset[str]:
    """Codes that a configuration (with command-line overrides applied) turns on."""
    codes = set()
    for rule in all_rules():
        if config.select is None:
            on = rule.default_on
        else:
            on = _selected(rule.code, config.select)
        if _selected(rule.code, config.extend_select):
            on = True
        if _selected(rule.code, config.ignore):
            on = False
        if on:
            codes.add(rule.code)
    return frozenset(codes)


def ignored_for_path(config, relative_path: str) -> tuple[str, ...]:
    """Codes that `per-file-ignores` turns off for one path (relative to the config)."""
    codes: list[str] = []
    for pattern, selectors in config.per_file_ignores:
        if fnmatch.fnmatch(relative_path, pattern) or fnmatch.fnmatch(
            relative_path.rsplit("/", 1)[-1], pattern
        ):
            codes.extend(selectors)
    return tuple(codes)


def is_ignored(code: str, selectors) -> bool:
    return _selected(code, selectors)
