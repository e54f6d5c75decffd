"""The PyTorch frontend through the whole engine: what droplint sees in a model's source."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from droplint import engine
from droplint.config import parse
from droplint.discover import discover
from droplint.ir import TrainingState

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"


def lint_snippet(code, files=()):
    """`droplint profile` on `code` (example.py) and sibling `files` in a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "example.py").write_text(code, encoding="utf-8")
        for relative, text in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        previous = os.getcwd()
        os.chdir(root)
        try:
            targets, errors = discover(["."], root=root)
            options = engine.Options(jobs=1, use_cache=False)
            return engine.lint(targets, parse({}, root=root), options, errors, need_models=True)
        finally:
            os.chdir(previous)


def _models(code, files=()):
    result = lint_snippet(HEADER + code, files)
    assert result.errors == []
    return {m.name: m for m in result.models}


def _layers(model, kinds=("weighted", "dropout")):
    return [(p.layer.kind, p.layer.name, p.layer.rate.value if p.layer.rate else None) for p in model.layers if p.layer.kind in kinds]


def test_a_class_named_dropout_that_is_not_torchs_is_not_dropout():
    models = _models(
        "from mylib import Dropout\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n        self.drop = Dropout(0.5)\n"
        "    def forward(self, x):\n        return self.fc(self.drop(x))\n"
    )
    assert [p.layer.kind for p in models["Net"].layers] == ["other", "weighted"]


def test_modules_imported_under_other_names_are_resolved():
    models = _models(
        "from torch.nn import Dropout as D, Linear\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.a = Linear(2, 2)\n        self.d = D(p=0.25)\n        self.b = Linear(2, 2)\n"
        "    def forward(self, x):\n        return self.b(self.d(self.a(x)))\n"
    )
    assert _layers(models["Net"]) == [("weighted", "self.a", None), ("dropout", "self.d", 0.25), ("weighted", "self.b", None)]


def test_both_arms_of_an_if_are_kept():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.a = nn.Linear(2, 2)\n        self.b = nn.Linear(2, 2)\n        self.d = nn.Dropout(0.3)\n"
        "    def forward(self, x, flag):\n"
        "        if flag:\n            x = self.d(x)\n        else:\n            x = self.a(x)\n"
        "        return self.b(x)\n"
    )
    model = models["Net"]
    assert _layers(model) == [("dropout", "self.d", 0.3), ("weighted", "self.a", None), ("weighted", "self.b", None)]
    b = model.layers[-1].layer
    assert set(b.inputs) == {model.layers[0].layer.id, model.layers[1].layer.id}


def test_a_literal_default_decides_the_branch():
    source = (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.a = nn.Linear(2, 2)\n        self.b = nn.Linear(2, 2)\n        self.d = nn.Dropout(0.3)\n"
        "    def forward(self, x, flag=DEFAULT):\n"
        "        if flag:\n            x = self.d(x)\n        else:\n            x = self.a(x)\n"
        "        return self.b(x)\n"
    )
    taken = _models(source.replace("DEFAULT", "True"))["Net"]
    assert _layers(taken) == [("dropout", "self.d", 0.3), ("weighted", "self.b", None)]
    other = _models(source.replace("DEFAULT", "False"))["Net"]
    assert _layers(other) == [("weighted", "self.a", None), ("weighted", "self.b", None)]


def test_an_inlined_helper_reads_the_callers_literal_over_its_default():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.head = nn.Linear(2, 2)\n        self.d = nn.Dropout(0.3)\n"
        "    def forward_head(self, x, pre_logits: bool = False):\n"
        "        x = self.d(x)\n        return x if pre_logits else self.head(x)\n"
        "    def forward(self, x):\n        return self.forward_head(x)\n"
        "class Features(Net):\n"
        "    def forward(self, x):\n        return self.forward_head(x, pre_logits=True)\n"
    )
    assert _layers(models["Net"]) == [("dropout", "self.d", 0.3), ("weighted", "self.head", None)]
    assert _layers(models["Features"]) == [("dropout", "self.d", 0.3)]


