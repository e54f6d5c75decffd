"""Known ops of both frameworks: what kind of layer each is and where its rate sits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateArg:
    keyword: str
    index: int | None  # positional index, or None when keyword-only
    default: float | None


# PyTorch dropout modules: nn.Dropout(p=0.5, inplace=False)
TORCH_DROPOUT_MODULES = {
    f"torch.nn.{name}": RateArg("p", 0, 0.5)
    for name in (
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "FeatureAlphaDropout",
    )
}

# PyTorch functional dropout: F.dropout(input, p=0.5, training=True, inplace=False)
TORCH_DROPOUT_FUNCTIONS = {
    f"torch.nn.functional.{name}": RateArg("p", 1, 0.5)
    for name in (
        "dropout",
        "dropout1d",
        "dropout2d",
        "dropout3d",
        "alpha_dropout",
        "feature_alpha_dropout",
    )
}
TORCH_DROPOUT_FUNCTIONS.update(
    {
        "torch.dropout": RateArg("p", 1, None),
        "torch.nn.functional.scaled_dot_product_attention": RateArg("dropout_p", 4, 0.0),
    }
)
# Index of the `training` argument of the functional family (positional after p).
TORCH_TRAINING_INDEX = 2

# Keras dropout layers: Dropout(rate, noise_shape=None, seed=None)
KERAS_DROPOUT_LAYERS = {
    f"keras.layers.{name}": RateArg("rate", 0, None)
    for name in (
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "AlphaDropout",
        "GaussianDropout",
    )
}


def dropout_layer(qualname: str | None) -> RateArg | None:
    """The rate argument of a dropout module or layer constructor, if it is one."""
    if qualname is None:
        return None
    return TORCH_DROPOUT_MODULES.get(qualname) or KERAS_DROPOUT_LAYERS.get(
        _keras_layer(qualname)
    )


def torch_functional_dropout(qualname: str | None) -> RateArg | None:
    if qualname is None or qualname.endswith("scaled_dot_product_attention"):
        return None
    return TORCH_DROPOUT_FUNCTIONS.get(qualname)


def framework_of(qualname: str) -> str:
    return "torch" if qualname.startswith("torch") else "keras"


def _keras_layer(qualname: str) -> str:
    # keras.layers.core.dropout.Dropout and keras.Dropout name the same layer.
    if qualname.startswith("keras."):
        return "keras.layers." + qualname.rsplit(".", 1)[-1]
    return qualname


# Weighted layers that only look a token up: dropout after them alone is input dropout.
EMBEDDING_NAMES = ("Embedding", "EmbeddingBag")


def is_embedding(op: str) -> bool:
    """An embedding lookup, by its class name (torch.nn.Embedding, keras.layers.Embedding)."""
    return op.rsplit(".", 1)[-1] in EMBEDDING_NAMES
