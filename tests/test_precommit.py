"""The real pre-commit, in a throwaway repository, configured with README's snippet.

The snippet is taken from README.md as written; only its `repo` (the public URL) and its
`REVISION` placeholder are replaced, by this checkout and its commit.
"""

from __future__ import annotations

import os
import re
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


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### pre-commit", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)


def test_readme_snippet_names_the_hooks_this_repository_defines():
    import yaml

    snippet = yaml.safe_load(readme_snippet())
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = snippet["repos"]
    assert repo["rev"] == "REVISION"
    assert [hook["id"] for hook in repo["hooks"]] == ["droplint"]
    assert {"droplint", "droplint-fix"} <= hooks  # the snippet's comment names droplint-fix too


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    if not (ROOT / ".git").exists():
        pytest.fail("the pre-commit test needs droplint as a git checkout")
    folder = tmp_path_factory.mktemp("project")
    _git(folder, "init", "-q")
    _git(folder, "config", "user.email", "test@example.com")
    _git(folder, "config", "user.name", "test")
    revision = _git(ROOT, "rev-parse", "HEAD")
    snippet = readme_snippet()
    config = re.sub(r"repo: \S+", f"repo: {ROOT}", snippet, count=1).replace("REVISION", revision)
    assert config != snippet and revision in config
    (folder / ".pre-commit-config.yaml").write_text(config)
    return folder


def _pre_commit(project: Path, tmp_path_factory, *files: str, hook: str = "droplint"):
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.getbasetemp() / "pre-commit-home")
    env.pop("PYTHONPATH", None)
    executable = shutil.which("pre-commit") or f"{sys.executable} -m pre_commit"
    command = [*executable.split(), "run", hook, "--files", *files]
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


def test_pre_commit_validates_the_snippet(project, tmp_path_factory):
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path_factory.getbasetemp() / "pre-commit-home"))
    executable = shutil.which("pre-commit") or f"{sys.executable} -m pre_commit"
    completed = subprocess.run([*executable.split(), "validate-config", ".pre-commit-config.yaml"],
                               cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_fix_hook_named_in_the_snippet_fixes(project, tmp_path_factory):
    config = project / ".pre-commit-config.yaml"
    original = config.read_text()
    config.write_text(original.replace("- id: droplint ", "- id: droplint-fix "))
    try:
        (project / "fixable.py").write_text(ALWAYS_ON)
        _git(project, "add", "fixable.py")
        completed = _pre_commit(project, tmp_path_factory, "fixable.py", hook="droplint-fix")
    finally:
        config.write_text(original)
    assert completed.returncode == 1  # pre-commit fails a hook that changed files
    assert "training=self.training" in (project / "fixable.py").read_text()