def test_loop_over_module_list_is_marked_repeat_and_block_params_bind():
    models = _models(
        "class Block(nn.Module):\n"
        "    def __init__(self, dim, drop=0.1):\n        super().__init__()\n"
        "        self.fc = nn.Linear(dim, dim)\n        self.drop = nn.Dropout(drop)\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, n=4, p=0.2):\n        super().__init__()\n"
        "        self.blocks = nn.ModuleList([Block(8, drop=p) for _ in range(n)])\n"
        "        self.head = nn.Linear(8, 1)\n"
        "    def forward(self, x):\n"
        "        for block in self.blocks:\n            x = block(x)\n"
        "        return self.head(x)\n"
    )
    net = models["Net"]
    assert net.root and not models["Block"].root
    assert [(p.layer.kind, p.layer.repeat) for p in net.layers] == [("weighted", True), ("dropout", True), ("weighted", False)]
    rate = net.layers[1].layer.rate
    assert (rate.value, rate.source, rate.text) == (0.2, "default", "p")
    assert net.layers[1].position == "final-hidden"


def test_attention_dropout_only_when_dropout_p_is_set():
    models = _models(
        "class Attn(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.q = nn.Linear(4, 4)\n"
        "    def forward(self, x):\n"
        "        q = self.q(x)\n"
        "        a = F.scaled_dot_product_attention(q, q, q)\n"
        "        b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.0)\n"
        "        return F.scaled_dot_product_attention(a, b, q, dropout_p=0.1 if self.training else 0.0)\n"
    )
    assert [(k, r) for k, _, r in _layers(models["Attn"])] == [("weighted", None), ("dropout", 0.1)]


def test_functional_dropout_records_its_training_flag():
    models = _models(
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        x = F.dropout(x, 0.1)\n"
        "        x = F.dropout(x, 0.2, training=True)\n"
        "        x = F.dropout(x, 0.3, training=False)\n"
        "        if self.training:\n"
        "            x = F.dropout(x, 0.4)\n"
        "        return F.dropout(x, 0.5, training=self.training)\n"
    )
    flags = [p.layer.training for p in models["Net"].layers]
    # F.dropout defaults to training=True: ungated unless a training branch decides
    assert flags == [TrainingState.UNGATED, TrainingState.FORCED, TrainingState.OFF, TrainingState.GATED,
                     TrainingState.GATED]


def test_parameter_passed_positionally_to_a_block_in_another_file():
    files = [
        ("pkg/__init__.py", ""),
        ("pkg/blocks.py", HEADER + "class Block(nn.Module):\n"
         "    def __init__(self, dim, p=0.5):\n        super().__init__()\n"
         "        self.fc = nn.Linear(dim, dim)\n        self.drop = nn.Dropout(p)\n"
         "    def forward(self, x):\n        return self.drop(self.fc(x))\n"),
        ("pkg/model.py", HEADER + "from .blocks import Block\n\n"
         "class Model(nn.Module):\n"
         "    def __init__(self):\n        super().__init__()\n"
         "        self.b = Block(4, 0.15)\n        self.out = nn.Linear(4, 1)\n"
         "    def forward(self, x):\n        return self.out(self.b(x))\n"),
    ]
    models = _models("", files)
    model = models["Model"]
    assert model.root and not models["Block"].root
    drop = [p for p in model.layers if p.layer.kind == "dropout"][0]
    assert drop.layer.path.endswith("blocks.py")
    assert (drop.layer.rate.value, drop.layer.rate.source, drop.position) == (0.15, "literal", "final-hidden")


def test_config_class_in_another_file_resolves_config_rates():
    files = [
        ("configuration_net.py", "from dataclasses import dataclass\n\n@dataclass\nclass NetConfig:\n"
         "    hidden_dropout_prob: float = 0.15\n    classifier_dropout: float | None = None\n"),
    ]
    models = _models(
        "from configuration_net import NetConfig\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, config: NetConfig):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "        p = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob\n"
        "        self.drop = nn.Dropout(p)\n        self.out = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n        return self.out(self.drop(self.fc(x)))\n",
        files,
    )
    rate = [p.layer.rate for p in models["Net"].layers if p.layer.kind == "dropout"][0]
    assert (rate.value, rate.source) == (0.15, "config")


