"""One file's summary: what each framework's frontend finds in it, merged field by field."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Protocol

from droplint.frontends import keras, torch
from droplint.ir import ClassDecl, FileSummary

# Methods that make a class's model: a class writing none of them inherits its bases' model.
MODEL_METHODS = ("__init__", "forward", "call")


class Frontend(Protocol):
    """One framework's reading of a file (a frontend module is one: `name` and
    `summarize`). A new framework is one more of these."""

    name: str

    def summarize(self, ctx) -> FileSummary: ...


FRONTENDS: tuple[Frontend, ...] = (torch, keras)  # type: ignore[assignment]


def summarize(ctx) -> FileSummary:
    parts = [frontend.summarize(ctx) for frontend in FRONTENDS]
    merged = merge(parts, path=ctx.path, module=ctx.imports.module_name)
    return replace(merged, class_bases=tuple(_declaration(ctx, info) for info in ctx.classes))


def merge(parts, path: str, module: str) -> FileSummary:
    """The frontends' parts joined: every tuple field is the parts' concatenation (in
    frontend order, duplicates once), so a field added to `FileSummary` is never dropped."""
    values = {"path": path, "module": module}
    for field in fields(FileSummary):
        if field.name not in values:
            values[field.name] = tuple(dict.fromkeys(item for part in parts for item in getattr(part, field.name)))
    return FileSummary(**values)


def _declaration(ctx, info) -> ClassDecl:
    return ClassDecl(
        name=info.name,
        key=ctx.imports.local.get(info.name, f"{ctx.imports.module_name}.{info.name}"),
        bases=info.bases,
        line=ctx.span(info.node.name).line,
        defines=tuple(m for m in MODEL_METHODS if m in info.methods),
    )
