"""`check --show-settings`: the configuration a run would use, after files and options."""

from __future__ import annotations

import json

from droplint.report import escape


def render(config) -> str:
    from droplint.rulebook import registry

    def value(v) -> str:
        return json.dumps(list(v) if isinstance(v, tuple) else v)

    lines = [
        f"config file: {config.file if config.file else '(none: defaults)'}",
        *(f"extends: {base}" for base in config.bases),
        f"root: {config.root}",
        f"select = {value(config.select) if config.select is not None else '(rules on by default)'}",
        f"ignore = {value(config.ignore)}",
        f"extend-select = {value(config.extend_select)}",
        f"exclude = {value(config.exclude)}",
        f"tf-version = {value(config.tf_version) if config.tf_version is not None else '(not set)'}",
        f"roots = {value([str(root) for root in config.roots])}",
        "per-file-ignores = {"
        + ", ".join(f"{json.dumps(glob)}: {value(codes)}" for glob, codes in config.per_file_ignores)
        + "}",
        "bands = {" + ", ".join(f"{k}: {list(v)}" for k, v in config.bands.items()) + "}",
        "enabled rules: " + " ".join(sorted(registry.enabled_codes(config))),
    ]
    # Paths and globs come from the repository's configuration.
    return escape.controls("\n".join(lines), keep="\n")
