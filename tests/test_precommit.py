"""The real pre-commit, in a throwaway repository whose config points at this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ALWAYS_ON, CLEAN, ROOT


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    if not (ROOT / ".git").exists():
        pytest.fail("the pre-commit test needs droplint as a git checkout")
    folder = tmp_path_factory.mktemp("project")
    _git(folder, "init", "-q")
    _git(folder, "config", "user.email", "test@example.com")
    _git(folder, "config", "user.name", "test")
    revision = _git(ROOT, "rev-parse", "HEAD")
    (folder / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {revision}\n  hooks:\n  - id: droplint\n"
    )
    return folder


def _pre_commit(project: Path, tmp_path_factory, *files: str):
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.getbasetemp() / "pre-commit-home")
    env.pop("PYTHONPATH", None)
    executable = shutil.which("pre-commit") or f"{sys.executable} -m pre_commit"
    command = [*executable.split(), "run", "droplint", "--files", *files]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_pre_commit_fails_on_a_bad_model_file(project, tmp_path_factory):
    (project / "bad_model.py").write_text(ALWAYS_ON)
    _git(project, "add", "bad_model.py")
    completed = _pre_commit(project, tmp_path_factory, "bad_model.py")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Failed" in completed.stdout
    assert "bad_model.py:7:16: DL301 [*] [functional-dropout-always-on]" in completed.stdout


def test_pre_commit_passes_on_a_clean_model_file(project, tmp_path_factory):
    (project / "clean_model.py").write_text(CLEAN)
    _git(project, "add", "clean_model.py")
    completed = _pre_commit(project, tmp_path_factory, "clean_model.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Passed" in completed.stdout
