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
