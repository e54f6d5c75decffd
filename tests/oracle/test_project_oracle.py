"""The multi-file projects of fixtures/projects/, run for real and compared with droplint.

Each runnable model is imported as Python would run it: its script folder (or the folder
holding its package) first on `sys.path`, so `from blocks import Head` in one experiment
folder reads that folder's `blocks.py`. droplint, linting the whole project tree at once,
must give each model the blocks Python gives it: the same weighted layers and dropouts in
the same order, the same rates, the same positions.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import runtime_trace

from droplint import engine
from droplint.config import parse
from droplint.discover import discover

PROJECTS = Path(__file__).resolve().parents[2] / "fixtures" / "projects"
# (folder put on sys.path, module to import, file defining the model)
RUNNABLE = [
    ("experiments/exp_a", "train", "experiments/exp_a/train.py"),
    ("experiments/exp_b", "train", "experiments/exp_b/train.py"),
    ("follow", "models.net", "follow/models/net.py"),
]


@pytest.fixture(scope="module")
def static_models():
    targets, errors = discover([str(PROJECTS)], root=PROJECTS)
    result = engine.lint(targets, parse({}, root=PROJECTS), engine.Options(jobs=1, use_cache=False), errors, need_models=True)
    assert result.errors == []
    return {(Path(m.path).resolve(), m.name): m for m in result.models}


def _run(folder: str, module_name: str):
    """Import `module_name` with `folder` first on the path, in a clean module namespace."""
    names = {module_name.split(".")[0], "blocks", "train"}
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] in names}
    sys.path.insert(0, str(PROJECTS / folder))
    try:
        module = importlib.import_module(module_name)
        model, inputs = module.example()
        return type(model).__name__, runtime_trace.run(model, inputs, module.__file__)
    finally:
        sys.path.remove(str(PROJECTS / folder))
        for name in [n for n in sys.modules if n.split(".")[0] in names]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.mark.parametrize("folder,module_name,model_file", RUNNABLE, ids=[r[2] for r in RUNNABLE])
def test_each_model_gets_the_blocks_python_gives_it(static_models, folder, module_name, model_file):
    name, trace = _run(folder, module_name)
    model = static_models[(PROJECTS / model_file).resolve(), name]
    assert model.root
    layers = [p for p in model.layers if p.layer.kind in ("weighted", "dropout")]
    assert ["W" if p.layer.kind == "weighted" else "D" for p in layers] == [kind for kind, _ in trace.sequence()]
    dropouts = [p for p in layers if p.layer.kind == "dropout"]
    assert [p.layer.rate.value for p in dropouts] == pytest.approx([node.rate for node in trace.dropouts()])
    assert [(p.position, round(p.depth, 2)) for p in dropouts] == runtime_trace.positions(trace)
