"""One file's summary: what each framework's frontend finds in it."""

from __future__ import annotations

from droplint.frontends import keras, torch
from droplint.ir import FileSummary

# Each frontend is `ctx -> FileSummary` for its framework; their parts are joined.
FRONTENDS = (torch.summarize, keras.summarize)


def summarize(ctx) -> FileSummary:
    classes, configs, references = [], [], []
    for frontend in FRONTENDS:
        part = frontend(ctx)
        classes.extend(part.classes)
        configs.extend(part.configs)
        references.extend(part.references)
    return FileSummary(
        path=ctx.path,
        module=ctx.imports.module_name,
        classes=tuple(classes),
        configs=tuple(configs),
        references=tuple(dict.fromkeys(references)),
        class_bases=tuple((info.name, info.bases) for info in ctx.classes),
    )
