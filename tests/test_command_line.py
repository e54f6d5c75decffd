"""The command line as a user runs it (issue 14): the real `python -m droplint` in a
subprocess, in a folder of its own, checking the exit status and the text the user sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from conftest import ALWAYS_ON, CLEAN

# DL101: input dropout above the band; the rate is written where the layer is built
# (line 7) and the finding is reported where it is applied (line 12).
HEAVY_INPUT = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.8)
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)

        def forward(self, x):
            x = self.fc1(self.drop(x)).relu()
            return self.fc2(x)
    """)

OUTPUT_DROPOUT = dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 10)
            self.out_drop = nn.Dropout(0.5)

        def forward(self, x):
            x = self.fc2(self.fc1(x).relu())
            return self.out_drop(x)
    """)


class Run:
    def __init__(self, completed: subprocess.CompletedProcess):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def project(tmp_path):
    return tmp_path


@pytest.fixture
def droplint(project):
    """`python -m droplint ARGS` in the project folder, as a user's shell runs it."""

    def run(*args, input: str | None = None, env: dict | None = None) -> Run:
        environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        environment.update(env or {})
        completed = subprocess.run(
            [sys.executable, "-m", "droplint", *args],
            cwd=project, input=input, capture_output=True, text=True, env=environment, timeout=300,
        )
        return Run(completed)

    return run


def write(project: Path, relative: str, text: str) -> Path:
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- wrong today, 1: an invalid pyproject.toml ---------------------------------------


def test_invalid_pyproject_stops_with_file_line_and_column(project, droplint):
    write(project, "pyproject.toml", "[project]\nname = 'x'\n[tool.droplint\nselect = ['DL1']\n")
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--no-cache")
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith(f"droplint: error: {project.resolve() / 'pyproject.toml'}:3:")
    assert "invalid TOML" in run.err


def test_invalid_pyproject_given_with_config_names_line_and_column(project, droplint):
    write(project, "ci/pyproject.toml", "[tool.droplint]\nselect = [\n")
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--config", "ci/pyproject.toml")
    assert run.code == 2
    assert "ci/pyproject.toml:3:1: invalid TOML" in run.err


# -- 2: --stdin-filename without "-" ----------------------------------------------------


def test_stdin_filename_alone_reads_stdin(project, droplint):
    write(project, "other.py", CLEAN)  # would be linted if the folder were
    run = droplint("check", "--stdin-filename", "models/net.py", "--no-cache", input=ALWAYS_ON)
    assert run.code == 1
    assert run.lines[0].startswith("models/net.py:7:16: DL301 [*] [functional-dropout-always-on]")
    assert run.lines[-1] == "Found 1 finding (1 error) in 1 file. 1 fixable with --fix."


def test_stdin_filename_with_paths_is_a_usage_error(project, droplint):
    run = droplint("check", "--stdin-filename", "net.py", "models/", input=ALWAYS_ON)
    assert run.code == 2
    assert "--stdin-filename reads the source from stdin" in run.err


# -- 3: nothing checked is not "All checks passed" -------------------------------------


def test_missing_path_is_not_all_checks_passed(project, droplint):
    run = droplint("check", "nope/", "--no-cache")
    assert run.code == 1
    assert run.lines == [
        "nope/: error: no such file or directory",
        "Nothing was checked. 1 path could not be checked: see the error above.",
    ]


def test_unreadable_file_next_to_a_clean_one(project, droplint):
    write(project, "net.py", CLEAN)
    (project / "blob.py").write_bytes(b"drop = nn.Dropout(0.5)\x00\x01")
    run = droplint("check", "--no-cache")
    assert run.code == 1
    assert run.lines == [
        "blob.py: error: binary file (contains NUL bytes); skipped",
        "No findings in the 1 file checked. 1 path could not be checked: see the error above.",
    ]


# -- 4: syntax errors have a place -----------------------------------------------------


def test_syntax_error_is_path_line_column(project, droplint):
    write(project, "broken.py", "import torch\n\nx = nn.Dropout(0.5\ny = (\n")
    run = droplint("check", "broken.py", "--no-cache")
    assert run.code == 1
    assert run.lines[0].startswith("broken.py:3:")
    assert ": error: cannot parse: " in run.lines[0]
    assert "(line" not in run.lines[0]


def test_syntax_error_github_annotation_has_line(project, droplint):
    write(project, "broken.py", "import torch\ndef dropout(:\n")
    run = droplint("check", "broken.py", "--no-cache", "--output-format", "github")
    assert run.code == 1
    assert run.out.strip() == "::error file=broken.py,line=2,col=13,title=droplint::cannot parse: invalid syntax"


