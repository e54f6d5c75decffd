"""action.yml: its shell steps, run with bash as GitHub runs them, on a copy of the fixtures.

Each `run:` script is taken from action.yml as written; the `${{ ... }}` expressions in
its `env:` are replaced with the values GitHub would give them. The install step really
installs droplint from this checkout, into a throwaway virtual environment that sees the
test environment's packages (so nothing but the build backend is fetched).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]


def _value(expression: str, inputs: dict) -> str:
    if expression == "github.action_path":
        return str(ROOT)
    if expression.startswith("inputs."):
        return inputs[expression[len("inputs."):]]
    raise AssertionError(f"the test does not know the expression {expression!r}")


def _defaults(**given) -> dict:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"action.yml has no inputs {unknown}"
    inputs.update(given)
    return inputs


def run_step(step: dict, inputs: dict, cwd: Path, path_prefix: Path, outputs: Path):
    """One `run:` step, as the runner runs a `shell: bash` step."""
    assert step["shell"] == "bash"
    assert "${{" not in step["run"], "inputs must reach scripts through env, not the script text"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    for name, value in step.get("env", {}).items():
        env[name] = EXPRESSION.sub(lambda m: _value(m.group(1), inputs), str(value))
    env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    env["GITHUB_OUTPUT"] = str(outputs)
    script = cwd.parent / f"step-{step.get('id', 'install')}.sh"
    script.write_text(step["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )


def _outputs(file: Path) -> dict:
    return dict(line.split("=", 1) for line in file.read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """A runner's Python with droplint installed by the action's install step."""
    home = tmp_path_factory.mktemp("runner")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # The test environment's packages (libcst, numpy, ...) stand in for a download.
    inner = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    outer |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)}
    Path(inner, "test-environment.pth").write_text("\n".join(sorted(outer)) + "\n")
    workspace = home / "workspace"
    workspace.mkdir()
    install = next(s for s in STEPS if s.get("name") == "Install droplint")
    done = run_step(install, _defaults(), workspace, venv / "bin", home / "install-output")
    assert done.returncode == 0, done.stdout + done.stderr
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import droplint; print(droplint.__file__)"],
        check=True, capture_output=True, text=True, cwd=home,
    ).stdout.strip()
    assert where.startswith(str(venv)), f"droplint was not installed into the runner's Python: {where}"
    return venv / "bin"


@pytest.fixture
def repository(tmp_path):
    """A checked-out repository: a copy of the fixtures, under git."""
    folder = tmp_path / "repo"
    shutil.copytree(FIXTURES, folder)
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    return folder


def check(runner, repository, **given):
    step = next(s for s in STEPS if s.get("id") == "check")
    outputs = repository.parent / "github-output"
    outputs.write_text("")
    done = run_step(step, _defaults(**given), repository, runner, outputs)
    return done, _outputs(outputs)


def test_action_is_a_composite_that_installs_from_its_own_ref():
    assert ACTION["runs"]["using"] == "composite"
    install = next(s for s in STEPS if s.get("name") == "Install droplint")
    assert install["env"]["DROPLINT_SOURCE"] == "${{ github.action_path }}"
    assert '-m pip install' in install["run"] and '"$DROPLINT_SOURCE"' in install["run"]
    assert {"paths", "args", "output"} <= set(ACTION["inputs"])
    assert "python-version" not in ACTION["inputs"]  # the caller's setup-python decides


def test_github_output_annotates_findings_and_fails(runner, repository):
    done, outputs = check(runner, repository)
    assert done.returncode == 1, done.stderr
    annotations = done.stdout.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations), annotations
    assert (
        "::error title=DL301 functional-dropout-always-on,file=basics/functional_always_on.py,"
        "line=15,col=13,endLine=15,endColumn=32::DL301 F.dropout() in TaggerHead.forward"
    ) in done.stdout
    assert outputs == {"exit-code": "1"}


def test_paths_and_args_inputs_reach_droplint(runner, repository):
    done, outputs = check(runner, repository, paths="basics torch/output_dropout.py", args="--select DL102,DL301")
    files = {re.search(r"file=([^,]+)", line).group(1) for line in done.stdout.splitlines()}
    codes = {re.search(r"title=(DL\d+)", line).group(1) for line in done.stdout.splitlines()}
    # suppressed.py silences DL301 only: its dropout on the output is still DL102.
    assert files == {"basics/functional_always_on.py", "basics/suppressed.py", "torch/output_dropout.py"}
    assert codes == {"DL301", "DL102"}
    assert outputs["exit-code"] == "1"


def test_clean_code_passes(runner, repository):
    done, outputs = check(runner, repository, paths="basics/clean_mlp.py")
    assert (done.returncode, done.stdout, outputs) == (0, "", {"exit-code": "0"})


def test_sarif_output_writes_a_valid_file_and_leaves_findings_to_code_scanning(runner, repository):
    done, outputs = check(runner, repository, output="sarif", **{"sarif-file": "out/droplint.sarif"})
    assert done.returncode == 0, done.stderr  # findings are code scanning's to report
    assert outputs == {"sarif-file": "out/droplint.sarif", "exit-code": "1"}
    document = json.loads((repository / "out" / "droplint.sarif").read_text())
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    elif os.environ.get("CI"):
        pytest.fail(f"the SARIF schema is missing at {SARIF_SCHEMA}")
    results = document["runs"][0]["results"]
    assert {"ruleId": "DL301", "uri": "basics/functional_always_on.py", "line": 15} in [
        {
            "ruleId": r["ruleId"],
            "uri": r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "line": r["locations"][0]["physicalLocation"]["region"]["startLine"],
        }
        for r in results
    ]


def test_sarif_upload_step_reads_the_file_the_check_wrote():
    upload = next(s for s in STEPS if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "inputs.output == 'sarif'" in upload["if"] and "inputs.upload == 'true'" in upload["if"]


def test_a_configuration_error_fails_in_either_output(runner, repository):
    (repository / "pyproject.toml").write_text('[tool.droplint]\nselec = ["DL3"]\n')
    for output in ("github", "sarif"):
        done, outputs = check(runner, repository, output=output)
        assert done.returncode == 2, (output, done.stdout, done.stderr)
        assert "selec" in done.stderr
        assert outputs["exit-code"] == "2"


def test_an_unknown_output_is_an_error(runner, repository):
    done, _ = check(runner, repository, output="text")
    assert done.returncode == 2
    assert "::error title=droplint::input 'output' must be github or sarif, not 'text'" in done.stdout
