"""The model rules (DL101-DL108) on whole projects: where findings land, what they judge.

Each test lints a small project through the engine, as `droplint check` does, and reads
the findings a user would see.
"""

from __future__ import annotations

from textwrap import dedent

from droplint.testing import fix_snippet, lint_snippet


def _found(result, code):
    return [d for d in result.diagnostics if d.code == code]


def _position(result, name):
    for model in result.models:
        if model.root:
            for placed in model.layers:
                if placed.layer.name == name and placed.layer.kind == "dropout":
                    return placed.position
    return None


MLP = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 128)
            self.fc3 = nn.Linear(128, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.fc1(x).relu()
            x = self.fc2(x).relu()
            x = self.fc3(x)
            return self.drop(x)
    """)


def test_output_dropout_message_names_layer_rate_position_and_remedy():
    found = _found(lint_snippet(MLP, select=("DL1",)), "DL102")
    assert len(found) == 1
    finding = found[0]
    assert finding.message == (
        "self.drop (p=0.5) is applied to the output of self.fc3, the model's last layer; "
        "move it before self.fc3 or remove it."
    )
    assert (finding.path, finding.span.line, finding.model, finding.severity) == ("example.py", 16, "Net", "error")
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_residual_tail_of_a_backbone_is_final_hidden_not_output():
    backbone = dedent("""\
        import torch.nn as nn


        class Backbone(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(256, 1024)
                self.fc2 = nn.Linear(1024, 256)
                self.drop = nn.Dropout(0.1)
                self.norm = nn.LayerNorm(256)

            def forward(self, x):
                h = self.fc2(self.fc1(x).relu())
                return self.norm(x + self.drop(h))
        """)
    result = lint_snippet(backbone, select=("DL1",))
    assert _found(result, "DL102") == []
    assert _position(result, "self.drop") == "final-hidden"
    # The same dropout without the skip path is on the output: the residual is what counts.
    plain = lint_snippet(backbone.replace("self.norm(x + self.drop(h))", "self.norm(self.drop(h))"), select=("DL1",))
    assert [d.span.line for d in _found(plain, "DL102")] == [14]


def test_keras_residual_tail_is_not_output_dropout():
    model = dedent("""\
        import keras
        from keras import layers

        inputs = keras.Input((256,))
        h = layers.Dense(1024, activation="relu")(inputs)
        h = layers.Dense(256)(h)
        outputs = layers.Add()([inputs, layers.Dropout(0.1)(h)])
        model = keras.Model(inputs, outputs)
        """)
    assert _found(lint_snippet(model, select=("DL1",)), "DL102") == []
    tail = model.replace("layers.Add()([inputs, layers.Dropout(0.1)(h)])", "layers.Dropout(0.1)(h)")
    assert [d.span.line for d in _found(lint_snippet(tail, select=("DL1",)), "DL102")] == [7]


BLOCK = dedent("""\
    import torch.nn as nn


    class Block(nn.Module):
        def __init__(self, dim, p=0.8):
            super().__init__()
            self.fc1 = nn.Linear(dim, dim * 4)
            self.drop = nn.Dropout(p)
            self.fc2 = nn.Linear(dim * 4, dim)

        def forward(self, x):
            h = self.drop(self.fc1(x).relu())
            return x + self.fc2(h)
    """)

NET = dedent("""\
    import torch.nn as nn

    from blocks import Block


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(32, 64)
            self.block = Block(64)
            self.head = nn.Linear(64, 10)

        def forward(self, x):
            return self.head(self.block(self.embed(x)))
    """)


def test_dropout_in_an_inlined_block_is_reported_in_the_blocks_file():
    result = lint_snippet(NET, files=(("blocks.py", BLOCK),), select=("DL103",))
    found = _found(result, "DL103")
    assert len(found) == 1
    finding = found[0]
    # Where the dropout is applied: Block.forward in blocks.py, line 12; judged as part of Net.
    assert (finding.path, finding.span.line, finding.model) == ("blocks.py", 12, "Net")
    assert finding.message.startswith("self.drop (p=0.8) is hidden dropout")
    # The rate is a parameter default, not a literal at the call: no edit is offered.
    assert finding.fix is None


def test_noqa_on_the_blocks_line_suppresses_the_finding():
    quiet = BLOCK.replace("h = self.drop(self.fc1(x).relu())", "h = self.drop(self.fc1(x).relu())  # noqa: DL103")
    assert _found(lint_snippet(NET, files=(("blocks.py", quiet),), select=("DL103",)), "DL103") == []
    other = BLOCK.replace("h = self.drop(self.fc1(x).relu())", "h = self.drop(self.fc1(x).relu())  # noqa: DL101")
    assert len(_found(lint_snippet(NET, files=(("blocks.py", other),), select=("DL103",)), "DL103")) == 1


def test_rate_bound_by_the_parent_is_the_one_judged():
    light = NET.replace("Block(64)", "Block(64, p=0.3)")
    assert _found(lint_snippet(light, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103") == []
    heavy = NET.replace("Block(64)", "Block(64, p=0.9)")
    found = _found(lint_snippet(heavy, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103")
    assert [d.message.split(" is ")[0] for d in found] == ["self.drop (p=0.9)"]
    # The literal is written in the parent's file, the finding sits in the block's: no fix.
    assert found[0].fix is None


def test_a_block_used_twice_is_reported_once():
    twice = NET.replace("self.block = Block(64)", "self.block = Block(64)\n        self.block2 = Block(64)").replace(
        "self.block(self.embed(x))", "self.block2(self.block(self.embed(x)))"
    )
    found = _found(lint_snippet(twice, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103")
    assert len({(d.path, d.span.line) for d in found}) == 1
    assert len(found) == len({(d.path, d.span, d.message) for d in found})


def test_bands_from_config_change_results():
    model = MLP.replace("        x = self.fc2(x).relu()\n", "        x = self.drop(self.fc2(x).relu())\n").replace(
        "        return self.drop(x)\n", "        return x\n"
    )
    assert model != MLP
    assert _position(lint_snippet(model), "self.drop") == "final-hidden"
    assert _found(lint_snippet(model, select=("DL103",)), "DL103") == []
    tight = (("bands", {"final-hidden": [0.2, 0.4]}),)
    found = _found(lint_snippet(model, config=tight, select=("DL103",)), "DL103")
    assert len(found) == 1 and "band 0.2-0.4" in found[0].message
    assert fix_snippet(model, config=tight, select=("DL103",), unsafe=True) == model.replace(
        "nn.Dropout(0.5)", "nn.Dropout(0.4)"
    )
    # Below-band findings follow the configured bands too.
    loose = (("bands", {"final-hidden": [0.6, 0.9]}),)
    assert len(_found(lint_snippet(model, config=loose, select=("DL105",)), "DL105")) == 1


CONFIG_MODEL = dedent("""\
    import torch.nn as nn


    class NetConfig:
        hidden_size = 64
        hidden_dropout_prob = 0.8


    class Net(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.fc1 = nn.Linear(32, config.hidden_size)
            self.drop = nn.Dropout(config.hidden_dropout_prob)
            self.fc2 = nn.Linear(config.hidden_size, config.hidden_size)
            self.fc3 = nn.Linear(config.hidden_size, 10)

        def forward(self, x):
            x = self.drop(self.fc1(x).relu())
            return self.fc3(self.fc2(x).relu())
    """)


def test_rates_resolved_through_config_classes_are_judged():
    found = _found(lint_snippet(CONFIG_MODEL, select=("DL103",)), "DL103")
    assert [d.message.split(" is ")[0] for d in found] == ["self.drop (p=0.8)"]
    assert found[0].fix is None  # the value lives in the config class, not at the call
    light = CONFIG_MODEL.replace("hidden_dropout_prob = 0.8", "hidden_dropout_prob = 0.1")
    assert _found(lint_snippet(light, select=("DL103",)), "DL103") == []


def test_unresolved_rates_are_not_judged():
    unknown = CONFIG_MODEL.replace("    hidden_dropout_prob = 0.8\n", "")
    assert unknown != CONFIG_MODEL
    assert _found(lint_snippet(unknown, select=("DL1",)), "DL103") == []
    argument = MLP.replace("def __init__(self):", "def __init__(self, p):").replace("nn.Dropout(0.5)", "nn.Dropout(p)")
    assert _found(lint_snippet(argument, select=("DL1",)), "DL102") == []


def test_a_rate_literal_shared_by_two_applications_is_not_rewritten():
    shared = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 256)
                self.fc2 = nn.Linear(256, 256)
                self.fc3 = nn.Linear(256, 256)
                self.fc4 = nn.Linear(256, 10)
                self.drop = nn.Dropout(0.9)

            def forward(self, x):
                x = self.drop(self.fc1(x).relu())
                x = self.drop(self.fc2(x).relu())
                return self.fc4(self.fc3(x).relu())
        """)
    found = _found(lint_snippet(shared, select=("DL103",)), "DL103")
    assert len(found) == 2
    assert all(d.fix is None for d in found)


def test_consecutive_dropouts_merge_into_the_combined_rate():
    model = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 256)
                self.drop1 = nn.Dropout(0.5)
                self.drop2 = nn.Dropout(0.5)
                self.fc2 = nn.Linear(256, 10)

            def forward(self, x):
                x = self.drop1(self.fc1(x).relu())
                x = self.drop2(x)
                return self.fc2(x)
        """)
    found = _found(lint_snippet(model, select=("DL107",)), "DL107")
    assert [d.span.line for d in found] == [14]
    assert "together a dropout of 0.75" in found[0].message
    fixed = fix_snippet(model, select=("DL107",), unsafe=True)
    assert fixed == model.replace("self.drop1 = nn.Dropout(0.5)", "self.drop1 = nn.Dropout(0.75)").replace(
        "        x = self.drop2(x)\n", ""
    )
    # Without --unsafe-fixes nothing changes.
    assert fix_snippet(model, select=("DL107",), unsafe=False) == model


def test_dropout_before_batchnorm_in_a_sequential_warns_about_indices():
    model = dedent("""\
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(784, 256), nn.Dropout(0.5), nn.BatchNorm1d(256), nn.Linear(256, 10))
        """)
    found = _found(lint_snippet(model, select=("DL106",)), "DL106")
    assert len(found) == 1
    assert "checkpoint keys" in found[0].fix.message
    assert fix_snippet(model, select=("DL106",), unsafe=True) == model.replace(
        "nn.Dropout(0.5), nn.BatchNorm1d(256)", "nn.BatchNorm1d(256), nn.Dropout(0.5)"
    )


def test_dropout_before_batchnorm_with_a_second_reader_is_found_but_not_moved():
    model = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 64)
                self.drop = nn.Dropout(0.3)
                self.bn = nn.BatchNorm1d(64)
                self.fc2 = nn.Linear(64, 10)

            def forward(self, x):
                h = self.drop(self.fc1(x).relu())
                return self.fc2(self.bn(h))
        """)
    found = _found(lint_snippet(model, select=("DL106",)), "DL106")
    assert len(found) == 1 and found[0].fix is not None
    # Swapping the callees of `self.drop(...)` and `self.bn(h)` is exact while h has one
    # reader; with a second reader of h it would change what that reader sees.
    shared = model.replace("return self.fc2(self.bn(h))", "return self.fc2(self.bn(h)) + h")
    found = _found(lint_snippet(shared, select=("DL106",)), "DL106")
    assert len(found) == 1 and found[0].fix is None