def test_syntax_error_json_keeps_its_place_in_the_message(project, droplint):
    write(project, "broken.py", "import torch\ndef dropout(:\n")
    run = droplint("check", "broken.py", "--no-cache", "--format", "json")
    assert json.loads(run.out)["errors"] == [
        {"path": "broken.py", "message": "cannot parse: invalid syntax (line 2, column 13)"}
    ]


def test_profile_of_a_broken_file_exits_one(project, droplint):
    write(project, "broken.py", "import torch\ndef dropout(:\n")
    run = droplint("profile", "broken.py", "--no-cache")
    assert run.code == 1
    assert "broken.py:2:13: error: cannot parse: invalid syntax" in run.err


# -- 5: noqa on the line that builds the dropout ----------------------------------------


@pytest.mark.parametrize("line", [7, 12], ids=["built", "applied"])
def test_noqa_on_either_line_silences_the_finding(project, droplint, line):
    lines = HEAVY_INPUT.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  # noqa: DL101\n"
    write(project, "net.py", "".join(lines))
    assert droplint("check", "net.py", "--no-cache").lines == ["All checks passed (1 file)."]


def test_noqa_for_another_code_on_the_building_line_does_not(project, droplint):
    write(project, "net.py", HEAVY_INPUT.replace("nn.Dropout(0.8)", "nn.Dropout(0.8)  # noqa: DL102"))
    run = droplint("check", "net.py", "--no-cache")
    assert run.code == 1
    assert run.lines[0].startswith("net.py:12:22: DL101 [heavy-input-dropout]")


# -- 6: per-file-ignores names the entry --------------------------------------------------


def test_bad_per_file_ignores_entry_is_named(project, droplint):
    write(project, "pyproject.toml", '[tool.droplint.per-file-ignores]\n"tests/*.py" = "DL301"\n')
    write(project, "net.py", CLEAN)
    run = droplint("check", "net.py")
    assert run.code == 2
    assert """'per-file-ignores."tests/*.py"' must be a list of rule codes, not 'DL301'""" in run.err


def test_unknown_code_in_a_per_file_ignores_entry_is_named(project, droplint):
    write(project, "pyproject.toml", '[tool.droplint.per-file-ignores]\n"tests/*.py" = ["DL999"]\n')
    write(project, "net.py", CLEAN)
    run = droplint("check", "net.py")
    assert run.code == 2
    assert """'per-file-ignores."tests/*.py"' names unknown rule code 'DL999'""" in run.err


# -- 7: --statistics prints the table only ----------------------------------------------


def test_statistics_prints_only_the_table(project, droplint):
    write(project, "a.py", ALWAYS_ON)
    write(project, "b.py", ALWAYS_ON + "\ndrop = nn.Dropout(2)\n")
    run = droplint("check", "--no-cache", "--statistics")
    assert run.code == 1
    assert run.lines == [
        "    2  DL301  [*] functional-dropout-always-on",
        "    1  DL201      invalid-rate",
    ]


# -- 9: DL102's fix takes the orphaned construction with it ------------------------------


def test_output_dropout_fix_removes_its_construction(project, droplint):
    path = write(project, "net.py", OUTPUT_DROPOUT)
    run = droplint("check", "net.py", "--no-cache", "--fix", "--unsafe-fixes")
    assert run.code == 0, run.out
    assert run.lines[-1] == "Fixed 1 finding."
    assert path.read_text() == OUTPUT_DROPOUT.replace("        self.out_drop = nn.Dropout(0.5)\n", "").replace(
        "return self.out_drop(x)", "return x"
    )


def test_output_dropout_used_elsewhere_keeps_its_construction(project, droplint):
    shared = OUTPUT_DROPOUT.replace("x = self.fc2(self.fc1(x).relu())", "x = self.fc2(self.out_drop(self.fc1(x).relu()))")
    path = write(project, "net.py", shared)
    droplint("check", "net.py", "--no-cache", "--fix", "--unsafe-fixes")
    fixed = path.read_text()
    assert "self.out_drop = nn.Dropout(0.5)" in fixed and "return x\n" in fixed


# -- 10: the reference is visible --------------------------------------------------------


