"""An attribute a class builds with a factory holds what its family builds there
(analysis/family.py); fixtures/torch/family_pkg is the same pattern run for real."""

from __future__ import annotations

from droplint.testing import lint_snippet

HEAD = '''
from torch import nn
from auto import AutoBackbone


class GenericClassifier:
    backbone_name = "model"

    def __init__(self, config):
        super().__init__()
        setattr(self, self.backbone_name, AutoBackbone.from_config(config))
        self.score = nn.Linear(8, 3)

    def forward(self, x):
        return self.score(getattr(self, self.backbone_name)(x))
'''

BACKBONES = '''
from torch import nn


class Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc1 = nn.Linear(8, 8)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(8, 8)

    def forward(self, x):
        return self.fc2(self.drop(self.fc1(x)))


class Decoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.drop = nn.Dropout(0.4)

    def forward(self, x):
        return self.drop(self.fc(x))
'''


def _family(sibling_attribute: str, *siblings: str, renamed: str | None = None) -> str:
    rename = f"    backbone_name = {renamed!r}\n" if renamed else "    pass\n"
    built = "".join(
        f'''
class Sibling{i}(PreTrained):
    def __init__(self, config):
        super().__init__()
        self.{sibling_attribute} = {cls}(config)

    def forward(self, x):
        return self.{sibling_attribute}(x)
'''
        for i, cls in enumerate(siblings)
    )
    return f'''
from torch import nn
from heads import GenericClassifier
from backbones import Encoder, Decoder


class PreTrained(nn.Module):
    pass
{built}

class Classifier(GenericClassifier, PreTrained):
{rename}'''


def _steps(code: str) -> list[tuple[str, str, float | None]]:
    result = lint_snippet(code, files=(("heads.py", HEAD), ("backbones.py", BACKBONES), ("auto.py", "")))
    model = next(m for m in result.models if m.name == "Classifier")
    return [(p.layer.kind, p.layer.name, p.layer.rate.value if p.layer.rate else None) for p in model.layers]


def test_the_factory_built_attribute_is_the_class_the_family_builds_there():
    steps = _steps(_family("model", "Encoder"))
    assert steps == [
        ("weighted", "self.fc1", None),
        ("dropout", "self.drop", 0.25),
        ("weighted", "self.fc2", None),
        ("weighted", "self.score", None),
    ]


def test_the_attribute_is_named_as_the_class_itself_sets_the_class_attribute():
    # `backbone_name = "encoder"` in the subclass: getattr reads self.encoder, and the
    # family builds `model` as something else, which says nothing about `encoder`.
    steps = _steps(_family("encoder", "Encoder", renamed="encoder"))
    assert [kind for kind, _, _ in steps] == ["weighted", "dropout", "weighted", "weighted"]
    assert _opaque(_family("model", "Decoder", renamed="encoder"))


def test_a_family_that_builds_the_attribute_as_two_classes_leaves_it_opaque():
    assert _opaque(_family("model", "Encoder", "Decoder"))


def test_without_a_sibling_that_builds_it_the_step_stays_opaque():
    assert _opaque(_family("other", "Encoder"))


def _opaque(code: str) -> bool:
    result = lint_snippet(code, files=(("heads.py", HEAD), ("backbones.py", BACKBONES), ("auto.py", "")))
    model = next(m for m in result.models if m.name == "Classifier")
    kinds = [(p.layer.kind, p.layer.opaque) for p in model.layers]
    return kinds == [("other", "deep"), ("weighted", None)]


def test_a_subclass_of_a_sibling_refines_it_and_does_not_make_the_family_ambiguous():
    refined = _family("model", "Encoder") + '''

class Refined(Sibling0):
    def __init__(self, config):
        super().__init__(config)
        self.model = Decoder(config)
'''
    assert [rate for kind, _, rate in _steps(refined) if kind == "dropout"] == [0.25]