def test_model_returned_by_a_function_and_module_level_sequential():
    models = _models(
        "def build(p=0.3):\n    return nn.Sequential(nn.Linear(2, 4), nn.Dropout(p), nn.Linear(4, 1))\n\n"
        "net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Dropout(0.5))\n"
    )
    assert _layers(models["build"]) == [("weighted", "build[0]", None), ("dropout", "build[1]", 0.3), ("weighted", "build[2]", None)]
    assert [p.position for p in models["net"].layers if p.layer.kind == "dropout"] == ["output"]


def test_layer_lines_are_where_they_are_applied():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "        self.seq = nn.Sequential(\n            nn.Dropout(0.2),\n            nn.Linear(2, 2),\n        )\n"
        "    def forward(self, x):\n"
        "        x = self.fc(x)\n"
        "        return self.seq(x)\n"
    )
    lines = [p.layer.span.line - HEADER.count("\n") for p in models["Net"].layers]
    assert lines == [10, 6, 7]  # the call in forward; the elements of the Sequential


@pytest.mark.parametrize(
    "code",
    [
        "class Net(nn.Module):\n    def forward(self, *args, **kwargs):\n        return self.forward(*args)\n",
        "class Net(nn.Module):\n    def forward(self, x):\n        f = lambda y: y\n        return [f(z) for z in x]\n",
        "class Net(nn.Module):\n    def __init__(self):\n        self.layers = nn.ModuleList()\n"
        "        for i in range(3):\n            self.layers.append(nn.Dropout(i))\n"
        "    def forward(self, x):\n        while x:\n            x = self.layers[x](x)\n        return (yield x)\n",
        "class A(nn.Module):\n    def __init__(self):\n        self.b = B()\n    def forward(self, x):\n        return self.b(x)\n"
        "class B(nn.Module):\n    def __init__(self):\n        self.a = A()\n    def forward(self, x):\n        return self.a(x)\n",
        "class Net(nn.Module):\n    def forward(self, x):\n        if (y := self.fc(x)):\n            pass\n        async def g():\n            await x\n"
        "        with torch.no_grad() as t, open(x):\n            x[0] += F.dropout(x, p=x)\n        return x.y.z()[0]\n",
        "CLASSES = {'a': nn.Linear}\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        self.s = nn.Sequential(CLASSES[k](2, 2), nn.Dropout(0.1))\n"
        "    def forward(self, x):\n        return self.s(x)\n",
    ],
)
def test_unusual_code_gives_a_result_not_an_exception(code):
    """Odd but valid code: no exception, no file error (a result, possibly empty)."""
    result = lint_snippet(HEADER + code)
    assert result.errors == []


def test_one_line_blocks_are_read():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self, p=0.2):\n        super().__init__()\n"
        "        if p: self.drop = nn.Dropout(p)\n        self.fc = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n"
        "        if self.training: x = self.drop(x)\n"
        "        return self.fc(x)\n"
    )
    assert _layers(models["Net"]) == [("dropout", "self.drop", 0.2), ("weighted", "self.fc", None)]


def test_class_picked_from_a_module_level_table_is_its_first_entry():
    models = _models(
        "class Eager(nn.Module):\n"
        "    def __init__(self, config):\n        super().__init__()\n        self.drop = nn.Dropout(0.1)\n"
        "    def forward(self, x):\n        return self.drop(x)\n\n"
        "class Flash(Eager):\n    pass\n\n"
        "CLASSES = {'eager': Eager, 'flash': Flash}\n\n"
        "class Layer(nn.Module):\n"
        "    def __init__(self, config):\n        super().__init__()\n"
        "        self.attn = CLASSES[config.impl](config)\n        self.fc = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n        return self.fc(self.attn(x))\n"
    )
    assert _layers(models["Layer"]) == [("dropout", "self.drop", 0.1), ("weighted", "self.fc", None)]
    assert not models["Eager"].root


def test_unparseable_model_is_a_clear_file_error():
    result = lint_snippet(HEADER + "class Net(nn.Module):\n    def __init__(self):\n        self.d = nn.Dropout(p=)\n")
    assert [e.message.split(":")[0] for e in result.errors] == ["cannot parse"]
    assert result.models == []