@pytest.mark.parametrize("code", ["DL401", "DL402", "DL403", "DL404", "DL405", "DL406"])
def test_handrolled_rule_shows_the_reference_next_to_the_fix(droplint, code):
    run = droplint("rule", code)
    assert run.code == 0
    fix_safety = run.out.index("## Fix safety")
    section = run.out.index("## Reference implementation")
    assert fix_safety < section < run.out.index("## Options")
    assert "training:  x * mask / keep" in run.out
    assert "def inverted_dropout(x, p, *, training=True, rng=None):" in run.out


def test_reference_command_prints_the_module_and_a_usage_example(droplint):
    run = droplint("reference")
    assert run.code == 0
    assert "from droplint.reference import inverted_dropout" in run.out
    assert "def inverted_dropout(x, p, *, training=True, rng=None):" in run.out
    assert "def classic_dropout(" in run.out


def test_handrolled_messages_point_to_the_reference_command(project, droplint):
    write(project, "drop.py", (Path(__file__).parents[1] / "fixtures/handrolled/numpy_unscaled.py").read_text())
    run = droplint("check", "drop.py", "--no-cache")
    assert "as in droplint.reference" not in run.out
    assert "(`droplint reference` prints it): `x * mask / (1 - p)` in training and `x` at inference" in run.out


# -- missing: output formats -------------------------------------------------------------


def test_output_format_and_its_format_alias_agree(project, droplint):
    write(project, "net.py", ALWAYS_ON)
    long = droplint("check", "net.py", "--no-cache", "--output-format", "json")
    short = droplint("check", "net.py", "--no-cache", "--format", "json")
    assert long.code == short.code == 1
    assert json.loads(long.out) == json.loads(short.out)
    assert json.loads(long.out)["diagnostics"][0]["code"] == "DL301"


def test_concise_is_the_default_off_a_terminal_and_marks_fixable(project, droplint):
    write(project, "net.py", ALWAYS_ON + "\ndrop = nn.Dropout(2)\n")
    run = droplint("check", "net.py", "--no-cache")
    assert run.out == droplint("check", "net.py", "--no-cache", "--output-format", "concise").out
    assert [line.split(" [")[0] for line in run.lines[:2]] == ["net.py:7:16: DL301", "net.py:9:19: DL201"]
    assert run.lines[0].startswith("net.py:7:16: DL301 [*] [functional-dropout-always-on] ")
    assert run.lines[1].startswith("net.py:9:19: DL201 [invalid-rate] ")


def test_full_shows_the_source_line_a_caret_and_the_fix(project, droplint):
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--no-cache", "--output-format", "full")
    assert run.code == 1
    assert run.lines[1:9] == [
        "  |",
        "7 |         return F.dropout(x, 0.5)",
        "  |                ^^^^^^^^^^^^^^^^^ DL301",
        "  |",
        "  = fix (safe): Add `training=self.training`",
        "7 -         return F.dropout(x, 0.5)",
        "7 +         return F.dropout(x, 0.5, training=self.training)",
        "",
    ]


def test_full_is_the_default_on_a_terminal(project):
    import pty

    write(project, "net.py", ALWAYS_ON)
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment["NO_COLOR"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "droplint", "check", "net.py", "--no-cache"],
        cwd=project, stdout=follower, stderr=follower, env=environment,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=300) == 1
    os.close(leader)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert "7 |         return F.dropout(x, 0.5)\n" in shown
    assert "^^^^^^^^^^^^^^^^^ DL301" in shown
    assert "\x1b[" not in shown  # NO_COLOR


@pytest.mark.parametrize(
    "option,env,coloured",
    [
        ("always", {"NO_COLOR": "1"}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {}, False),  # not a terminal
    ],
)
def test_color_option_and_environment(project, droplint, option, env, coloured):
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--no-cache", "--color", option, env=env)
    assert ("\x1b[" in run.out) is coloured


# -- missing: fix modes -----------------------------------------------------------------


def test_show_fixes_lists_what_was_fixed(project, droplint):
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--no-cache", "--fix", "--show-fixes")
    assert run.code == 0
    assert run.lines == [
        "Fixed 1 finding:",
        "- net.py:",
        "    1 × DL301 (functional-dropout-always-on)",
        "Fixed 1 finding.",
    ]


def test_fix_only_reports_no_findings_left_and_exits_zero(project, droplint):
    path = write(project, "net.py", ALWAYS_ON + "\ndrop = nn.Dropout(2)\n")
    run = droplint("check", "net.py", "--no-cache", "--fix-only")
    assert run.code == 0
    assert run.lines == ["Fixed 1 finding."]
    assert "training=self.training" in path.read_text()
    assert droplint("check", "net.py", "--no-cache").code == 1  # DL201 is still there


