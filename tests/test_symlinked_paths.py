"""The same files give the same findings however the path to them is spelt.

A project is linted where it really is, then through every other spelling a user or a
script may give: an absolute path, `./` prefixes, a folder of another checkout that is a
symbolic link to it (as `bench/.cache` may be), its files named one by one through that
link (as scripts/check_wheels.py names them), and a symbolic link to the whole checkout.
Findings are compared with their paths made relative to the project's folder as spelt.

`split` is the case that broke: its model's block lives in a file the closure reads
only by following the model's import (fixtures/projects/README.md).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from droplint.modules import Layout, module_of, project_root

PROJECTS = ("split", "follow", "src_layout", "namespace", "experiments", "unrelated")


@pytest.fixture
def checkouts(tmp_path):
    """main/ (a repository holding the projects in vendor/), wt/ (another repository
    whose vendor/ is a link to main's), alias (a link to main)."""
    main = tmp_path / "main"
    (main / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "projects", main / "vendor")
    (tmp_path / "wt" / ".git").mkdir(parents=True)
    (tmp_path / "wt" / "vendor").symlink_to(main / "vendor", target_is_directory=True)
    (tmp_path / "alias").symlink_to(main, target_is_directory=True)
    return tmp_path


def _findings(droplint, folder: Path, args: list[str], spelt: str) -> list[tuple]:
    """(path under the project, line, column, code, model, message) of every finding."""
    droplint.folder = folder
    result = droplint("check", "--select", "ALL", "--no-cache", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    prefix = os.path.normpath(spelt)
    found = []
    for d in report["diagnostics"]:
        path = os.path.normpath(d["path"])
        assert prefix == "." or path.startswith(prefix + os.sep), (path, prefix)
        found.append((os.path.relpath(path, prefix), d["line"], d["column"], d["code"], d["model"], d["message"]))
    return sorted(found)


def _spellings(base: Path, name: str):
    """(working folder, arguments, the project's folder as the arguments spell it)."""
    real = base / "main" / "vendor" / name
    linked = Path("vendor") / name
    files = sorted(str(p.relative_to(base / "wt")) for p in (base / "wt" / linked).rglob("*.py"))
    return {
        "absolute": (base, [str(real)], str(real)),
        "dot prefixes": (base / "main", [f"./vendor/./{name}"], f"./vendor/./{name}"),
        "a linked folder of another checkout": (base / "wt", [str(linked)], str(linked)),
        "its files named through the link": (base / "wt", files, str(linked)),
        "absolute through the link": (base, [str(base / "wt" / linked)], str(base / "wt" / linked)),
        "a linked checkout": (base, [f"alias/vendor/{name}"], f"alias/vendor/{name}"),
    }


@pytest.mark.parametrize("name", PROJECTS)
def test_findings_do_not_depend_on_how_the_path_is_spelt(droplint, checkouts, name):
    real = checkouts / "main" / "vendor" / name
    expected = _findings(droplint, real, ["."], ".")
    if name == "split":  # the block is read by following the import: the dropout is input
        assert [(f[0], f[3]) for f in expected] == [(os.path.join("vision", "net.py"), "DL101")]
    differ = [spelling for spelling, (folder, args, spelt) in _spellings(checkouts, name).items()
              if _findings(droplint, folder, args, spelt) != expected]
    assert differ == []


def test_a_model_file_named_through_a_linked_folder_still_reads_its_block(droplint, checkouts):
    """pre-commit's way: only the changed model file is named."""
    net = os.path.join("vendor", "split", "vision", "net.py")
    expected = _findings(droplint, checkouts / "main", [net], "vendor/split")
    assert [f[3] for f in expected] == ["DL101"]
    assert _findings(droplint, checkouts / "wt", [net], "vendor/split") == expected


FORCED_ON = """import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(F.dropout(x, 0.2, training=True))
"""


def test_test_code_is_judged_below_the_repository(droplint, write, tmp_path):
    """A checkout that sits in a folder named `tests` is not test code: DL302 (which
    test files are spared) fires however the path is spelt, and not in the checkout's
    own tests/ folder."""
    repo = tmp_path / "tests" / "repo"
    (repo / ".git").mkdir(parents=True)
    write("tests/repo/model.py", FORCED_ON)
    write("tests/repo/tests/model.py", FORCED_ON)
    (tmp_path / "alias").symlink_to(repo, target_is_directory=True)
    spellings = [
        (repo, ["model.py", "tests/model.py"]),
        (tmp_path, [str(repo / "model.py"), str(repo / "tests/model.py")]),
        (tmp_path, ["alias/model.py", "alias/tests/model.py"]),
    ]
    for folder, args in spellings:
        droplint.folder = folder
        _, report = droplint.json("check", "--no-cache", *args)
        assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [(args[0], "DL302")]


def test_a_link_out_of_the_project_is_never_followed_however_the_project_is_reached(write, tmp_path):
    write("outside/blocks.py", "")
    write("repo/pkg/__init__.py", "")
    write("repo/pkg/inner.py", "")
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / "pkg" / "linked.py").symlink_to(tmp_path / "outside" / "blocks.py")
    (tmp_path / "repo" / "pkg" / "alias.py").symlink_to(tmp_path / "repo" / "pkg" / "inner.py")
    (tmp_path / "checkout").symlink_to(tmp_path / "repo", target_is_directory=True)
    for base in (tmp_path / "repo", tmp_path / "checkout"):
        model = write(f"{base.name}/pkg/model.py", "")
        layout = Layout(project_root(None, [str(model)]))
        assert layout.project == str(tmp_path / "repo")
        # A link out of the repository is no module (the package's __init__.py is all
        # that is left); a link inside it is.
        assert layout.find(str(model), ".linked") == str(tmp_path / "repo/pkg/__init__.py")
        assert layout.find(str(model), ".alias") == str(tmp_path / "repo/pkg/alias.py")
        assert layout.module(str(model)) == module_of(str(tmp_path / "repo/pkg/model.py"))
