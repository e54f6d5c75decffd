"""DL103: edge cases its examples do not show (moved from tests/test_model_rules.py)."""

from __future__ import annotations

from textwrap import dedent

from droplint.testing import fix_snippet, lint_snippet
from rule_snippets import found_by, position_of, MLP, BLOCK, NET, CONFIG_MODEL


def test_dropout_in_an_inlined_block_is_reported_in_the_blocks_file():
    result = lint_snippet(NET, files=(("blocks.py", BLOCK),), select=("DL103",))
    found = found_by(result, "DL103")
    assert len(found) == 1
    finding = found[0]
    # Where the dropout is applied: Block.forward in blocks.py, line 12; judged as part of Net.
    assert (finding.path, finding.span.line, finding.model) == ("blocks.py", 12, "Net")
    assert finding.message.startswith("self.drop (p=0.8) is hidden dropout")
    # The rate is a parameter default, not a literal at the call: no edit is offered.
    assert finding.fix is None


def test_noqa_on_the_blocks_line_suppresses_the_finding():
    quiet = BLOCK.replace("h = self.drop(self.fc1(x).relu())", "h = self.drop(self.fc1(x).relu())  # noqa: DL103")
    assert found_by(lint_snippet(NET, files=(("blocks.py", quiet),), select=("DL103",)), "DL103") == []
    other = BLOCK.replace("h = self.drop(self.fc1(x).relu())", "h = self.drop(self.fc1(x).relu())  # noqa: DL101")
    assert len(found_by(lint_snippet(NET, files=(("blocks.py", other),), select=("DL103",)), "DL103")) == 1


def test_rate_bound_by_the_parent_is_the_one_judged():
    light = NET.replace("Block(64)", "Block(64, p=0.3)")
    assert found_by(lint_snippet(light, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103") == []
    heavy = NET.replace("Block(64)", "Block(64, p=0.9)")
    found = found_by(lint_snippet(heavy, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103")
    assert [d.message.split(" is ")[0] for d in found] == ["self.drop (p=0.9)"]
    # The literal is written in the parent's file, the finding sits in the block's: no fix.
    assert found[0].fix is None


def test_a_block_used_twice_is_reported_once():
    twice = NET.replace("self.block = Block(64)", "self.block = Block(64)\n        self.block2 = Block(64)").replace(
        "self.block(self.embed(x))", "self.block2(self.block(self.embed(x)))"
    )
    found = found_by(lint_snippet(twice, files=(("blocks.py", BLOCK),), select=("DL103",)), "DL103")
    assert len({(d.path, d.span.line) for d in found}) == 1
    assert len(found) == len({(d.path, d.span, d.message) for d in found})


def test_bands_from_config_change_results():
    model = MLP.replace("        x = self.fc2(x).relu()\n", "        x = self.drop(self.fc2(x).relu())\n").replace(
        "        return self.drop(x)\n", "        return x\n"
    )
    assert model != MLP
    assert position_of(lint_snippet(model), "self.drop") == "final-hidden"
    assert found_by(lint_snippet(model, select=("DL103",)), "DL103") == []
    tight = (("bands", {"final-hidden": [0.2, 0.4]}),)
    found = found_by(lint_snippet(model, config=tight, select=("DL103",)), "DL103")
    assert len(found) == 1 and "band 0.2-0.4" in found[0].message
    assert fix_snippet(model, config=tight, select=("DL103",), unsafe=True) == model.replace(
        "nn.Dropout(0.5)", "nn.Dropout(0.4)"
    )
    # Below-band findings follow the configured bands too.
    loose = (("bands", {"final-hidden": [0.6, 0.9]}),)
    assert len(found_by(lint_snippet(model, config=loose, select=("DL105",)), "DL105")) == 1


def test_rates_resolved_through_config_classes_are_judged():
    found = found_by(lint_snippet(CONFIG_MODEL, select=("DL103",)), "DL103")
    assert [d.message.split(" is ")[0] for d in found] == ["self.drop (p=0.8)"]
    assert found[0].fix is None  # the value lives in the config class, not at the call
    light = CONFIG_MODEL.replace("hidden_dropout_prob = 0.8", "hidden_dropout_prob = 0.1")
    assert found_by(lint_snippet(light, select=("DL103",)), "DL103") == []


def test_unresolved_rates_are_not_judged():
    unknown = CONFIG_MODEL.replace("    hidden_dropout_prob = 0.8\n", "")
    assert unknown != CONFIG_MODEL
    assert found_by(lint_snippet(unknown, select=("DL1",)), "DL103") == []
    argument = MLP.replace("def __init__(self):", "def __init__(self, p):").replace("nn.Dropout(0.5)", "nn.Dropout(p)")
    assert found_by(lint_snippet(argument, select=("DL1",)), "DL102") == []


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
    found = found_by(lint_snippet(shared, select=("DL103",)), "DL103")
    assert len(found) == 2
    assert all(d.fix is None for d in found)
