"""DL104 rate-decreases-with-depth."""

from __future__ import annotations

from droplint.frontends import catalog
from droplint.model_view import View, finding, rate_text, shown
from droplint.rulebook.example_models import two_dropout_mlp
from droplint.rulebook.rule import Docs, Example, ModelRule
from droplint.rulebook.shared_docs import SRIVASTAVA_2014


# Layers whose dropout acts on a recurrent state or on attention weights: rates for those
# are chosen on their own scale, so they are compared only with their own kind.
_RECURRENT = frozenset({
    "LSTM", "GRU", "RNN", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D",
    "ConvLSTM3D", "LSTMCell", "GRUCell", "RNNCell", "SimpleRNNCell", "Bidirectional",
})


def dropout_family(layer) -> str:
    """"recurrent", "attention" or "feed-forward": which rates a dropout is compared with."""
    short = layer.op.rsplit(".", 1)[-1]
    if short in _RECURRENT or "recurrent" in layer.name:
        return "recurrent"
    if "attention" in short.lower() or catalog.attention_dropout(layer.op) is not None:
        return "attention"
    return "feed-forward"


class RateDecreasesWithDepth(ModelRule):
    code = "DL104"
    name = "rate-decreases-with-depth"
    severity = "info"
    default_on = False
    frameworks = ("torch", "keras")
    docs = Docs(
        severity_reason=(
            "Info, off by default: uniform-rate designs (transformers) break the pattern on "
            "purpose, so a lighter deeper dropout is advice, not a defect."
        ),
        what="Checks for a dropout lighter than a dropout closer to the input.",
        why=(
            "Lower layers learn general features that later layers build on; higher layers\n"
            "hold the many co-adapted units that memorise. The usual design drops lightly\n"
            "near the input and more heavily deeper in (Srivastava et al. 2014 used 0.2 on\n"
            "inputs and 0.5 on hidden layers). A rate that falls with depth is often two\n"
            "rates swapped. Off by default: uniform-rate architectures (transformers) and\n"
            "tuned models break the pattern on purpose. A rate of 0 (dropout disabled) is\n"
            "never compared, and recurrent-state or attention-weight dropout is compared only\n"
            "with its own kind: their rates live on other scales than feed-forward dropout."
        ),
        example="self.drop1 = nn.Dropout(0.5)  # after fc1\nself.drop2 = nn.Dropout(0.2)  # after fc2",
        use_instead="self.drop1 = nn.Dropout(0.2)\nself.drop2 = nn.Dropout(0.5)",
        fix_safety="No fix: which of the two rates is wrong is the author's call.",
        options="None. Turn it on with `extend-select = [\"DL104\"]`.",
        references=(SRIVASTAVA_2014,),
    )
    valid = (
        Example(two_dropout_mlp("torch", "0.2", "0.5")),
        Example(two_dropout_mlp("torch", "0.3", "0.3")),
        Example(two_dropout_mlp("keras", "0.2", "0.5"), framework="keras"),
    )
    invalid = (
        Example(two_dropout_mlp("torch", "0.5", "0.2", ("", "DL104"))),
        Example(two_dropout_mlp("keras", "0.5", "0.25", ("", "DL104")), framework="keras"),
    )

    def check_model(self, model, config):
        view = View.of(model)
        # A rate of 0 is a disabled dropout, not a light one: never compared.
        placed = [p for p in view.placed_dropouts() if p.depth is not None and p.layer.rate.value > 0]
        families: dict = {}
        for p in placed:
            families.setdefault(dropout_family(p.layer), []).append(p)
        heaviest_before = {}
        for members in families.values():
            heaviest_before.update(_heaviest_shallower(members))
        for current in placed:
            # The heaviest dropout of the same kind strictly closer to the input, compared once.
            heaviest = heaviest_before[id(current)]
            if heaviest is None:
                continue
            rate = current.layer.rate.value
            if rate >= heaviest.layer.rate.value - 1e-9:
                continue
            message = (
                f"{shown(current.layer, model.framework)} at depth {current.depth:.2f} is lighter than "
                f"{shown(heaviest.layer, model.framework)} at depth {heaviest.depth:.2f} "
                f"(line {heaviest.layer.span.line}); raise it to at least "
                f"{rate_text(heaviest.layer.rate.value)} or lower the earlier one."
            )
            yield finding(self, model, current.layer, message)


def _heaviest_shallower(placed):
    """For each dropout, the heaviest one strictly shallower (ties: the shallowest), by a
    running maximum over the dropouts sorted by depth: n log n, not n squared."""
    found = {}
    best, best_key = None, None
    pending_best, pending_key = None, None
    ordered = sorted(placed, key=lambda p: p.depth)
    group_depth = None
    for p in ordered:
        if group_depth is None or p.depth >= group_depth + 1e-9:
            # A new depth: everything seen so far is strictly shallower.
            if pending_key is not None and (best_key is None or pending_key > best_key):
                best, best_key = pending_best, pending_key
            pending_best, pending_key = None, None
            group_depth = p.depth
        found[id(p)] = best
        key = (p.layer.rate.value, -p.depth)
        if pending_key is None or key > pending_key:
            pending_best, pending_key = p, key
    return found