def test_keras_output_dropout_in_a_subclassed_model():
    model = dedent("""\
        import keras
        from keras import layers


        class Classifier(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(128, activation="relu")
                self.out = layers.Dense(10)
                self.drop = layers.Dropout(0.5)

            def call(self, x, training=None):
                x = self.out(self.hidden(x))
                return self.drop(x, training=training)
        """)
    found = _found(lint_snippet(model, select=("DL102",)), "DL102")
    assert [(d.span.line, d.model) for d in found] == [(14, "Classifier")]
    assert found[0].message.startswith("self.drop (rate=0.5) is applied to the output of self.out")
    # The construction goes too: nothing else uses self.drop.
    assert fix_snippet(model, select=("DL102",), unsafe=True) == model.replace(
        "return self.drop(x, training=training)", "return x"
    ).replace("        self.drop = layers.Dropout(0.5)\n", "")


def test_output_dropout_on_its_own_line_is_removed_whole():
    model = MLP.replace("        return self.drop(x)\n", "        x = self.drop(x)\n        return x\n")
    assert model != MLP
    # The line goes whole, and so does the construction nothing else uses.
    assert fix_snippet(model, select=("DL102",), unsafe=True) == model.replace(
        "        x = self.drop(x)\n", ""
    ).replace("        self.drop = nn.Dropout(0.5)\n", "")