def test_module_level_function_reached_through_a_local_variable_is_inlined():
    models = _models(
        "def eager_attention(module, q, k, v, dropout=0.0):\n"
        "    w = F.softmax(torch.matmul(q, k), dim=-1)\n"
        "    w = F.dropout(w, p=dropout, training=module.training)\n"
        "    return torch.matmul(w, v)\n\n"
        "class Attn(nn.Module):\n"
        "    def __init__(self, p=0.2):\n        super().__init__()\n"
        "        self.p = p\n        self.qkv = nn.Linear(4, 12)\n        self.o = nn.Linear(4, 4)\n"
        "    def forward(self, x):\n"
        "        attention_fn = eager_attention\n"
        "        q = self.qkv(x)\n"
        "        out = attention_fn(self, q, q, q, dropout=self.p if self.training else 0.0)\n"
        "        return self.o(out)\n"
    )
    model = models["Attn"]
    assert _layers(model) == [("weighted", "self.qkv", None), ("dropout", "F.dropout", 0.2), ("weighted", "self.o", None)]
    drop = model.layers[[p.layer.kind for p in model.layers].index("dropout")]
    assert (drop.layer.rate.source, drop.layer.span.line - HEADER.count("\n"), drop.position) == ("default", 3, "final-hidden")


def test_block_class_chosen_through_a_local_alias_follows_the_default_arm():
    models = _models(
        "class SelfAttn(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.drop = nn.Dropout(0.1)\n"
        "    def forward(self, x):\n        return self.drop(x)\n\n"
        "class CrossAttn(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n        return self.fc(x)\n\n"
        "class Attention(nn.Module):\n"
        "    def __init__(self, is_cross=False):\n        super().__init__()\n"
        "        attention_class = CrossAttn if is_cross else SelfAttn\n"
        "        self.inner = attention_class()\n        self.out = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n        return self.out(self.inner(x))\n"
    )
    assert _layers(models["Attention"]) == [("dropout", "self.drop", 0.1), ("weighted", "self.out", None)]
    assert not models["SelfAttn"].root


def test_attributes_built_outside_the_constructor_are_what_they_build_or_opaque():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n        self.drop = nn.Dropout(0.5)\n"
        "    def reset_classifier(self, n):\n        self.head = nn.Linear(2, n)\n"
        "    def set_neck(self, neck):\n        self.neck = neck\n"
        "    def forward(self, x):\n        return self.head(self.neck(self.drop(self.fc(x))))\n"
    )
    layers = models["Net"].layers
    assert [(p.layer.kind, p.layer.name, p.layer.opaque) for p in layers] == [
        ("weighted", "self.fc", None), ("dropout", "self.drop", None),
        ("other", "self.neck", "module"), ("weighted", "self.head", None),
    ]
    assert layers[1].position == "hidden"


def test_wrappers_and_aliases_resolve_to_the_layer_they_hold():
    models = _models(
        "from functools import partial\n"
        "from torch.nn.utils import weight_norm\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, blocks=None, drop_layer=partial(nn.Dropout, p=0.2)):\n"
        "        super().__init__()\n"
        "        layer = (blocks or (nn.Linear,))[0]\n"
        "        self.fc = weight_norm(layer(2, 2))\n        self.drop = drop_layer()\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n"
    )
    assert _layers(models["Net"]) == [("weighted", "self.fc", None), ("dropout", "self.drop", 0.2)]


def test_names_unpacked_from_zipped_layer_lists_are_each_lists_layers():
    code = '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Linear(4, 4)])
        self.stages = nn.ModuleList([nn.ModuleList([nn.Dropout(0.3), nn.Linear(4, 4)])])
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        for i, (embed, stage) in enumerate(zip(self.embeds, self.stages)):
            x = embed(x)
            for block in stage:
                x = block(x)
        return self.head(x)
