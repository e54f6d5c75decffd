"""DL102: edge cases its examples do not show (moved from tests/test_model_rules.py)."""

from __future__ import annotations

from textwrap import dedent

from droplint.rules.output_layer_dropout import OutputLayerDropout
from droplint.testing import fix_snippet, lint_snippet
from rule_snippets import example_source, found_by, position_of, MLP


def test_output_dropout_message_names_layer_rate_position_and_remedy():
    found = found_by(lint_snippet(MLP, select=("DL1",)), "DL102")
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
    assert found_by(result, "DL102") == []
    assert position_of(result, "self.drop") == "final-hidden"
    # The same dropout without the skip path is on the output: the residual is what counts.
    plain = lint_snippet(backbone.replace("self.norm(x + self.drop(h))", "self.norm(self.drop(h))"), select=("DL1",))
    assert [d.span.line for d in found_by(plain, "DL102")] == [14]


def test_keras_residual_tail_is_not_output_dropout():
    model = example_source(OutputLayerDropout.valid, "layers.Add()")
    assert found_by(lint_snippet(model, select=("DL1",)), "DL102") == []
    tail = model.replace("layers.Add()([inputs, layers.Dropout(0.1)(h)])", "layers.Dropout(0.1)(h)")
    assert tail != model
    assert [d.span.line for d in found_by(lint_snippet(tail, select=("DL1",)), "DL102")] == [7]


def test_keras_output_dropout_in_a_subclassed_model_names_the_layers():
    # Where it is found and what the fix does are pinned by the example itself.
    model = example_source(OutputLayerDropout.invalid, "class Net(keras.Model)")
    found = found_by(lint_snippet(model, select=("DL102",)), "DL102")
    assert [d.model for d in found] == ["Net"]
    assert found[0].message.startswith("self.out_drop (rate=0.5) is applied to the output of self.logits")


def test_output_dropout_on_its_own_line_is_removed_whole():
    model = MLP.replace("        return self.drop(x)\n", "        x = self.drop(x)\n        return x\n")
    assert model != MLP
    # The line goes whole, and so does the construction nothing else uses.
    assert fix_snippet(model, select=("DL102",), unsafe=True) == model.replace(
        "        x = self.drop(x)\n", ""
    ).replace("        self.drop = nn.Dropout(0.5)\n", "")


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
    assert found_by(result, "DL102") == []
    assert position_of(result, "self.drop") == "final-hidden"
    # Returned alone, the weights are still no layer's output: they come from q @ k, a merge.
    only_weights = attention.replace("return weights @ self.v(x), weights", "return weights")
    assert found_by(lint_snippet(only_weights, select=("DL1",)), "DL102") == []


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
    assert found_by(lint_snippet(stored, select=("DL1",)), "DL102") == []


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
    assert found_by(lint_snippet(encoder, select=("DL102",)), "DL102") == []
    head = encoder.replace("x = x + self.ffn(x)", "x = self.ffn(x)")
    assert [d.span.line for d in found_by(lint_snippet(head, select=("DL102",)), "DL102")] == [16]


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
    assert len(found_by(result, "DL102")) == 1


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
    assert found_by(result, "DL102") == []
    # Without the subclass, SeedMLP is a model of its own, and its output dropout is found.
    alone = modular.replace("\n\nclass SeedDecoderLayer(LlamaDecoderLayer):\n    pass\n", "\n")
    assert [d.model for d in found_by(lint_snippet(alone, files=(("llama.py", llama),), select=("DL1",)), "DL102")] == ["SeedMLP"]


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