def test_keras_consecutive_functional_dropouts_merge():
    model = dedent("""\
        import keras
        from keras import layers

        inputs = keras.Input((784,))
        x = layers.Dense(256, activation="relu")(inputs)
        x = layers.Dropout(0.2)(x)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(10)(x)
        model = keras.Model(inputs, outputs)
        """)
    found = _found(lint_snippet(model, select=("DL107",)), "DL107")
    assert [(d.span.line, d.model) for d in found] == [(7, "model")]
    assert fix_snippet(model, select=("DL107",), unsafe=True) == model.replace(
        "x = layers.Dropout(0.2)(x)\nx = layers.Dropout(0.5)(x)\n", "x = layers.Dropout(0.6)(x)\n"
    )


def test_attention_weights_returned_beside_the_values_are_not_the_output():
    # The dropped weights are returned, but they also multiply the values: not every way
    # to the returned value is a single-input step, so this is no output dropout.
    attention = dedent("""\
        import torch
        import torch.nn as nn


        class Attention(nn.Module):
            def __init__(self):
                super().__init__()
                self.q = nn.Linear(64, 64)
                self.k = nn.Linear(64, 64)
                self.v = nn.Linear(64, 64)
                self.drop = nn.Dropout(0.1)

            def forward(self, x):
                weights = torch.softmax(self.q(x) @ self.k(x).transpose(-1, -2), dim=-1)
                weights = self.drop(weights)
                return weights @ self.v(x), weights
        """)
    result = lint_snippet(attention, select=("DL1",))
    assert _found(result, "DL102") == []
    assert _position(result, "self.drop") == "final-hidden"
    # Returned alone, the weights are still no layer's output: they come from q @ k, a merge.
    only_weights = attention.replace("return weights @ self.v(x), weights", "return weights")
    assert _found(lint_snippet(only_weights, select=("DL1",)), "DL102") == []


