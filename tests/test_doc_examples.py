"""The examples of README.md and docs/ run as written.

Convention: a ```` ```sh ```` block whose first line starts with `droplint` is a list of
examples. Each non-blank line that is not a comment is one command followed by
`# exits N` (and any words after it); the test runs it with bash from a fresh copy of
`fixtures/` (so paths read as they do from the repository's root) and checks the status.
A `droplint` line without `# exits N` fails: an example must say what it does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXITS = re.compile(r"#\s*exits\s+(\d+)\b")


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _examples() -> list[tuple[str, int, str, int]]:
    """(document, line number, command, expected status) of every example line."""
    found = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        for block in _BLOCK.finditer(text):
            body = block.group(1)
            if not body.lstrip().startswith("droplint"):
                continue
            first_line = text.count("\n", 0, block.start(1)) + 1
            for offset, line in enumerate(body.splitlines()):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                status = _EXITS.search(line)
                command = line[: status.start()].strip() if status else line.strip()
                found.append((document.name, first_line + offset, command, int(status.group(1)) if status else -1))
    return found


EXAMPLES = _examples()


def test_the_documents_have_examples():
    assert len(EXAMPLES) >= 10
    assert all(command.startswith("droplint ") or command == "droplint" for _, _, command, _ in EXAMPLES)


@pytest.mark.parametrize(
    "document,line,command,status", EXAMPLES, ids=[f"{d}:{n}" for d, n, _, _ in EXAMPLES]
)
def test_example_exits_as_documented(tmp_path, document, line, command, status):
    assert status >= 0, f"{document}:{line}: `{command}` does not say `# exits N`"
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    # `droplint` is the console script installed next to this Python.
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    completed = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == status, (
        f"{document}:{line}: `{command}` exited {completed.returncode}, documented {status}\n"
        f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
    )
    assert "Traceback" not in completed.stderr


def test_readme_configuration_block_is_a_valid_configuration(tmp_path):
    # README's [tool.droplint] example, as written, in a pyproject.toml; the base file its
    # `extend` names is created empty, as a user's would exist.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[tool\.droplint\].*?)```", readme, re.DOTALL).group(1)
    base = re.search(r'^extend = "([^"]+)"', block, re.MULTILINE).group(1)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(block, encoding="utf-8")
    (project / base).parent.mkdir(parents=True, exist_ok=True)
    (project / base).write_text("", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "droplint", "check", "--show-settings"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert 'ignore = ["DL302", "DL205"]' in completed.stdout.splitlines()