def test_exit_non_zero_on_fix(project, droplint):
    write(project, "net.py", ALWAYS_ON)
    assert droplint("check", "net.py", "--no-cache", "--fix", "--exit-non-zero-on-fix").code == 1
    # Nothing left to fix: exit 0.
    assert droplint("check", "net.py", "--no-cache", "--fix", "--exit-non-zero-on-fix").code == 0


def test_quiet_prints_findings_without_a_summary(project, droplint):
    write(project, "net.py", ALWAYS_ON)
    run = droplint("check", "net.py", "--no-cache", "--quiet")
    assert run.code == 1
    assert len(run.lines) == 1 and run.lines[0].startswith("net.py:7:16: DL301")
    write(project, "net.py", CLEAN)
    assert droplint("check", "net.py", "--no-cache", "-q").out == ""


def test_show_settings(project, droplint):
    write(project, "pyproject.toml", '[tool.droplint]\nignore = ["DL301"]\nextend-select = ["DL105"]\n')
    run = droplint("check", "--show-settings", "--select", "DL1,DL3")
    assert run.code == 0
    assert f"config file: {project.resolve() / 'pyproject.toml'}" in run.lines
    assert 'select = ["DL1", "DL3"]' in run.lines
    assert 'ignore = ["DL301"]' in run.lines
    enabled = next(line for line in run.lines if line.startswith("enabled rules: ")).split()[2:]
    assert "DL105" in enabled and "DL301" not in enabled and "DL302" in enabled and "DL201" not in enabled


def test_show_files(project, droplint):
    write(project, "pyproject.toml", '[tool.droplint]\nexclude = ["legacy/"]\n')
    write(project, "b.py", CLEAN)
    write(project, "a/net.py", CLEAN)
    write(project, "legacy/old.py", CLEAN)
    write(project, "notes.txt", "x")
    run = droplint("check", "--show-files")
    assert run.code == 0
    assert run.lines == ["a/net.py", "b.py"]


# -- missing: --add-noqa -------------------------------------------------------------------


def test_add_noqa_silences_every_finding_keeps_comments_and_is_idempotent(project, droplint):
    text = ALWAYS_ON.replace(
        "        return F.dropout(x, 0.5)\n",
        "        a = F.dropout(x, 0.5)  # noqa: DL302\n"
        "        b = F.dropout(x, 0.5)  # keep: Monte Carlo\n"
        "        return F.dropout(a + b, 0.5)\n",
    ) + "\nrates = nn.Dropout(2), nn.Dropout(3)\n"
    path = write(project, "net.py", text)
    first = droplint("check", "--no-cache", "--add-noqa")
    assert first.code == 0, first.err
    assert first.lines == ["Added 4 noqa directives in 1 file."]
    written = path.read_text()
    assert written.splitlines()[6:9] == [
        "        a = F.dropout(x, 0.5)  # noqa: DL302, DL301",
        "        b = F.dropout(x, 0.5)  # keep: Monte Carlo  # noqa: DL301",
        "        return F.dropout(a + b, 0.5)  # noqa: DL301",
    ]
    assert written.splitlines()[-1] == "rates = nn.Dropout(2), nn.Dropout(3)  # noqa: DL201"
    assert droplint("check", "--no-cache").lines == ["All checks passed (1 file)."]
    second = droplint("check", "--no-cache", "--add-noqa")
    assert second.lines == ["Added 0 noqa directives in 0 files."]
    assert path.read_text() == written


def test_add_noqa_leaves_a_line_inside_a_string_alone(project, droplint):
    text = 'import torch.nn as nn\nx = nn.Dropout(2) if """\n""" else None\n'
    path = write(project, "net.py", text)
    run = droplint("check", "--no-cache", "--add-noqa")
    assert "net.py:2: cannot take a comment" in run.err
    assert run.code == 1
    assert path.read_text() == text


# -- missing: configuration --------------------------------------------------------------


def test_extend_reads_a_base_relative_to_the_file(project, droplint):
    write(project, "base/droplint.toml", 'ignore = ["DL301"]\nextend-exclude = ["legacy/"]\n')
    write(project, "pyproject.toml", '[tool.droplint]\nextend = "base/droplint.toml"\nextend-ignore = ["DL201"]\n')
    write(project, "net.py", ALWAYS_ON + "\ndrop = nn.Dropout(2)\n")
    write(project, "legacy/old.py", ALWAYS_ON)
    assert droplint("check", "--no-cache").lines == ["All checks passed (1 file)."]
    settings = droplint("check", "--show-settings").lines
    assert f"extends: {project / 'base/droplint.toml'}" in settings
    assert 'ignore = ["DL301", "DL201"]' in settings