def test_a_dropout_not_seen_to_reach_the_returned_value_is_not_the_output():
    stored = dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 10)
                self.drop = nn.Dropout(0.5)

            def forward(self, x):
                logits = self.fc(x)
                self.cache = self.drop(logits)
                return logits
        """)
    assert _found(lint_snippet(stored, select=("DL1",)), "DL102") == []


def test_dropout_after_the_residual_merge_at_a_backbones_end_is_not_output_dropout():
    # Encoder tail as in wav2vec2-style models: last layer's residual add, final norm,
    # dropout, returned as features for a head the model does not hold.
    encoder = dedent("""\
        import torch.nn as nn
        import torch.nn.functional as F


        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Linear(16, 64)
                self.ffn = nn.Linear(64, 64)
                self.norm = nn.LayerNorm(64)

            def forward(self, x):
                x = self.embed(x)
                x = x + self.ffn(x)
                x = self.norm(x)
                return F.dropout(x, p=0.1, training=self.training)
        """)
    assert _found(lint_snippet(encoder, select=("DL102",)), "DL102") == []
    head = encoder.replace("x = x + self.ffn(x)", "x = self.ffn(x)")
    assert [d.span.line for d in _found(lint_snippet(head, select=("DL102",)), "DL102")] == [16]


def test_a_block_built_in_a_constructor_is_no_root_even_when_applied_indirectly():
    # transformers' chunked feed-forward: the blocks are applied through a bound method
    # handed to a helper, so the forward graph never shows them.
    model = dedent("""\
        import torch.nn as nn


        class FeedForwardOutput(nn.Module):
            def __init__(self):
                super().__init__()
                self.dense = nn.Linear(256, 64)
                self.drop = nn.Dropout(0.5)

            def forward(self, x):
                return self.drop(self.dense(x))


        class ChunkFeedForward(nn.Module):
            def __init__(self):
                super().__init__()
                self.output = FeedForwardOutput()

            def forward(self, x):
                return apply_chunking(self.forward_chunk, x)

            def forward_chunk(self, x):
                return self.output(x)
        """)
    result = lint_snippet(model, select=("DL1",))
    assert [m.name for m in result.models if m.root] == ["ChunkFeedForward"]
    # The helper applies the method it is handed to its data argument: the block's
    # dropout is on the path, and here it is the model's last step.
    root = next(m for m in result.models if m.root)
    assert [p.layer.kind for p in root.layers if p.layer.kind in ("weighted", "dropout")] == ["weighted", "dropout"]
    assert len(_found(result, "DL102")) == 1


def test_consecutive_dropouts_with_a_zero_rate_are_one_dropout():
    model = dedent("""\
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(784, 256), nn.Dropout(0.0), nn.Dropout(0.3), nn.Linear(256, 10))
        """)
    assert _found(lint_snippet(model, select=("DL107",)), "DL107") == []
    assert len(_found(lint_snippet(model.replace("0.0", "0.2"), select=("DL107",)), "DL107")) == 1


def test_blocks_renamed_for_a_subclass_are_blocks_not_models():
    # transformers' modular files: the subclass inherits a layer that builds LlamaMLP and
    # the file defines SeedMLP to take its place; SeedMLP is never a model of its own.
    llama = dedent("""\
        import torch.nn as nn


        class LlamaMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.down = nn.Linear(256, 64)

            def forward(self, x):
                return self.down(x)


        class LlamaDecoderLayer(nn.Module):
            def __init__(self):
                super().__init__()
                self.mlp = LlamaMLP()

            def forward(self, x):
                return x + self.mlp(x)
        """)
    modular = dedent("""\
        import torch.nn as nn
        import torch.nn.functional as F

        from llama import LlamaDecoderLayer


        class SeedMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.down = nn.Linear(256, 64)

            def forward(self, x):
                return F.dropout(self.down(x), p=0.1, training=self.training)


        class SeedDecoderLayer(LlamaDecoderLayer):
            pass
        """)
    result = lint_snippet(modular, files=(("llama.py", llama),), select=("DL1",))
    assert "SeedMLP" not in [m.name for m in result.models if m.root]
    assert _found(result, "DL102") == []
    # Without the subclass, SeedMLP is a model of its own, and its output dropout is found.
    alone = modular.replace("\n\nclass SeedDecoderLayer(LlamaDecoderLayer):\n    pass\n", "\n")
    assert [d.model for d in _found(lint_snippet(alone, files=(("llama.py", llama),), select=("DL1",)), "DL102")] == ["SeedMLP"]


def test_odd_models_give_no_crash_and_no_guess():
    odd = dedent("""\
        import torch.nn as nn
        import torch.nn.functional as F

        extra = [nn.Dropout(0.9)]
        net = nn.Sequential(nn.Linear(4, 4), *extra, nn.Dropout(True), nn.Dropout(1.5), nn.Linear(4, 2))


        class Odd(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.drop = nn.Dropout(0.9)

            def forward(self, x, y):
                x = self.drop(x, y)
                return F.dropout(self.fc(x), *y)
        """)
    result = lint_snippet(odd, select=("DL1",))
    assert result.errors == []
    # Rates that are no probability (True, 1.5) are DL201's business, never judged here.
    assert all("True" not in d.message and "1.5" not in d.message for d in result.diagnostics)
    # The rate of F.dropout(..., *y) is unknown: no default is assumed, nothing is judged.
    assert [d.span.line for d in result.diagnostics] == [15]
    # self.drop(x, y) passes two tensors: no edit removes it, but its rate literal can change.
    assert [e.content for e in result.diagnostics[0].fix.edits] == ["0.3"]


def test_a_renamed_block_is_a_block_under_any_import_root(droplint, write, tmp_path):
    # transformers' modular files: `class SeedDecoderLayer(BaseDecoderLayer): pass` beside
    # `class SeedMLP` stands for the base's `BaseMLP` renamed. Under an import root that is
    # not the project's (a vendored package), class keys carry `@<root>`: still a block.
    (tmp_path / ".git").mkdir()
    for package in ("vendor/pkg", "vendor/pkg/base", "vendor/pkg/seed"):
        write(f"{package}/__init__.py", "")
    write("vendor/pkg/base/modeling_base.py", dedent("""\
        import torch.nn as nn


        class BaseMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return self.fc(x)


        class BaseDecoderLayer(nn.Module):
            def __init__(self):
                super().__init__()
                self.mlp = BaseMLP()

            def forward(self, x):
                return x + self.mlp(x)
        """))
    write("vendor/pkg/seed/modular_seed.py", dedent("""\
        import torch.nn as nn
        from ..base.modeling_base import BaseDecoderLayer


        class SeedMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                x = self.fc(x)
                return nn.functional.dropout(x, p=0.1, training=self.training)


        class SeedDecoderLayer(BaseDecoderLayer):
            pass
        """))
    code, report = droplint.json("check", "--no-cache", "--select", "DL102", "vendor")
    assert [d["code"] for d in report["diagnostics"]] == []
    assert code == 0
