"""Which classes of a file are PyTorch modules, Keras layers or models, through local
base classes too.

`is_keras_layer` looks at a class's own bases; a Keras layer is as often a subclass of
the project's own base layer defined a few lines above (`is_keras_class`).
"""

from __future__ import annotations

from droplint.frontends.catalog import KERAS_MODEL_BASES, TORCH_MODULE_BASES


def is_torch_module(ctx, info, _seen=None) -> bool:
    """A class deriving from nn.Module, directly or through classes in this file.

    A class whose base is defined elsewhere and unresolvable here counts when it has
    a `forward` method: the base is then almost surely a module of the project.
    """
    seen = _seen or set()
    if info.name in seen:
        return False
    seen.add(info.name)
    for base in info.bases:
        if base in TORCH_MODULE_BASES or base.startswith("torch.nn."):
            return True
        local = ctx.class_named(base.rsplit(".", 1)[-1])
        if local is not None and local is not info and base.endswith(local.name):
            if is_torch_module(ctx, local, seen):
                return True
    if "forward" in info.methods and any(not b.startswith(("keras", "tensorflow")) for b in info.bases):
        return not any(b in ("object",) for b in info.bases)
    return False


def is_keras_layer(info) -> bool:
    """A class whose own bases are Keras layers or models."""
    return any(b in KERAS_MODEL_BASES or b.startswith("keras.") for b in info.bases)


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
    return derives(ctx, info, is_keras_layer)


def is_model_class(ctx, info) -> bool:
    """A PyTorch module or a Keras layer/model: a class with a forward pass."""
    return is_torch_module(ctx, info) or is_keras_class(ctx, info)