def test_extend_cycle_is_an_error(project, droplint):
    write(project, "a.toml", 'extend = "b.toml"\n')
    write(project, "b.toml", 'extend = "a.toml"\n')
    write(project, "net.py", CLEAN)
    run = droplint("check", "net.py", "--config", "a.toml")
    assert run.code == 2
    assert "'extend' makes a cycle" in run.err and "a.toml -> " in run.err


def test_extend_names_a_missing_file(project, droplint):
    write(project, "droplint.toml", 'extend = "nowhere.toml"\n')
    write(project, "net.py", CLEAN)
    run = droplint("check", "net.py")
    assert run.code == 2
    assert "'extend' names 'nowhere.toml', which is not a file" in run.err


def test_config_option_reads_the_tool_table_of_a_pyproject(project, droplint):
    write(project, "ci/pyproject.toml", '[project]\nname = "x"\n[tool.droplint]\nignore = ["DL301"]\n')
    write(project, "net.py", ALWAYS_ON)
    assert droplint("check", "net.py", "--no-cache", "--config", "ci/pyproject.toml").code == 0
    write(project, "ci/pyproject.toml", '[tool.droplint]\nselekt = ["DL1"]\n')
    run = droplint("check", "net.py", "--config", "ci/pyproject.toml")
    assert run.code == 2 and "ci/pyproject.toml: unknown key 'selekt'" in run.err
    write(project, "ci/pyproject.toml", '[project]\nname = "x"\n')
    run = droplint("check", "net.py", "--config", "ci/pyproject.toml")
    assert run.code == 2 and "has no [tool.droplint] table" in run.err


# -- missing: init -------------------------------------------------------------------------


def test_init_creates_a_pyproject_with_a_commented_block(project, droplint):
    run = droplint("init")
    assert run.code == 0
    text = (project / "pyproject.toml").read_text()
    assert text.startswith("[tool.droplint]\n# ")
    assert "# select = [" in text and '# extend-select = []' in text
    write(project, "net.py", ALWAYS_ON)
    assert droplint("check", "--show-settings").lines[0] == f"config file: {project.resolve() / 'pyproject.toml'}"
    assert droplint("check", "--no-cache").code == 1  # the defaults: nothing is turned off


def test_init_appends_to_a_pyproject_and_never_overwrites(project, droplint):
    original = '[project]\nname = "demo"\n'
    write(project, "pyproject.toml", original)
    assert droplint("init").code == 0
    text = (project / "pyproject.toml").read_text()
    assert text.startswith(original + "\n[tool.droplint]\n")
    again = droplint("init")
    assert again.code == 2
    assert "already has a [tool.droplint] table; nothing written" in again.err
    assert (project / "pyproject.toml").read_text() == text


def test_init_refuses_an_invalid_pyproject(project, droplint):
    write(project, "pyproject.toml", "[project\n")
    run = droplint("init")
    assert run.code == 2
    assert "pyproject.toml:1:" in run.err and "nothing written" in run.err
    assert (project / "pyproject.toml").read_text() == "[project\n"


def test_noqa_on_the_construction_of_an_output_dropout(project, droplint):
    write(project, "net.py", OUTPUT_DROPOUT.replace("nn.Dropout(0.5)", "nn.Dropout(0.5)  # noqa: DL102"))
    assert droplint("check", "net.py", "--no-cache").lines == ["All checks passed (1 file)."]
    write(project, "net.py", OUTPUT_DROPOUT.replace("self.fc2 = nn.Linear(256, 10)", "self.fc2 = nn.Linear(256, 10)  # noqa: DL102"))
    assert droplint("check", "net.py", "--no-cache").code == 1  # a neighbouring line does not count


def test_full_style_escapes_control_characters_of_the_source(project, droplint):
    # The source line is the repository's text: an escape sequence in it must not reach
    # the terminal raw (report/escape.py), and the caret still lines up.
    text = ALWAYS_ON.replace("return F.dropout(x, 0.5)", 'return F.dropout(x, 0.5), "\x1b]52;c;"')
    write(project, "net.py", text)
    run = droplint("check", "net.py", "--no-cache", "--output-format", "full")
    assert "\x1b" not in run.out
    assert '7 |         return F.dropout(x, 0.5), "\\x1b]52;c;"' in run.lines
    assert "  |                ^^^^^^^^^^^^^^^^^ DL301" in run.lines
