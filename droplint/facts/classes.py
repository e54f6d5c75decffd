"""Which classes of a file are Keras layers or models, through local base classes too.

`FileContext.is_keras_layer` looks at a class's own bases; a Keras layer is as often
a subclass of the project's own base layer defined a few lines above.
"""

from __future__ import annotations


def derives(ctx, info, direct, _seen=None) -> bool:
    """Whether `direct(info)` holds for the class, or for a class of this file it derives
    from, however far up. Each class is looked at once, so a cycle of bases ends."""
    seen = _seen if _seen is not None else set()
    if info.name in seen:
        return False
    seen.add(info.name)
    if direct(info):
        return True
    for base in info.bases:
        local = ctx.class_named(base.rsplit(".", 1)[-1])
        if local is not None and local is not info and derives(ctx, local, direct, seen):
            return True
    return False


def is_keras_class(ctx, info) -> bool:
    return derives(ctx, info, ctx.is_keras_layer)


def is_model_class(ctx, info) -> bool:
    """A PyTorch module or a Keras layer/model: a class with a forward pass."""
    return ctx.is_torch_module(info) or is_keras_class(ctx, info)