'''
    net = _models(code)["Net"]
    steps = [(p.layer.kind, p.layer.repeat, p.position) for p in net.layers]
    assert steps == [
        ("weighted", True, None),
        ("dropout", True, "hidden"),
        ("weighted", True, None),
        ("weighted", False, None),
    ]


def test_a_layer_applied_through_its_forward_method_is_applied():
    code = '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.blocks = nn.ModuleList([nn.Dropout(0.3)])
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        x = self.fc.forward(x)
        for block in self.blocks:
            x = block.forward(x)
        return self.head(x)
'''
    net = _models(code)["Net"]
    assert [(p.layer.kind, p.layer.name) for p in net.layers] == [
        ("weighted", "self.fc"),
        ("dropout", "self.blocks[0]"),
        ("weighted", "self.head"),
    ]


def test_a_block_built_by_its_alternate_constructor_is_that_block():
    code = '''
class Encoder(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.drop = nn.Dropout(0.2)

    @classmethod
    def _from_config(cls, config):
        return cls(config.dim)

    def forward(self, x):
        return self.drop(self.fc(x))


class Net(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.encoder = Encoder._from_config(config)
        self.helper = make_helper.from_config(config)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.encoder(x))
'''
    net = _models(code)["Net"]
    assert [(p.layer.kind, p.layer.name) for p in net.layers] == [
        ("weighted", "self.fc"),
        ("dropout", "self.drop"),
        ("weighted", "self.head"),
    ]


def test_a_class_taken_from_a_list_of_classes_builds_its_block():
    models = _models(
        "class Head(nn.Module):\n"
        "    def __init__(self, dim):\n        super().__init__()\n"
        "        self.fc = nn.Linear(dim, dim)\n        self.drop = nn.Dropout(0.4)\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, blocks=None):\n        super().__init__()\n"
        "        if blocks is None:\n            blocks = [nn.Linear, Head]\n"
        "        head_block = blocks[1]\n"
        "        self.stem = blocks[0](3, 4)\n        self.head = head_block(4)\n"
        "        self.out = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n        return self.out(self.head(self.stem(x)))\n"
    )
    assert _layers(models["Net"]) == [
        ("weighted", "self.stem", None), ("weighted", "self.fc", None), ("dropout", "self.drop", 0.4), ("weighted", "self.out", None)]


def test_classes_passed_on_to_a_base_constructor_are_read_where_they_were_written():
    models = _models(
        "class LinearNorm(nn.Sequential):\n"
        "    def __init__(self, dim, norm_layer=nn.BatchNorm1d, linear_layer=None):\n"
        "        super().__init__(linear_layer(dim, dim), norm_layer(dim))\n\n"
        "class LinearLayerNorm(LinearNorm):\n"
        "    def __init__(self, dim, norm_layer=nn.LayerNorm):\n"
        "        super().__init__(dim, norm_layer, nn.Linear)\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.body = LinearLayerNorm(4)\n        self.drop = nn.Dropout(0.5)\n        self.out = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n        return self.out(self.drop(self.body(x)))\n"
    )
    placed = models["Net"].layers
    assert [(p.layer.kind, p.layer.op) for p in placed[:2]] == [("weighted", "torch.nn.Linear"), ("norm", "torch.nn.LayerNorm")]
    assert [p.position for p in placed if p.layer.kind == "dropout"] == ["final-hidden"]


def test_a_module_list_grown_with_plus_equals_holds_its_blocks():
    models = _models(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.layers = nn.ModuleList()\n"
        "        for _ in range(3):\n            self.layers += [nn.Linear(4, 4), nn.Dropout(0.1)]\n"
        "        self.out = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n"
        "        for layer in self.layers:\n            x = layer(x)\n"
        "        return self.out(x)\n"
    )
    layers = [p.layer for p in models["Net"].layers]
    assert [(layer.kind, layer.repeat) for layer in layers] == [("weighted", True), ("dropout", True), ("weighted", False)]


