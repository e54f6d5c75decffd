"""Known ops of both frameworks: what kind of layer each is and where its rate sits."""

from __future__ import annotations

from dataclasses import dataclass

from droplint.ir import LayerKind


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


# -- TensorFlow and keras.random dropout ops (file rules DL202-DL305) ----------------

# tf.nn.dropout: TF2 `(x, rate, noise_shape=None, seed=None, name=None)`; TF1 and
# tf.compat.v1 `(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None)`.
TF_NN_DROPOUT = ("tensorflow.nn.dropout", "tensorflow.compat.v2.nn.dropout")
TF1_NN_DROPOUT = ("tensorflow.compat.v1.nn.dropout",)
# Positional parameters after the second one, the same names in TF1 and TF2.
TF_NN_DROPOUT_TAIL = ("noise_shape", "seed", "name")

# keras.random.dropout(inputs, rate, noise_shape=None, seed=None); keras's own layers
# call it as keras.src.backend.random.dropout.
KERAS_RANDOM_DROPOUT = {
    "keras.random.dropout": RateArg("rate", 1, None),
    "keras.backend.random.dropout": RateArg("rate", 1, None),
}

# tf.layers.dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None)
TF1_LAYERS_DROPOUT = {
    "tensorflow.compat.v1.layers.dropout": RateArg("rate", 1, 0.5),
    "tensorflow.layers.dropout": RateArg("rate", 1, 0.5),
}
TF1_LAYERS_TRAINING_INDEX = 4

# Attention kernels whose dropout is an argument, not a module: nothing turns it off
# in eval mode but the caller. Qualified name (or flash_attn function name) -> dropout_p.
ATTENTION_DROPOUT = {
    "torch.nn.functional.scaled_dot_product_attention": RateArg("dropout_p", 4, 0.0),
    "xformers.ops.memory_efficient_attention": RateArg("p", 4, 0.0),
    "xformers.ops.fmha.memory_efficient_attention": RateArg("p", 4, 0.0),
}
FLASH_ATTENTION_DROPOUT = {
    "flash_attn_func": RateArg("dropout_p", 3, 0.0),
    "flash_attn_kvpacked_func": RateArg("dropout_p", 2, 0.0),
    "flash_attn_qkvpacked_func": RateArg("dropout_p", 1, 0.0),
    "flash_attn_varlen_func": RateArg("dropout_p", 7, 0.0),
    "flash_attn_varlen_kvpacked_func": RateArg("dropout_p", 6, 0.0),
    "flash_attn_varlen_qkvpacked_func": RateArg("dropout_p", 3, 0.0),
}


def attention_dropout(qualname: str | None) -> RateArg | None:
    """The dropout_p argument of an attention kernel (SDPA, flash-attn, xformers)."""
    if qualname is None:
        return None
    if qualname in ATTENTION_DROPOUT:
        return ATTENTION_DROPOUT[qualname]
    if qualname.startswith("flash_attn."):
        return FLASH_ATTENTION_DROPOUT.get(qualname.rsplit(".", 1)[-1])
    return None


