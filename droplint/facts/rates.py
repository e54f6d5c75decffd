"""Where a file passes a dropout rate or a keep probability, across both frameworks.

Keep or drop: `tf.nn.dropout`'s positional probability is read by `facts.tf`.

Rules that judge rate values (DL202, DL204) and rules that need to know which
attributes hold rates (DL306) share this one view of the catalogue, so that a new op
in `frontends.catalog` reaches all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from droplint.context import IndexedCall
from droplint.facts.tf import tf_version
from droplint.frontends import catalog
from droplint.ir import Rate
from droplint.syntax import argument

# Keep or drop, as a name says it: `keep_prob`, `retain_rate` keep; `drop_prob`,
# `dropout_rate`, `rate` drop. DL202 and the hand-rolled analysis both ask.
KEEP_WORD_STEMS = ("keep", "kept", "retain")
# "Survival" is a weak keep word: stochastic depth's survival probability is a keep
# probability, but real code also names drop rates so (keras.applications passes
# `survival_probability=drop_connect_rate * b / blocks` to `Dropout(rate=...)`). Only a
# reader that checks the value's use (the hand-rolled analysis, against its scale) takes it.
WEAK_KEEP_WORD_STEMS = ("surviv",)
DROP_WORD_STEMS = ("drop",)
DROP_WORDS = frozenset({"rate"})

RATE = "rate"  # probability of dropping a unit
KEEP_PROB = "keep_prob"  # probability of keeping a unit (TF1)

DROPOUT = "dropout"  # an op whose only job is dropout
ATTENTION = "attention"  # an attention kernel's dropout_p
LAYER = "layer"  # a layer that takes a dropout rate among other arguments


@dataclass(frozen=True)
class RateArgument:
    call: IndexedCall
    arg: cst.Arg
    meaning: str  # RATE | KEEP_PROB
    kind: str  # DROPOUT | ATTENTION | LAYER
    keyword: str  # the parameter's name, however the argument was passed

    @property
    def value(self) -> cst.BaseExpression:
        return self.arg.value


def rate_arguments(ctx) -> list[RateArgument]:
    """Every rate or keep-probability argument passed in the file, in source order."""
    found: list[RateArgument] = []
    for site in ctx.calls:
        for spec, meaning, kind in _specs(ctx, site.qualname):
            arg = argument(site.node, spec.keyword, spec.index)
            if arg is not None:
                found.append(RateArgument(site, arg, meaning, kind, spec.keyword))
    return found


def _specs(ctx, qualname: str | None):
    if qualname is None:
        return
    spec = catalog.dropout_layer(qualname) or catalog.torch_functional_dropout(qualname)
    spec = spec or catalog.KERAS_RANDOM_DROPOUT.get(qualname) or catalog.TF1_LAYERS_DROPOUT.get(qualname)
    if spec is not None:
        yield spec, RATE, DROPOUT
        return
    attention = catalog.attention_dropout(qualname)
    if attention is not None:
        yield attention, RATE, ATTENTION
        return
    if qualname in catalog.TF_NN_DROPOUT or qualname in catalog.TF1_NN_DROPOUT:
        # The second positional argument means keep_prob in TF1 and rate in TF2; when
        # the version is unknown only keywords say what a value is.
        version = tf_version(ctx, qualname)
        yield catalog.RateArg("rate", 1 if version == 2 else None, None), RATE, DROPOUT
        yield catalog.RateArg("keep_prob", 1 if version == 1 else None, None), KEEP_PROB, DROPOUT
        return
    for spec in catalog.rate_keyword_layer(qualname):
        yield spec, RATE, LAYER
    for spec in catalog.KEEP_PROB_ARGS.get(qualname, ()):
        yield spec, KEEP_PROB, LAYER


def words(identifier: str) -> set[str]:
    """`dropoutKeepProb` / `dropout_keep_prob` -> {dropout, keep, prob}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    return {w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w}


def name_says(identifier: str, weak: bool = False) -> str | None:
    """KEEP_PROB or RATE when a name says which probability it holds, else None.

    A keep word wins over a drop word (`dropout_keep_prob` keeps, `keep_rate` keeps);
    `weak` also takes the weak keep words (`survival_prob`)."""
    found = words(identifier)
    stems = KEEP_WORD_STEMS + (WEAK_KEEP_WORD_STEMS if weak else ())
    if any(w.startswith(stems) for w in found):
        return KEEP_PROB
    if any(w.startswith(DROP_WORD_STEMS) for w in found) or found & DROP_WORDS:
        return RATE
    return None


def layer_rate_argument(ctx, call: cst.Call):
    """(argument expression or None, default) of a dropout module or layer constructor
    call (`nn.Dropout(p)`, `layers.Dropout(rate)`), else None: where `self.drop.p` and
    `self.drop.rate` read their value."""
    spec = catalog.dropout_layer(ctx.qualify(call.func))
    if spec is None:
        return None
    arg = argument(call, spec.keyword, spec.index)
    return (arg.value if arg is not None else None), spec.default


def from_keep_prob(keep: Rate, text: str) -> Rate:
    """A TF1 keep probability turned into the drop rate `1 - keep_prob`."""
    if keep.value is None or isinstance(keep.value, bool):
        return Rate(None, "null", text, config_attr=None)
    # 1 - 0.8 is 0.19999999999999996; rates are read by people.
    return Rate(round(1 - keep.value, 10), keep.source, text)


def tf_nn_dropout_rate(ctx, node: cst.Call, qualname: str, rate_of) -> Rate:
    """The drop rate of `tf.nn.dropout(x, ...)`: `rate=`, `1 - keep_prob=`, or the second
    positional argument read by the TensorFlow version the call means (`facts.tf`), the
    same reading the rules make. `rate_of(expr)` resolves an expression's value."""
    rate = argument(node, "rate", None)
    if rate is not None:
        return rate_of(rate.value)
    keep = argument(node, "keep_prob", None)
    if keep is not None:
        return from_keep_prob(rate_of(keep.value), f"1 - {ctx.code(keep.value)}")
    positional = argument(node, None, 1)
    if positional is None:
        return Rate.unknown("")
    text = ctx.code(positional.value)
    version = tf_version(ctx, qualname)
    if version == 1:
        return from_keep_prob(rate_of(positional.value), f"1 - {text}")
    if version == 2:
        return rate_of(positional.value)
    # TF1 reads it as keep_prob, TF2 as rate: say so rather than guess.
    return Rate.unknown(text)