def test_a_constructor_that_only_passes_arguments_on_runs_its_bases_model_from_another_file():
    base = ("import torch.nn as nn\n\n"
            "class Stack(nn.Sequential):\n"
            "    def __init__(self, dim, drop=0.0, act=nn.ReLU):\n"
            "        super().__init__(nn.Linear(dim, dim), act(), nn.Dropout(drop))\n")
    models = _models(
        "from stack import Stack\n\n"
        "class Block(Stack):\n"
        "    def __init__(self, dim, p):\n        super().__init__(dim, drop=p, act=nn.GELU)\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.block = Block(4, 0.35)\n        self.out = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n        return self.out(self.block(x))\n",
        files=[("stack.py", base)],
    )
    assert _layers(models["Net"]) == [("weighted", "self[0]", None), ("dropout", "self[2]", 0.35), ("weighted", "self.out", None)]
    assert models["Net"].root and not models["Block"].root


def test_a_class_passed_for_a_block_parameter_replaces_the_class_it_defaults_to():
    blocks = ("import torch.nn as nn\n\n"
              "class Plain(nn.Module):\n"
              "    def __init__(self, dim):\n        super().__init__()\n        self.fc = nn.Linear(dim, dim)\n"
              "    def forward(self, x):\n        return self.fc(x)\n\n"
              "class Block(nn.Module):\n"
              "    def __init__(self, dim, inner=Plain):\n        super().__init__()\n        self.inner = inner(dim)\n"
              "    def forward(self, x):\n        return self.inner(x)\n")
    models = _models(
        "from functools import partial\nfrom blocks import Block\n\n"
        "class Dropping(nn.Module):\n"
        "    def __init__(self, dim):\n        super().__init__()\n"
        "        self.fc = nn.Linear(dim, dim)\n        self.drop = nn.Dropout(0.15)\n"
        "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        make = partial(Block, inner=Dropping)\n"
        "        self.a = Block(4, inner=Dropping)\n        self.b = make(4)\n"
        "        self.c = Block(4)\n        self.out = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n        return self.out(self.c(self.b(self.a(x))))\n",
        files=[("blocks.py", blocks)],
    )
    assert [kind for kind, _, _ in _layers(models["Net"])] == ["weighted", "dropout", "weighted", "dropout", "weighted", "weighted"]
    assert models["Net"].root and not models["Dropping"].root


def test_a_model_that_receives_its_modules_is_profiled_as_its_builder_function_builds_it():
    models = _models(
        "class Head(nn.Module):\n"
        "    def __init__(self, dim):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.2)\n        self.fc = nn.Linear(dim, 2)\n"
        "    def forward(self, x):\n        return self.fc(self.drop(x))\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, backbone, head):\n        super().__init__()\n"
        "        self.backbone = backbone\n        self.head = head\n"
        "    def forward(self, x):\n        return self.head(self.backbone(x))\n\n"
        "def build(backbone):\n    head = Head(8)\n    return Net(backbone, head)\n"
    )
    net = models["Net"]
    assert [(p.layer.kind, p.layer.opaque) for p in net.layers] == [("other", "module"), ("dropout", None), ("weighted", None)]
    assert [p.position for p in net.layers if p.layer.kind == "dropout"] == ["final-hidden"]
    assert net.root and not models["Head"].root


def test_what_a_container_subclass_takes_from_another_module_is_opaque_not_empty():
    models = _models(
        "class Getter(nn.ModuleDict):\n"
        "    def __init__(self, model):\n"
        "        layers = {}\n"
        "        for name, module in model.named_children():\n            layers[name] = module\n"
        "        super().__init__(layers)\n"
        "    def forward(self, x):\n"
        "        out = {}\n"
        "        for name, module in self.items():\n            x = module(x)\n            out[name] = x\n"
        "        return out\n"
    )
    getter = models["Getter"]
    assert [(p.layer.kind, p.layer.opaque, p.layer.repeat) for p in getter.layers] == [("other", "module", True)]
    assert getter.outputs == (getter.layers[0].layer.id,)


def test_a_name_rebound_to_its_own_element_is_read_without_end():
    # `layers = layers[0]` reads itself: looking for the class behind `layers[0]` must stop.
    code = (
        "import torch.nn as nn\n\n"
        "def build(layers):\n"
        "    layers = layers[0]\n"
        "    block = layers[0]\n"
        "    return nn.Sequential(block(4), nn.Dropout(0.2))\n\n"
        "net = build([[nn.Linear]])\n"
    )
    result = lint_snippet(code)
    assert result.errors == []