# Layers whose dropout is one of several arguments (keyword `dropout=` and the like).
# PyTorch recurrent layers: (input_size, hidden_size, num_layers=1, bias=True,
# batch_first=False, dropout=0.0, bidirectional=False).
# (nn.RNN takes `nonlinearity` before `bias`, so its dropout sits one place later.)
TORCH_RNN_DROPOUT = {
    "torch.nn.RNN": RateArg("dropout", 6, 0.0),
    "torch.nn.LSTM": RateArg("dropout", 5, 0.0),
    "torch.nn.GRU": RateArg("dropout", 5, 0.0),
}
TORCH_RNN_MODULES = tuple(TORCH_RNN_DROPOUT)
TORCH_RNN_NUM_LAYERS = RateArg("num_layers", 2, 1)
RATE_KEYWORD_LAYERS = {
    **{name: (spec,) for name, spec in TORCH_RNN_DROPOUT.items()},
    "torch.nn.MultiheadAttention": (RateArg("dropout", 2, 0.0),),
    "torch.nn.TransformerEncoderLayer": (RateArg("dropout", 3, 0.1),),
    "torch.nn.TransformerDecoderLayer": (RateArg("dropout", 3, 0.1),),
    "torch.nn.Transformer": (RateArg("dropout", 5, 0.1),),
    **{
        f"keras.layers.{name}": (RateArg("dropout", None, 0.0), RateArg("recurrent_dropout", None, 0.0))
        for name in ("LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
    },
    "keras.layers.MultiHeadAttention": (RateArg("dropout", None, 0.0),),
}

# Arguments that take a keep probability (TF1), where a drop rate is the mistake.
# (tf.nn.dropout's own keep_prob depends on the TF version: see TF1_NN_DROPOUT.)
KEEP_PROB_ARGS = {
    **{
        name: (
            RateArg("input_keep_prob", 1, 1.0),
            RateArg("output_keep_prob", 2, 1.0),
            RateArg("state_keep_prob", 3, 1.0),
        )
        for name in (
            "tensorflow.nn.rnn_cell.DropoutWrapper",
            "tensorflow.compat.v1.nn.rnn_cell.DropoutWrapper",
            "tensorflow.contrib.rnn.DropoutWrapper",
        )
    },
}


def rate_keyword_layer(qualname: str | None) -> tuple[RateArg, ...]:
    if qualname is None:
        return ()
    return RATE_KEYWORD_LAYERS.get(qualname) or RATE_KEYWORD_LAYERS.get(_keras_layer(qualname), ())


# Bases that make a class a PyTorch module even when their own definition is not linted.
TORCH_MODULE_BASES = (
    "torch.nn.Module",
    "torch.nn.Sequential",
    "torch.nn.ModuleList",
    "transformers.PreTrainedModel",
    "transformers.modeling_utils.PreTrainedModel",
    "pytorch_lightning.LightningModule",
    "lightning.LightningModule",
    "lightning.pytorch.LightningModule",
)
KERAS_MODEL_BASES = ("keras.Model", "keras.models.Model", "keras.layers.Layer", "keras.Layer")

# Weighted layers that only look a token up: dropout after them alone is input dropout.
EMBEDDING_NAMES = ("Embedding", "EmbeddingBag")


def _embedding_or(kind: LayerKind, name: str) -> LayerKind:
    """EMBEDDING for a weighted layer class named as an embedding lookup, else `kind`."""
    return LayerKind.EMBEDDING if kind == LayerKind.WEIGHTED and name in EMBEDDING_NAMES else kind


# -- Keras: what kind of layer each class is ------------------------------------
# Keyed by the class name alone: keras.layers.Dense, keras.src.layers.core.dense.Dense,
# tf.keras.layers.Dense and tf_keras.layers.Dense all canonicalize to one entry.

KERAS_WEIGHTED = frozenset(
    {
        "Dense", "EinsumDense", "Embedding", "ReversibleEmbedding",
        "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
        "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
        "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
        "DepthwiseConv1D", "DepthwiseConv2D", "LocallyConnected1D", "LocallyConnected2D",
        "LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "CuDNNLSTM", "CuDNNGRU",
        "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
        "MultiHeadAttention", "GroupQueryAttention", "GroupedQueryAttention",
    }
)
KERAS_NORMS = frozenset(
    {
        "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
        "RMSNormalization", "SyncBatchNormalization", "Normalization", "SpectralNormalization",
    }
)
KERAS_ACTIVATIONS = frozenset(
    {"Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"}
)
KERAS_POOLING = frozenset(
    {
        f"{prefix}{kind}{dims}D"
        for prefix in ("", "Global", "Adaptive")
        for kind in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool")
        for dims in ("1", "2", "3")
    }
)
# Several tensors in, one out: a residual add, a concatenation.
KERAS_MERGES = frozenset(
    {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
)
# Built-ins that produce a model input rather than transform one.
KERAS_INPUTS = frozenset({"Input", "InputLayer"})


@dataclass(frozen=True, slots=True)
class KerasDropoutArg:
    """A dropout argument of a layer that is not itself a dropout layer."""

    rate: RateArg
    where: str  # "inputs": masks the layer's inputs; "recurrent": its recurrent state;
    # "attention": the attention weights, between the projections and the output one.


_RNN_DROPOUT = (
    KerasDropoutArg(RateArg("dropout", None, 0.0), "inputs"),
    KerasDropoutArg(RateArg("recurrent_dropout", None, 0.0), "recurrent"),
)
KERAS_DROPOUT_ARGS = {
    **{name: _RNN_DROPOUT for name in ("LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                                       "LSTMCell", "GRUCell", "SimpleRNNCell")},
    # MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0, ...)
    "MultiHeadAttention": (KerasDropoutArg(RateArg("dropout", 3, 0.0), "attention"),),
    # GroupQueryAttention(head_dim, num_query_heads, num_key_value_heads, dropout=0.0, ...)
    "GroupQueryAttention": (KerasDropoutArg(RateArg("dropout", 3, 0.0), "attention"),),
    "GroupedQueryAttention": (KerasDropoutArg(RateArg("dropout", 3, 0.0), "attention"),),
    # Attention(use_scale=False, score_mode="dot", dropout=0.0); AdditiveAttention(use_scale, dropout)
    "Attention": (KerasDropoutArg(RateArg("dropout", 2, 0.0), "attention"),),
    "AdditiveAttention": (KerasDropoutArg(RateArg("dropout", 1, 0.0), "attention"),),
}

# Functional dropout of Keras and TensorFlow, for the Keras frontend: qualified name ->
# (rate argument, index of its `training` argument or None when it has none).
KERAS_DROPOUT_FUNCTIONS = {
    **{name: (spec, None) for name, spec in KERAS_RANDOM_DROPOUT.items()},
    **{name: (spec, TF1_LAYERS_TRAINING_INDEX) for name, spec in TF1_LAYERS_DROPOUT.items()},
}

KERAS_ACTIVATION_FUNCTIONS = frozenset(
    {
        "relu", "relu6", "gelu", "elu", "selu", "silu", "swish", "sigmoid", "hard_sigmoid",
        "hard_silu", "hard_swish", "tanh", "softmax", "log_softmax", "softplus", "softsign",
        "leaky_relu", "mish", "celu", "glu", "sparse_plus", "squareplus",
    }
)


def keras_class(qualname: str | None) -> str | None:
    """The class name of a Keras layer or model constructor, or None.

    `keras.layers.Dense`, `keras.layers.core.dense.Dense` and `keras.Sequential` give
    `Dense` / `Sequential`; lower-case names (functions, modules) give None.
    """
    if qualname is None or not qualname.startswith("keras."):
        return None
    name = qualname.rsplit(".", 1)[-1]
    return name if name[:1].isupper() else None


def keras_kind(name: str) -> LayerKind | None:
    """The profile kind of a built-in Keras layer class, or None when it is unknown."""
    if "keras.layers." + name in KERAS_DROPOUT_LAYERS:
        return LayerKind.DROPOUT
    if name in KERAS_WEIGHTED:
        return _embedding_or(LayerKind.WEIGHTED, name)
    if name in KERAS_NORMS:
        return LayerKind.NORM
    if name in KERAS_ACTIVATIONS:
        return LayerKind.ACTIVATION
    if name in KERAS_POOLING:
        return LayerKind.POOL
    if name in KERAS_MERGES:
        return LayerKind.MERGE
    return None


def keras_activation_function(qualname: str | None) -> bool:
    """keras.activations.relu, keras.ops.gelu, tf.nn.relu and the like."""
    if qualname is None:
        return False
    head, _, name = qualname.rpartition(".")
    return name in KERAS_ACTIVATION_FUNCTIONS and head in (
        "keras.activations", "keras.ops", "keras.ops.nn", "keras.backend",
        "tensorflow.nn", "tensorflow.compat.v1.nn", "tensorflow.math",
    )


# TF1 functional layers (tf.layers.dense(x, 64), tf.compat.v1.layers.conv2d(...)): by kind.
TF1_LAYER_FUNCTIONS = {
    **{name: LayerKind.WEIGHTED for name in ("dense", "conv1d", "conv2d", "conv3d", "conv2d_transpose",
                                     "conv3d_transpose", "separable_conv1d", "separable_conv2d")},
    "batch_normalization": LayerKind.NORM,
    **{f"{kind}_pooling{dims}d": LayerKind.POOL for kind in ("max", "average") for dims in ("1", "2", "3")},
    "flatten": LayerKind.OTHER,
}


def tf1_layer_function(qualname: str | None) -> LayerKind | None:
    """The kind of a TF1 functional layer (`tf.layers.dense`), or None."""
    if qualname is None:
        return None
    head, _, name = qualname.rpartition(".")
    if head in ("tensorflow.layers", "tensorflow.compat.v1.layers"):
        return TF1_LAYER_FUNCTIONS.get(name)


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

# Layers with a dropout of their own (LSTM, MultiheadAttention, Transformer*Layer): the
# rate shown on the weighted layer in the profile. One table with the file rules.
TORCH_OWN_DROPOUT = {name: specs[0] for name, specs in RATE_KEYWORD_LAYERS.items() if name.startswith("torch.")}

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


def torch_module_kind(qualname: str | None) -> LayerKind | None:
    """The layer kind of an `nn.*` module class, or None when it is not a known op."""
    kind = _kind_in(qualname, _TORCH_MODULE_KINDS)
    return None if kind is None else _embedding_or(kind, qualname.rsplit(".", 1)[-1])


def torch_function_kind(qualname: str | None) -> LayerKind | None:
    """The layer kind of a functional op (`F.relu`, `torch.flatten`), or None."""
    return _kind_in(qualname, _TORCH_FUNCTION_KINDS)


# Each kind's table, in the order they are asked (a name in two tables takes the first kind).
_TORCH_MODULE_KINDS = (
    (LayerKind.DROPOUT, TORCH_DROPOUT_MODULES),
    (LayerKind.WEIGHTED, TORCH_WEIGHTED_MODULES),
    (LayerKind.NORM, TORCH_NORM_MODULES),
    (LayerKind.ACTIVATION, TORCH_ACTIVATION_MODULES),
    (LayerKind.POOL, TORCH_POOL_MODULES),
    (LayerKind.OTHER, TORCH_OTHER_MODULES),
)
_TORCH_FUNCTION_KINDS = (
    (LayerKind.DROPOUT, TORCH_DROPOUT_FUNCTIONS),
    (LayerKind.WEIGHTED, TORCH_WEIGHTED_FUNCTIONS),
    (LayerKind.NORM, TORCH_NORM_FUNCTIONS),
    (LayerKind.ACTIVATION, TORCH_ACTIVATION_FUNCTIONS),
    (LayerKind.POOL, TORCH_POOL_FUNCTIONS),
    (LayerKind.OTHER, TORCH_OTHER_FUNCTIONS),
    (LayerKind.MERGE, TORCH_MERGE_FUNCTIONS),
)


def _kind_in(qualname: str | None, kinds) -> LayerKind | None:
    if qualname is None:
        return None
    return next((kind for kind, table in kinds if qualname in table), None)


# -- steps droplint cannot see into -------------------------------------------------

# Namespaces that hold whole models (model zoos, hub loaders): a call into one builds a
# network of many weighted layers that is not in the linted code. Data, not class names:
# the principle is "a model zoo's entry point", whatever the model is called.
MODEL_ZOO_NAMESPACES = (
    "torchvision.models", "torch.hub", "timm.models", "keras.applications", "tensorflow_hub",
    "keras_hub.models", "keras_nlp.models", "keras_cv.models", "segmentation_models_pytorch",
    "open_clip",
)
# Factory methods that load or build a whole pretrained model, on any class or module:
# `AutoModel.from_pretrained(...)`, `timm.create_model(...)`, `Backbone.from_preset(...)`.
MODEL_FACTORIES = frozenset({"from_pretrained", "from_config", "from_preset", "create_model"})
# Functions that take a module and return it wrapped, weights and all: the wrapped
# module is what runs (`weight_norm(nn.Conv1d(...))`, `spectral_norm(...)`).
TORCH_MODULE_WRAPPERS = frozenset({
    "torch.nn.utils.weight_norm", "torch.nn.utils.spectral_norm",
    "torch.nn.utils.parametrizations.weight_norm", "torch.nn.utils.parametrizations.spectral_norm",
    "torch.nn.utils.parametrizations.orthogonal", "torch.nn.utils.parametrize.register_parametrization",
    "torch.nn.utils.skip_init", "torch.nn.utils.fusion.fuse_conv_bn_eval",
    "torch.nn.utils.weight_norm.weight_norm", "torch.nn.utils.spectral_norm.spectral_norm",
})


def is_model_zoo(qualname: str | None, inside: str | None = None) -> bool:
    """A call that builds a whole library model: it counts as deep (many weighted layers).

    `inside`: the canonical module name of the linted file. A zoo is a library only seen
    from outside it: in the zoo's own files (linting `keras.applications` itself), a call
    to a sibling (`imagenet_utils.correct_pad`, the file's own `block`) is project code."""
    if not qualname:
        return False
    if qualname.rsplit(".", 1)[-1] in MODEL_FACTORIES:
        return True
    for space in MODEL_ZOO_NAMESPACES:
        if qualname == space or qualname.startswith(space + "."):
            return not (inside and (inside == space or inside.startswith(space + ".")))
    return False


def wraps_module(qualname: str | None) -> bool:
    """`weight_norm(module)` and the like: the result is the module itself."""
    return qualname in TORCH_MODULE_WRAPPERS or bool(
        qualname and qualname.startswith("torch.nn.utils.parametrizations.")
    )
