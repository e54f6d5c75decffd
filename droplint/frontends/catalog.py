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


# -- PyTorch ops by kind (qualified names after import resolution) ----------------

_NN = "torch.nn."
_F = "torch.nn.functional."

TORCH_WEIGHTED_MODULES = frozenset(
    _NN + name
    for name in (
        "Linear", "LazyLinear", "Bilinear",
        "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
        "LazyConv1d", "LazyConv2d", "LazyConv3d",
        "Embedding", "EmbeddingBag",
        "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
        "MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
        "TransformerEncoderLayer", "TransformerDecoderLayer",
    )
)
TORCH_NORM_MODULES = frozenset(
    _NN + name
    for name in (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
        "SyncBatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
        "InstanceNorm3d", "LocalResponseNorm", "RMSNorm",
    )
)
TORCH_ACTIVATION_MODULES = frozenset(
    _NN + name
    for name in (
        "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
        "Mish", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softplus", "Softsign", "Hardtanh",
        "Hardswish", "Hardsigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "Threshold", "GLU",
        "LogSigmoid", "Softmin",
    )
)
TORCH_POOL_MODULES = frozenset(
    _NN + name
    for name in (
        "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d",
    )
)
TORCH_OTHER_MODULES = frozenset(
    _NN + name
    for name in (
        "Flatten", "Unflatten", "Identity", "Upsample", "PixelShuffle", "PixelUnshuffle",
        "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
    )
)
# Containers: their contents are the layers (nn.Sequential is inlined by the frontend).
TORCH_CONTAINERS = frozenset({_NN + "Sequential", _NN + "ModuleList", _NN + "ModuleDict"})

# Layers with a dropout of their own: (keyword, positional index, default).
TORCH_OWN_DROPOUT = {
    _NN + "RNN": RateArg("dropout", 6, 0.0),
    _NN + "LSTM": RateArg("dropout", 5, 0.0),
    _NN + "GRU": RateArg("dropout", 5, 0.0),
    _NN + "MultiheadAttention": RateArg("dropout", 2, 0.0),
    _NN + "TransformerEncoderLayer": RateArg("dropout", 3, 0.1),
    _NN + "TransformerDecoderLayer": RateArg("dropout", 3, 0.1),
    _NN + "Transformer": RateArg("dropout", 5, 0.1),
}

TORCH_WEIGHTED_FUNCTIONS = frozenset(
    {_F + "linear", _F + "bilinear", _F + "conv1d", _F + "conv2d", _F + "conv3d", _F + "embedding",
     _F + "conv_transpose1d", _F + "conv_transpose2d", _F + "multi_head_attention_forward"}
)
TORCH_NORM_FUNCTIONS = frozenset(
    {_F + "batch_norm", _F + "layer_norm", _F + "group_norm", _F + "instance_norm", _F + "rms_norm",
     _F + "normalize", _F + "local_response_norm"}
)
TORCH_ACTIVATION_FUNCTIONS = frozenset(
    {_F + name for name in ("relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
                            "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "hardtanh",
                            "hardswish", "glu", "logsigmoid", "prelu", "softmin")}
    | {"torch." + name for name in ("relu", "sigmoid", "tanh", "softmax", "log_softmax", "selu")}
)
TORCH_POOL_FUNCTIONS = frozenset(
    {_F + name for name in ("max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                            "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
                            "adaptive_max_pool1d", "adaptive_max_pool2d", "lp_pool2d")}
    | {"torch.mean", "torch.amax", "torch.max_pool2d"}
)
TORCH_OTHER_FUNCTIONS = frozenset(
    {"torch.flatten", "torch.reshape", "torch.squeeze", "torch.unsqueeze", "torch.transpose",
     "torch.permute", _F + "pad", _F + "interpolate"}
)
# Functions that combine several tensors into one: merge steps of the graph.
TORCH_MERGE_FUNCTIONS = frozenset(
    {"torch.cat", "torch.concat", "torch.concatenate", "torch.stack", "torch.add", "torch.matmul",
     "torch.bmm", "torch.einsum", "torch.mul", "torch.where"}
)


def torch_module_kind(qualname: str | None) -> str | None:
    """The layer kind of an `nn.*` module class, or None when it is not a known op."""
    if qualname is None:
        return None
    if qualname in TORCH_DROPOUT_MODULES:
        return "dropout"
    for kind, table in (
        ("weighted", TORCH_WEIGHTED_MODULES),
        ("norm", TORCH_NORM_MODULES),
        ("activation", TORCH_ACTIVATION_MODULES),
        ("pool", TORCH_POOL_MODULES),
        ("other", TORCH_OTHER_MODULES),
    ):
        if qualname in table:
            return kind
    return None


def torch_function_kind(qualname: str | None) -> str | None:
    """The layer kind of a functional op (`F.relu`, `torch.flatten`), or None."""
    if qualname is None:
        return None
    if qualname in TORCH_DROPOUT_FUNCTIONS:
        return "dropout"
    for kind, table in (
        ("weighted", TORCH_WEIGHTED_FUNCTIONS),
        ("norm", TORCH_NORM_FUNCTIONS),
        ("activation", TORCH_ACTIVATION_FUNCTIONS),
        ("pool", TORCH_POOL_FUNCTIONS),
        ("other", TORCH_OTHER_FUNCTIONS),
        ("merge", TORCH_MERGE_FUNCTIONS),
    ):
        if qualname in table:
            return kind
    return None
