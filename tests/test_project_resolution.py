"""Projects as Python sees them: modules by import roots, imports followed, bases inherited.

The projects are fixtures/projects/, copied into a temporary folder and linted the way a
user would: a file, a folder, or the whole tree.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import FIXTURES
from droplint import follow
from droplint.modules import Layout, absolute, imported_names, module_of, project_root

PROJECTS = FIXTURES / "projects"


@pytest.fixture
def project(tmp_path):
    def copy(name: str):
        shutil.copytree(PROJECTS / name, tmp_path / name)
        return tmp_path / name

    return copy


def _findings(droplint, *paths, options=()):
    result = droplint("check", *paths, "--select", "ALL", "--format", "json", *options)
    assert result.exit_code in (0, 1), result.stderr
    return sorted((d["path"], d["line"], d["code"], d["model"]) for d in json.loads(result.stdout)["diagnostics"])


def _models(droplint, *paths, options=()):
    result = droplint("profile", *paths, "--format", "json", *options)
    return {(m["path"], m["name"]): m for m in json.loads(result.stdout)["models"]}


def _steps(model):
    return [(layer["kind"], layer["path"], layer["rate"]) for layer in model["layers"]]


# -- module names and roots ----------------------------------------------------------


def test_a_package_is_named_by_its_init_chain_and_rooted_above_it(write, tmp_path):
    write("pkg/__init__.py", "")
    write("pkg/sub/__init__.py", "")
    path = write("pkg/sub/m.py", "")
    assert module_of(str(path)) == module_of(str(path))
    assert (module_of(str(path)).name, module_of(str(path)).root) == ("pkg.sub.m", str(tmp_path))
    init = module_of(str(tmp_path / "pkg/sub/__init__.py"))
    assert (init.name, init.is_package) == ("pkg.sub", True)


def test_a_script_folder_is_its_own_root(write, tmp_path):
    path = write("exp_a/blocks.py", "")
    found = module_of(str(path))
    assert (found.name, found.root) == ("blocks", str(tmp_path / "exp_a"))


def test_a_declared_root_names_namespace_packages(write, tmp_path):
    path = write("lib/ns/layers.py", "")
    found = module_of(str(path), roots=(str(tmp_path / "lib"),))
    assert (found.name, found.root) == ("ns.layers", str(tmp_path / "lib"))


def test_relative_imports_count_folders_from_the_importing_module(tmp_path):
    in_package = module_of(str(tmp_path / "m.py"))
    assert absolute(in_package.__class__("pkg.sub.m", "/r"), ".blocks") == "pkg.sub.blocks"
    assert absolute(in_package.__class__("pkg.sub.m", "/r"), "..x.y") == "pkg.x.y"
    assert absolute(in_package.__class__("pkg.sub", "/r", is_package=True), ".blocks") == "pkg.sub.blocks"
    assert absolute(in_package.__class__("blocks", "/r"), ".other") == "other"  # a script folder
    assert absolute(in_package.__class__("pkg.m", "/r"), "...x") is None  # above the root


def test_imported_names_are_scanned_from_every_import_form():
    source = b"""
import torch.nn as nn, os
from . import blocks
from .heads import (
    Head,
    Tail as T,
)
from ..shared.layers import Block  # comment
if True:
    from pkg import Thing
