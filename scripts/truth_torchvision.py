"""The torchvision models scripts/truth_torch.py runs: every classification, segmentation
and video model of `torchvision.models`, with random weights.

Each builder is called with `weights=None` (nothing is downloaded) and a small number of
classes; the record names the model's class (`resnet50` builds `ResNet`), which is what
droplint profiles.
"""

from __future__ import annotations

import inspect

import torch
import torchvision
from torchvision import models as zoo

PACKAGE = torchvision
# Module of builders, the input each family takes (batch of 2: batch norm trains on > 1).
FAMILIES = (
    (zoo, lambda: torch.randn(2, 3, 224, 224)),
    (zoo.segmentation, lambda: torch.randn(2, 3, 224, 224)),
    (zoo.video, lambda: torch.randn(2, 3, 8, 112, 112)),
)
# Builders whose own minimum input differs from their family's.
INPUTS = {"inception_v3": lambda: torch.randn(2, 3, 299, 299)}


def models():
    for module, make_input in FAMILIES:
        for name in zoo.list_models(module=module):
            yield name, lambda name=name, make_input=INPUTS.get(name, make_input): build(name, make_input)


def build(name: str, make_input):
    torch.manual_seed(0)
    options = {"weights": None, "num_classes": 10}
    if name in zoo.list_models(module=zoo.segmentation):
        options["weights_backbone"] = None
    model = zoo.get_model(name, **options)
    return model, {"x": make_input()} if _takes_x(model) else {"input": make_input()}, inspect.getsourcefile(type(model))


def _takes_x(model) -> bool:
    return "x" in inspect.signature(model.forward).parameters
