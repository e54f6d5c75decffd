"""The Keras / TensorFlow frontend, read through `droplint profile` as a user sees it.

Runnable fixtures are also checked against Keras itself in tests/oracle; the facts here
are the static ones (TensorFlow is not installed), the spellings of imports, where a
layer is reported, training flags, and that odd code never crashes the frontend.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from droplint.cli import main
from droplint import engine
from droplint.frontends import interpreter
from droplint.ir import TrainingState
from droplint.testing import lint_snippet

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "keras"


def profile(*paths: str, config: str | None = None, tmp_path: Path | None = None) -> list[dict]:
    """`droplint profile --format json PATHS` from the repository root: its models."""
    args = ["profile", "--format", "json", "--no-cache", *paths]
    if config is not None:
        file = tmp_path / "droplint.toml"
        file.write_text(config, encoding="utf-8")
        args += ["--config", str(file)]
    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["models"]


def model_named(models, name):
    found = [m for m in models if m["name"] == name]
    assert len(found) == 1, [m["name"] for m in models]
    return found[0]


def dropouts(model):
    return [(l["name"], l["line"], l["rate"], l["rate_source"], l["position"]) for l in model["layers"]
            if l["kind"] == "dropout"]


def flow(model):
    return [(l["kind"], l["rate"]) for l in model["layers"] if l["kind"] in ("weighted", "dropout")]


# -- TensorFlow spellings (static only) -----------------------------------------------


def test_tf_nn_dropout_rate_keep_prob_and_ambiguous_positional():
    model = model_named(profile("fixtures/keras/tf_nn_dropout.py"), "Encoder")
    assert model["framework"] == "keras" and model["root"] is True
    assert dropouts(model) == [
        ("tf.nn.dropout", 22, 0.2, "literal", "hidden"),
        # keep_prob=0.7 drops 30% of units
        ("tf.nn.dropout", 24, 0.3, "literal", "hidden"),
        # the second positional argument: keep_prob in TF1, rate in TF2: unknown
        ("tf.nn.dropout", 26, None, "null", "final-hidden"),
    ]


@pytest.mark.parametrize("version,rate", [(2, 0.4), (1, 0.6)])
def test_tf_version_decides_the_positional_tf_nn_dropout_argument(tmp_path, version, rate):
    models = profile("fixtures/keras/tf_nn_dropout.py", config=f"tf-version = {version}\n", tmp_path=tmp_path)
    last = dropouts(model_named(models, "Encoder"))[-1]
    assert last[1:4] == (26, rate, "literal")


def test_tf1_import_reads_positional_argument_as_keep_prob():
    models = profile("fixtures/keras/tf1_compat.py")
    tower = model_named(models, "tower")  # TF1 graph code: the function is the model
    assert tower["root"] is True
    assert flow(tower) == [("weighted", None), ("dropout", 0.1), ("weighted", None), ("dropout", 0.3),
                           ("weighted", None)]
    assert dropouts(tower)[0] == ("tf.nn.dropout", 15, 0.1, "constant", "hidden")
    # a keras.layers.Layer is a block, not a model of its own
    head = model_named(models, "Head")
    assert head["root"] is False
    assert dropouts(head) == [("tf.nn.dropout", 29, 0.25, "literal", None)]


@pytest.mark.parametrize("fixture,name", [
    ("tensorflow_keras_import.py", "model"),
    ("tf_keras_import.py", "legacy_model"),
])
def test_tf_keras_and_tf_keras_package_read_as_keras(fixture, name):
    model = model_named(profile(f"fixtures/keras/{fixture}"), name)
    ops = {l["op"] for l in model["layers"]}
    assert ops <= {"keras.layers.Dense", "keras.layers.Dropout"}
    assert [p for *_, p in dropouts(model)][-1] == "final-hidden"


def test_training_flag_reaching_each_call_site():
    summary = _summary("fixtures/keras/tf_compat_v1_layers.py")
    legacy = next(c for c in summary.classes if c.name == "Legacy")
    found = [(l.span.line, l.rate.value, l.training) for l in legacy.graph.layers if l.kind == "dropout"]
    # training=training: gated; tf.compat.v1.layers.dropout without it defaults to off
    assert found == [(16, 0.2, TrainingState.GATED), (18, 0.35, TrainingState.OFF)]
    encoder = next(c for c in _summary("fixtures/keras/tf_nn_dropout.py").classes if c.name == "Encoder")
    # tf.nn.dropout drops unless a training branch keeps it out of inference
    assert [l.training for l in encoder.graph.layers if l.kind == "dropout"] == ["gated", "ungated", "ungated"]


def test_functional_training_reads_its_argument_its_branch_and_its_default():
    code = (
        "import tensorflow as tf\n\n"
        "class M(tf.keras.layers.Layer):\n"
        "    def call(self, x, training=None):\n"
        "        if training:\n"
        "            x = tf.nn.dropout(x, 0.1)\n"
        "            x = tf.compat.v1.layers.dropout(x, 0.2)\n"
        "        x = tf.compat.v1.layers.dropout(x, 0.3, training=False)\n"
        "        x = tf.compat.v1.layers.dropout(x, 0.4, training=True)\n"
        "        return tf.nn.dropout(x, 0.5)\n"
    )
    layers = [l for l in _summary_of(code).classes[0].graph.layers if l.kind == "dropout"]
    assert [l.training for l in layers] == [TrainingState.GATED, TrainingState.OFF, TrainingState.OFF,
                                            TrainingState.FORCED, TrainingState.UNGATED]


def test_training_true_is_forced_and_keras_layers_follow_the_call_context():
    code = (
        "import keras\nfrom keras import layers\n\n"
        "class M(keras.Model):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.a = layers.Dropout(0.1)\n        self.b = layers.Dropout(0.2)\n"
        "        self.c = layers.Dropout(0.3)\n        self.fc = layers.Dense(2)\n"
        "    def call(self, x, training=None):\n"
        "        x = self.a(x, training=True)\n        x = self.b(x)\n"
        "        x = self.c(x, training=training)\n        return self.fc(x)\n"
    )
    summary = _summary_of(code)
    assert [l.training for l in summary.classes[0].graph.layers if l.kind == "dropout"] == ["forced", None, "gated"]


# -- where layers are reported, and how models are named -----------------------------


def test_layers_are_reported_where_they_are_applied():
    model = model_named(profile("fixtures/keras/subclassed_model.py"), "Classifier")
    # the calls in call(), not the constructions in __init__
    assert [(l["name"], l["line"]) for l in model["layers"]] == [
        ("self.drop1", 17), ("self.fc1", 18), ("self.fc2", 19), ("self.drop2", 20), ("self.out", 21)]
    sequential = model_named(profile("fixtures/keras/sequential_add.py"), "model")
    assert [l["line"] for l in sequential["layers"]] == [10, 11, 12, 13, 14, 15]


def test_models_are_named_by_class_variable_or_builder_function():
    names = {m["name"] for m in profile("fixtures/keras")}
    assert {"model", "build_classifier", "build_mlp", "siamese", "encoder", "classifier", "Classifier",
            "Tower", "Stack", "net", "attention_classifier", "tower"} <= names


def test_nested_model_is_inlined_into_the_model_that_applies_it():
    models = profile("fixtures/keras/functional_nested_model.py")
    classifier, encoder = model_named(models, "classifier"), model_named(models, "encoder")
    assert (classifier["root"], encoder["root"]) == (True, False)
    # the encoder's own dropout, placed in the classifier's depth
    assert dropouts(classifier) == [
        ("layers.Dropout", 8, 0.2, "literal", "hidden"),
        ("layers.Dropout", 14, 0.35, "literal", "final-hidden"),
    ]


def test_constructor_rates_bind_through_blocks():
    tower = model_named(profile("fixtures/keras/subclassed_build.py"), "Tower")
    assert [(r, s, p) for _, _, r, s, p in dropouts(tower)] == [
        (0.2, "literal", "hidden"),  # DenseBlock(32, rate=0.2)
        (0.5, "default", "final-hidden"),  # DenseBlock(16): its default
    ]


def test_rnn_and_attention_dropout_arguments():
    model = model_named(profile("fixtures/keras/rnn_dropout.py"), "model")
    assert dropouts(model) == [
        ("layers.LSTM(dropout=)", 8, 0.1, "literal", "input"),  # after the embedding only
        ("layers.LSTM(recurrent_dropout=)", 8, 0.2, "literal", "input"),
        ("layers.GRU(recurrent_dropout=)", 9, 0.3, "literal", "hidden"),
        ("layers.Dropout", 10, 0.5, "literal", "final-hidden"),
    ]
    attention = model_named(profile("fixtures/keras/attention_dropout.py"), "attention_classifier")
    assert [l["name"] for l in attention["layers"] if l["kind"] != "input"][1:4] == [
        "layers.MultiHeadAttention (projections)", "layers.MultiHeadAttention(dropout=)",
        "layers.MultiHeadAttention (output)"]


# -- import spellings -------------------------------------------------------------------

SPELLINGS = {
    "keras": "import keras\nm = keras.Sequential([keras.layers.Dense(4), keras.layers.Dropout(0.3), keras.layers.Dense(1)])\n",
    "from keras import layers": "from keras import Sequential, layers\nm = Sequential([layers.Dense(4), layers.Dropout(0.3), layers.Dense(1)])\n",
    "tf.keras": "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(1)])\n",
    "tensorflow.keras": "from tensorflow.keras import layers, models\nm = models.Sequential([layers.Dense(4), layers.Dropout(0.3), layers.Dense(1)])\n",
    "keras.src": "from keras.src import layers\nfrom keras.src.models import Sequential\nm = Sequential([layers.Dense(4), layers.Dropout(0.3), layers.Dense(1)])\n",
    "tf_keras": "import tf_keras as keras\nm = keras.Sequential([keras.layers.Dense(4), keras.layers.Dropout(0.3), keras.layers.Dense(1)])\n",
    "tensorflow.compat.v1": "import tensorflow.compat.v1 as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(4), tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(1)])\n",
    "from keras.layers import": "from keras.layers import Dense, Dropout\nfrom keras.models import Sequential\nm = Sequential([Dense(4), Dropout(0.3), Dense(1)])\n",
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_every_import_spelling_gives_the_same_model(spelling):
    models = lint_snippet(SPELLINGS[spelling]).models
    assert [(m.name, m.framework, m.root) for m in models] == [("m", "keras", True)]
    placed = [(p.layer.op, p.layer.rate.value if p.layer.rate else None, p.position) for p in models[0].layers]
    assert placed == [("keras.layers.Dense", None, None), ("keras.layers.Dropout", 0.3, "final-hidden"),
                      ("keras.layers.Dense", None, None)]


@pytest.mark.parametrize("spelling", ["tf.keras.layers.Dropout(2)", "tf_keras.layers.Dropout(1.5)",
                                      "Dropout(256)", "keras.layers.GaussianDropout(True)"])
def test_invalid_rate_is_found_for_keras_spellings(spelling):
    code = ("import tensorflow as tf\nimport tf_keras\nimport keras\n"
            "from keras.src.layers import Dropout\n" f"d = {spelling}\n")
    found = [d for d in lint_snippet(code, select=("DL201",)).diagnostics if d.code == "DL201"]
    assert len(found) == 1 and found[0].span.line == 5


# -- odd code never crashes the frontend -----------------------------------------------

ODD = [
    "import keras\nm = keras.Sequential(*layers)\n",
    "import keras\nm = keras.Sequential(layers=make())\nm.add()\nm.add(*more)\n",
    "import keras\nm = keras.Model(**kwargs)\n",
    "import keras\nm = keras.Model(inputs=x)\n",
    "import keras\ndef f(x):\n    return f(keras.layers.Dropout(0.5)(x))\n",
    "import keras\nclass A(keras.Model):\n    def call(self, *args, **kwargs):\n        return self.d(*args)\n",
    "import keras\nclass A(keras.layers.Layer):\n    pass\nclass B(A):\n    def call(self, x):\n        for a, b in zip(x, x):\n            x = a\n        return lambda: x\n",
    ("import keras\nclass A(keras.Model):\n    def __init__(self):\n        self.l = [keras.layers.Dropout(0.1)]\n"
     "    def call(self, x):\n        x = self.l[0](x)\n        x += self.l(x)\n        return x[0], {**x}\n"),
    "import keras\nx = keras.Input((2,))\nfor i in range(3):\n    x = keras.layers.Dropout(0.1)(x)\nm = keras.Model(x, x)\n",
    ("from keras import layers as L\nclass C(L.Layer):\n    def call(self, x, training=None):\n"
     "        if training:\n            pass\n        elif x:\n            x = L.Dropout(0.2)(x)\n        return x\n"),
    "import tensorflow as tf\ndef f(x):\n    return tf.nn.dropout(keep_prob=0.5)\n",
    "import keras\nm = keras.Sequential([keras.Sequential([keras.layers.Dropout(0.1)]), keras.layers.Dense(1)])\n",
]


@pytest.mark.parametrize("code", ODD)
def test_odd_code_gives_a_result_not_an_exception(code):
    result = lint_snippet(code)
    assert result.errors == []


def test_recursive_helpers_stop_at_the_inline_bound():
    code = "import keras\ndef f(x):\n    return f(keras.layers.Dropout(0.5)(x))\n" \
           "def build():\n    i = keras.Input((2,))\n    return keras.Model(i, f(i))\n"
    build = next(m for m in lint_snippet(code).models if m.name == "build")
    assert 1 <= sum(p.layer.kind == "dropout" for p in build.layers) <= 10


# -- helpers ---------------------------------------------------------------------------


def _summary(relative: str):
    path = ROOT / relative
    return _summary_of(path.read_text(encoding="utf-8"), str(path))


def _summary_of(code: str, path: str = "example.py"):
    import libcst as cst

    from droplint.context import FileContext
    from droplint.frontends import keras

    return keras.summarize(FileContext(path, code, cst.parse_module(code)))


# -- helpers, closures and builders, as the Keras applications write them ---------------

HELPERS = '''
import keras
from keras import layers

def conv_block(inputs, filters, rate=0.1):
    x = layers.Conv2D(filters, 1)(inputs)
    return layers.SpatialDropout2D(rate)(x)

def Head(classes, dropout):
    def apply(x):
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dropout(dropout)(x)
        return layers.Dense(classes)(x)
    return apply

def Net(stack_fn, classes=10):
    inputs = layers.Input(shape=(8, 8, 3))
    x = conv_block(inputs, 16)
    x = conv_block(x, 32, rate=0.2)
    stages = []
    stages.append(layers.Conv2D(8, 1))
    x = stages[0](x)
    x = stack_fn(x)
    x = Head(classes, dropout=0.4)(x)
    return keras.Model(inputs, x)

def NetSmall():
    def stack_fn(x):
        return layers.Conv2D(4, 1)(x)
    return Net(stack_fn)
'''


def test_helpers_closures_and_builders_are_inlined_with_their_arguments():
    models = {m.name: m for m in lint_snippet(HELPERS).models}
    small = models["NetSmall"]  # Net(stack_fn) with its own stack: a model of its own
    assert [(p.layer.kind, p.layer.rate.value if p.layer.rate else None, p.layer.span.line)
            for p in small.layers if p.layer.kind in ("weighted", "dropout")] == [
        ("weighted", None, 6), ("dropout", 0.1, 7),  # conv_block(inputs, 16): its default
        ("weighted", None, 6), ("dropout", 0.2, 7),  # conv_block(x, 32, rate=0.2)
        ("weighted", None, 22),  # stages[0](x), a layer kept in a list
        ("weighted", None, 29),  # NetSmall's stack_fn
        ("dropout", 0.4, 12), ("weighted", None, 13),  # Head(classes, dropout=0.4)(x)
    ]
    assert [p.position for p in small.layers if p.layer.kind == "dropout"] == ["hidden", "hidden", "final-hidden"]
    # Net itself cannot see a stack_fn: the chain goes on around the unknown call.
    assert sum(p.layer.kind == "weighted" for p in models["Net"].layers) == 4


def test_fan_out_of_helpers_is_cut_at_the_work_bound(monkeypatch):
    monkeypatch.setattr(interpreter, "MAX_STATEMENTS", 3000)
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
    # Each level calls the next ten times: 10**5 dropouts if nothing bounded the work.
    levels = "".join(
        f"def h{i}(x):\n" + "".join(f"    x = h{i + 1}(x)\n" for _ in range(10)) + "    return x\n"
        for i in range(5)
    )
    code = "import keras\n" + levels + "def h5(x):\n    return keras.layers.Dropout(0.1)(x)\n" \
        "def build():\n    i = keras.Input((2,))\n    return keras.Model(i, h0(i))\n"
    build = next(m for m in lint_snippet(code).models if m.name == "build")
    dropouts_seen = sum(p.layer.kind == "dropout" for p in build.layers)
    assert 1 <= dropouts_seen <= 3000


def test_sequential_and_builder_models_held_by_a_subclassed_model():
    code = (
        "import keras\nfrom keras import layers\n\n"
        "def make_head():\n"
        "    return keras.Sequential([layers.Dropout(0.4), layers.Dense(2)])\n\n"
        "class Net(keras.Model):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.body = keras.Sequential([layers.Dense(8), layers.Dropout(0.2), layers.Dense(8)])\n"
        "        self.head = make_head()\n"
        "    def call(self, x):\n        return self.head(self.body(x))\n"
    )
    models = {m.name: m for m in lint_snippet(code).models}
    assert (models["Net"].root, models["make_head"].root) == (True, False)
    assert [(p.layer.kind, p.layer.span.line, p.position) for p in models["Net"].layers] == [
        ("weighted", 10, None), ("dropout", 10, "hidden"), ("weighted", 10, None),  # the Sequential, inlined
        ("dropout", 5, "final-hidden"), ("weighted", 5, None),  # make_head()'s model, linked
    ]


def test_a_block_picked_from_a_dict_by_a_literal_default_key_is_that_one():
    code = (
        "import keras\nfrom keras import layers\n\n"
        "def A(rate):\n    def apply(x):\n        return layers.Dropout(rate)(layers.Dense(4)(x))\n    return apply\n\n"
        "def B(rate):\n    def apply(x):\n        return layers.Dense(4)(x)\n    return apply\n\n"
        "def build(kind=0):\n    i = keras.Input((4,))\n"
        "    block = {0: A, 1: B}[kind]\n    x = block(rate=0.3)(i)\n"
        "    return keras.Model(i, layers.Dense(1)(x))\n"
    )
    build = next(m for m in lint_snippet(code).models if m.name == "build")
    assert [(p.layer.kind, p.layer.rate.value if p.layer.rate else None, p.position) for p in build.layers] == [
        ("weighted", None, None), ("dropout", 0.3, "final-hidden"), ("weighted", None, None)]


def test_rates_from_config_classes_and_argparse_defaults():
    code = (
        "import argparse\nfrom dataclasses import dataclass\n\nimport keras\nfrom keras import layers\n\n"
        "@dataclass\nclass TrainConfig:\n    dropout_rate: float = 0.35\n\n"
        "parser = argparse.ArgumentParser()\nparser.add_argument('--drop', type=float, default=0.15)\n"
        "args = parser.parse_args()\n\n"
        "class Net(keras.Model):\n    def __init__(self, config):\n        super().__init__()\n"
        "        self.fc = layers.Dense(8)\n        self.drop = layers.Dropout(config.dropout_rate)\n"
        "        self.drop2 = layers.Dropout(args.drop)\n        self.out = layers.Dense(2)\n"
        "    def call(self, x, training=None):\n        return self.out(self.drop2(self.drop(self.fc(x))))\n"
    )
    net = lint_snippet(code).models[0]
    assert [(p.layer.rate.value, p.layer.rate.source) for p in net.layers if p.layer.kind == "dropout"] == [
        (0.35, "config"), (0.15, "default")]


def test_keras_hub_backbone_subclass_is_a_model_built_in_init():
    code = (
        "import keras\nfrom keras_hub.src.models.backbone import Backbone\n\n"
        "class Tiny(Backbone):\n"
        "    def __init__(self, dropout=0.1, **kwargs):\n"
        "        self.drop = keras.layers.Dropout(dropout)\n"
        "        ids = keras.Input(shape=(None,), dtype='int32')\n"
        "        x = keras.layers.Embedding(10, 4)(ids)\n"
        "        x = keras.layers.Dense(4)(self.drop(x))\n"
        "        super().__init__(inputs={'ids': ids}, outputs=keras.layers.Dense(2)(x), **kwargs)\n"
    )
    (tiny,) = lint_snippet(code).models
    assert (tiny.name, tiny.root) == ("Tiny", True)
    assert [(p.layer.kind, p.layer.rate.source if p.layer.rate else None, p.position) for p in tiny.layers] == [
        ("embedding", None, None), ("dropout", "default", "input"), ("weighted", None, None),
        ("weighted", None, None)]


def test_defaults_decide_call_branches_but_not_constructor_ones(tmp_path):
    source = tmp_path / "net.py"
    source.write_text(
        "import keras\nfrom keras import layers\n\n"
        "class Net(keras.Model):\n"
        "    def __init__(self, use_drop=False):\n        super().__init__()\n"
        "        self.fc = layers.Dense(4)\n"
        "        if use_drop:\n            self.drop = layers.Dropout(0.3)\n"
        "        self.extra = layers.Dropout(0.2)\n        self.out = layers.Dense(2)\n"
        "    def call(self, x, heavy=False, training=None):\n"
        "        x = self.fc(x)\n"
        "        if heavy:\n            x = self.extra(x, training=training)\n"
        "        if self.drop:\n            x = self.drop(x, training=training)\n"
        "        return self.out(x)\n",
        encoding="utf-8",
    )
    model = model_named(profile(str(source)), "Net")
    # `heavy=False` in call decides: self.extra never runs. `use_drop` is the parent's
    # to pass: the constructor keeps self.drop, which is then applied.
    assert [(l["name"], l["rate"]) for l in model["layers"] if l["kind"] == "dropout"] == [("self.drop", 0.3)]


def test_a_block_picked_from_a_dict_by_an_unknown_key_runs_every_option_side_by_side():
    code = (
        "import keras\nfrom keras import layers\n\n"
        "def A(rate):\n    def apply(x):\n        return layers.Dense(4)(x)\n    return apply\n\n"
        "def B(rate):\n    def apply(x):\n        return layers.Dropout(rate)(layers.Dense(4)(x))\n    return apply\n\n"
        "def build(kinds):\n    i = keras.Input((4,))\n    x = i\n"
        "    for args in kinds:\n"
        "        block = {0: A, 1: B}[args.pop('kind')]\n        x = block(rate=0.3)(x)\n"
        "    return keras.Model(i, layers.Dense(1)(x))\n"
    )
    build = next(m for m in lint_snippet(code).models if m.name == "build")
    layers_ = [(p.layer.kind, p.layer.repeat) for p in build.layers if p.layer.kind != "input"]
    assert layers_ == [("weighted", True), ("weighted", True), ("dropout", True), ("weighted", False)]
    dense_a, dense_b, drop, head = [p.layer for p in build.layers if p.layer.kind != "input"]
    assert set(head.inputs) == {dense_a.id, drop.id}  # both options' outputs reach the head
    assert [p.position for p in build.layers if p.layer.kind == "dropout"] == ["final-hidden"]


HELPER_WITH_DEFAULTS = (
    "import keras\nfrom keras import layers\n\n"
    "def block(inputs, drop_rate=0.0, filters_in=4, filters_out=16):\n"
    "    x = layers.Dense(filters_out)(inputs)\n"
    "    if filters_in == filters_out:\n"
    "        x = layers.Dropout(drop_rate)(x)\n"
    "    return x\n\n"
    "def build(blocks_args):\n    i = keras.Input((4,))\n    x = i\n"
    "    for args in blocks_args:\n        x = block(x, drop_rate=0.2{extra})\n"
    "    return keras.Model(i, layers.Dense(1)(x))\n"
)


@pytest.mark.parametrize("extra, dropouts", [("", []), (", **args", [(0.2, True)])])
def test_arguments_unpacked_into_a_helper_leave_its_defaults_open(extra, dropouts):
    # Without `**args` the defaults decide (4 != 16: no dropout); with it, any of them
    # may be set by the dict, and the branch is kept.
    build = next(m for m in lint_snippet(HELPER_WITH_DEFAULTS.format(extra=extra)).models if m.name == "build")
    assert [(p.layer.rate.value, p.layer.repeat) for p in build.layers if p.layer.kind == "dropout"] == dropouts


VARIANTS = (
    "import keras\nfrom keras import layers\n\n"
    "def Net(width, dropout_rate=0.2, include_top=True):\n"
    "    i = keras.Input((4,))\n    x = layers.Dense(width)(i)\n"
    "    if include_top:\n        x = layers.Dropout(dropout_rate)(x)\n        x = layers.Dense(2)(x)\n"
    "    else:\n        x = layers.Dense(width)(x)\n"
    "    return keras.Model(i, x)\n\n"
    "def NetWide(include_top=True):\n    return Net(16, 0.5, include_top=include_top)\n\n"
    "def NetSame(width):\n    return Net(width, dropout_rate=0.2)\n"
)


def test_a_builder_called_with_literals_of_its_own_is_the_callers_model():
    models = {m.name: m for m in lint_snippet(VARIANTS).models}
    wide = models["NetWide"]
    assert [(p.layer.kind, p.layer.rate.value if p.layer.rate else None) for p in wide.layers
            if p.layer.kind in ("weighted", "dropout")] == [("weighted", None), ("dropout", 0.5), ("weighted", None)]
    assert (models["Net"].root, wide.root) == (True, True)
    assert [p.layer.rate.value for p in models["Net"].layers if p.layer.kind == "dropout"] == [0.2]
    # Literals equal to the defaults build the builder's own model: no copy of it.
    assert "NetSame" not in models


def test_a_zoo_is_a_library_only_from_outside_it():
    # Linting a model zoo's own files (keras.applications itself): its helpers and its
    # sibling modules are project code, inlined, not opaque library models.
    code = (
        "from keras.src import layers\nfrom keras.src.applications import imagenet_utils\n"
        "from keras.src.models import Functional\n\n"
        "def _conv_block(inputs, filters):\n    return layers.Conv2D(filters, 3)(inputs)\n\n"
        "def TinyNet(dropout=1e-3):\n    i = layers.Input((8, 8, 3))\n"
        "    x = _conv_block(i, 4)\n    x = imagenet_utils.correct_pad(x, 3)\n"
        "    x = layers.Dropout(dropout)(x)\n    x = layers.Conv2D(2, 1)(x)\n"
        "    return Functional(i, x)\n"
    )
    files = [("keras/__init__.py", ""), ("keras/src/__init__.py", ""), ("keras/src/applications/__init__.py", "")]
    result = lint_snippet(code, files, name="keras/src/applications/tiny.py")
    tiny = next(m for m in result.models if m.name == "TinyNet")
    assert [(p.layer.kind, p.layer.opaque) for p in tiny.layers if p.layer.kind != "input"] == [
        ("weighted", None), ("dropout", None), ("weighted", None)]
    assert [p.position for p in tiny.layers if p.layer.kind == "dropout"] == ["final-hidden"]
    from droplint.frontends import catalog

    assert catalog.is_model_zoo("keras.applications.ResNet50", "example")
    assert not catalog.is_model_zoo("keras.applications.imagenet_utils.correct_pad", "keras.applications.tiny")