"""
    assert imported_names(source) == (
        "torch.nn", "os", ".", ".blocks", ".heads", ".heads.Head", ".heads.Tail",
        "..shared.layers", "..shared.layers.Block", "pkg", "pkg.Thing",
    )


def test_an_import_lands_on_the_file_python_would_read(write, tmp_path):
    write("pkg/__init__.py", "from .blocks import Block\n")
    blocks = write("pkg/blocks.py", "")
    model = write("pkg/model.py", "")
    script = write("tools/run.py", "")
    write("tools/blocks.py", "")
    layout = Layout(str(tmp_path))
    assert layout.find(str(model), ".blocks.Block") == str(blocks)
    assert layout.find(str(model), "pkg.blocks.Block") == str(blocks)
    assert layout.find(str(model), "pkg.Block") == str(tmp_path / "pkg/__init__.py")
    # A script folder's own blocks.py, found first from the folder; the package from anywhere.
    assert layout.find(str(script), "blocks.Block") == str(tmp_path / "tools/blocks.py")
    assert layout.find(str(script), "pkg.blocks") == str(blocks)
    # Never another script folder, and never a library.
    assert layout.find(str(model), "blocks.Block") is None
    assert layout.find(str(model), "torch.nn.Linear") is None


def test_an_import_lands_on_a_file_never_on_a_folder_of_that_name(write, tmp_path):
    # Layout lists each folder once and answers from the listing: a folder named like a
    # module file is no module, a stub is one, and a package is its __init__.py.
    package = write("pkg/__init__.py", "")
    model = write("pkg/model.py", "")
    write("pkg/blocks.py/readme.txt", "")  # a folder called blocks.py
    stub = write("pkg/types.pyi", "")
    init = write("pkg/sub/__init__.py", "")
    layout = Layout(str(tmp_path))
    assert layout.find(str(model), ".blocks.Block") == str(package)  # the longest prefix that is a module
    assert layout.find(str(model), ".types.Kind") == str(stub)
    assert layout.find(str(model), ".sub.Block") == str(init)
    assert layout.find(str(model), "other.Block") is None


def test_a_file_is_named_the_same_with_and_without_the_folder_memo(write, tmp_path):
    # module_of keeps each folder's package chain for the next file of the folder.
    write("pkg/__init__.py", "")
    write("pkg/sub/__init__.py", "")
    files = [write("pkg/sub/a.py", ""), write("pkg/sub/b.py", ""), write("pkg/sub/__init__.py", ""),
             write("pkg/sub/not-an-identifier.py", ""), write("scripts/run.py", "")]
    chains: dict = {}
    for path in files:
        assert module_of(str(path), chains=chains) == module_of(str(path))
    assert module_of(str(files[0])).name == "pkg.sub.a"


def test_imports_are_never_followed_out_of_the_project(write, tmp_path):
    write("outside/blocks.py", "")
    model = write("project/model.py", "")
    os.symlink(tmp_path / "outside/blocks.py", tmp_path / "project/linked.py")
    layout = Layout(str(tmp_path / "project"), declared=(str(tmp_path / "outside"),))
    assert layout.find(str(model), "blocks") is None  # a declared root outside the project
    assert layout.find(str(model), "linked") is None  # a link that leads outside


def test_the_project_root_is_the_config_folder_else_the_repository_else_the_paths_roots(write, tmp_path):
    write("pkg/__init__.py", "")
    model = write("pkg/models/__init__.py", "")
    assert project_root(str(tmp_path / "cfg"), [str(model)]) == str(tmp_path / "cfg")
    assert project_root(None, [str(tmp_path / "pkg/models")]) == str(tmp_path)
    (tmp_path / "pkg" / ".git").mkdir()
    assert project_root(None, [str(tmp_path / "pkg/models")]) == str(tmp_path / "pkg")


# -- same-named modules under different roots ---------------------------------------------


def test_findings_of_one_experiment_do_not_depend_on_what_else_is_linted(droplint, project):
    project("experiments")
    in_a = [
        [f for f in _findings(droplint, *paths) if f[0].startswith("experiments/exp_a/")]
        for paths in (
            ("experiments/exp_a",),
            ("experiments/exp_a", "experiments/exp_b"),
            ("experiments/exp_b", "experiments/exp_a"),
            ("experiments",),
        )
    ]
    assert in_a[0] == [("experiments/exp_a/blocks.py", 13, "DL102", "Net")]
    assert all(found == in_a[0] for found in in_a)


def test_two_modules_of_one_name_are_two_models(droplint, project):
    project("experiments")
    models = _models(droplint, "experiments/exp_b", "experiments/exp_a")
    a, b = models["experiments/exp_a/train.py", "Net"], models["experiments/exp_b/train.py", "Net"]
    assert [s[:2] for s in _steps(a)][-2:] == [("weighted", "experiments/exp_a/blocks.py"), ("dropout", "experiments/exp_a/blocks.py")]
    assert [s[:2] for s in _steps(b)][-2:] == [("dropout", "experiments/exp_b/blocks.py"), ("weighted", "experiments/exp_b/blocks.py")]


def test_a_class_of_the_same_name_elsewhere_is_not_an_unresolved_import(droplint, project):
    project("unrelated")
    alone = _models(droplint, "unrelated/pkg")["unrelated/pkg/model.py", "Net"]
    together = _models(droplint, "unrelated/pkg", "unrelated/tools")["unrelated/pkg/model.py", "Net"]
    assert _steps(alone) == _steps(together)
    assert all(path == "unrelated/pkg/model.py" for _, path, _ in _steps(together))


# -- following imports -----------------------------------------------------------------------


def test_a_model_file_linted_alone_gives_the_same_findings_cold_warm_and_uncached(droplint, project):
    project("follow")
    whole = [f for f in _findings(droplint, "follow", options=("--no-cache",)) if f[0] == "follow/models/net.py"]
    assert [f[2] for f in whole] == ["DL103"]  # a hidden dropout above its band, not an output one
    cold = _findings(droplint, "follow/models/net.py")
    warm = _findings(droplint, "follow/models/net.py")
    uncached = _findings(droplint, "follow/models/net.py", options=("--no-cache",))
    assert cold == warm == uncached == whole


def test_a_followed_file_informs_the_model_and_reports_nothing(droplint, project):
    project("src_layout")
    models = _models(droplint, "src_layout/scripts/train.py", options=("--no-cache",))
    assert list(models) == [("src_layout/scripts/train.py", "Net")]
    net = models["src_layout/scripts/train.py", "Net"]
    # ShapeHead comes from src/, re-exported by the package's __init__.py.
    assert ("dropout", "src_layout/src/shapes/heads.py", 0.5) in _steps(net)
    # Its output dropout is found, but in a file that was not linted: not reported.
    assert _findings(droplint, "src_layout/scripts/train.py") == []
    assert ("src_layout/src/shapes/heads.py", 11, "DL102", "Net") in _findings(droplint, "src_layout")


def test_the_roots_setting_places_namespace_packages(droplint, project):
    folder = project("namespace")
    with_roots = _models(droplint, "namespace/app/model.py", options=("--no-cache",))
    net = with_roots["namespace/app/model.py", "Net"]
    assert ("dropout", "namespace/lib/ns/layers.py", 0.5) in _steps(net)
    (folder / "droplint.toml").unlink()
    without = _models(droplint, "namespace/app/model.py", options=("--no-cache",))
    assert all(path == "namespace/app/model.py" for _, path, _ in _steps(without["namespace/app/model.py", "Net"]))


def test_following_stops_at_the_file_limit(droplint, write, monkeypatch):
    write("pkg/__init__.py", "")
    for index in range(3):
        write(f"pkg/b{index}.py", f"from torch import nn\nfrom .b{index + 1} import B{index + 1}\n\n\n"
              f"class B{index}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              f"        self.inner = B{index + 1}()\n        self.drop = nn.Dropout(0.1)\n\n"
              f"    def forward(self, x):\n        return self.drop(self.inner(x))\n")
    write("pkg/b3.py", "from torch import nn\n\n\nclass B3(nn.Linear):\n    pass\n")

    def files_reached():
        b0 = _models(droplint, "pkg/b0.py", options=("--no-cache",))["pkg/b0.py", "B0"]
        return sorted({path for _, path, _ in _steps(b0)})

    assert files_reached() == ["pkg/b0.py", "pkg/b1.py", "pkg/b2.py"]  # b3's B3 is no model
    monkeypatch.setattr(follow, "MAX_FOLLOWED", 1)
    assert files_reached() == ["pkg/b0.py", "pkg/b1.py"]


# -- inheritance across files -----------------------------------------------------------------


INHERITANCE = "fixtures/torch/inheritance_pkg"


def test_a_model_inherits_its_layers_and_forward_from_a_base_in_another_file(droplint, fixtures_copy):
    models = _models(droplint, f"{INHERITANCE}/classifier.py", options=("--no-cache",))
    clf = models[f"{INHERITANCE}/classifier.py", "TextClassifier"]
    assert clf["root"] and clf["line"] == 9
    assert [s[0] for s in _steps(clf)] == ["weighted", "activation", "dropout", "weighted"]
    assert {s[1] for s in _steps(clf)} == {f"{INHERITANCE}/bases.py"}


def test_multiple_bases_resolve_in_c3_order(droplint, fixtures_copy):
    both = _models(droplint, f"{INHERITANCE}/diamond.py", options=("--no-cache",))[f"{INHERITANCE}/diamond.py", "Both"]
    # Right's forward (Left writes none), not Base's: a dropout on the input too.
    assert [s[0] for s in _steps(both)] == ["dropout", "weighted", "dropout", "weighted"]


def test_the_resolution_order_is_pythons_own():
    from droplint.analysis.inherit import Linearisation

    class O: ...
    class A(O): ...
    class B(O): ...
    class C(O): ...
    class D(O): ...
    class E(O): ...
    class K1(A, B, C): ...
    class K2(D, B, E): ...
    class K3(D, A): ...
    class Z(K1, K2, K3): ...

    classes = (O, A, B, C, D, E, K1, K2, K3, Z)
    bases = {cls.__name__: tuple(b.__name__ for b in cls.__bases__ if b is not object) for cls in classes}
    order = Linearisation(bases)
    assert order.mro("Z") == [cls.__name__ for cls in Z.__mro__ if cls is not object]
    # A hierarchy Python rejects (TypeError), and a cycle, have no order.
    assert Linearisation({"X": ("A", "B"), "Y": ("B", "A"), "W": ("X", "Y"), "A": (), "B": ()}).mro("W") is None
    assert Linearisation({"P": ("Q",), "Q": ("P",)}).mro("P") is None


def test_a_model_inherits_from_a_mixin_of_no_base(droplint, fixtures_copy):
    models = _models(droplint, f"{INHERITANCE}/mixin_head.py", options=("--no-cache",))
    tagger = models[f"{INHERITANCE}/mixin_head.py", "TokenTagger"]
    assert tagger["root"]
    assert [(s[0], s[2]) for s in _steps(tagger)] == [("weighted", None), ("dropout", 0.4), ("weighted", None)]
    # The mixin alone is no model: it is a module only through the class it is mixed into.
    whole = _models(droplint, INHERITANCE, options=("--no-cache",))
    assert not whole[f"{INHERITANCE}/bases.py", "GenericTokenHead"]["root"]


def test_a_class_that_only_renames_a_block_is_a_block(droplint, write):
    write("pkg/__init__.py", "")
    write("pkg/layers.py", "from torch import nn\n\n\nclass Mlp(nn.Module):\n    def __init__(self):\n"
          "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n        self.drop = nn.Dropout(0.1)\n\n"
          "    def forward(self, x):\n        return self.drop(self.fc(x))\n\n\n"
          "class Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.mlp = Mlp()\n\n"
          "    def forward(self, x):\n        return x + self.mlp(x)\n")
    write("pkg/other.py", "from .layers import Mlp\n\n\nclass OtherMlp(Mlp):\n    pass\n")
    models = _models(droplint, "pkg", options=("--no-cache",))
    assert not models["pkg/other.py", "OtherMlp"]["root"]
    # Judged only inside Block (a final-hidden dropout, not an output one).
    assert {(f[2], f[3]) for f in _findings(droplint, "pkg", options=("--no-cache",))} == {("DL105", "Block")}
