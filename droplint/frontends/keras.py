"""Keras / TensorFlow frontend: Sequential, functional and subclassed models of one file."""

from __future__ import annotations

from droplint.ir import FileSummary


def summarize(ctx) -> FileSummary:
    return FileSummary(path=ctx.path, module=ctx.imports.module_name)
