"""`droplint check`: exit codes, selection, formats, suppression, as a user sees them."""

from __future__ import annotations

from conftest import ALWAYS_ON, CLEAN

BAD_RATE = "from torch import nn\ndrop = nn.Dropout(256)\n"


def test_clean_file_exits_zero_with_a_summary(droplint, write):
    write("net.py", CLEAN)
    result = droplint("check", "net.py", "--no-cache")
    assert result.exit_code == 0
    assert "All checks passed (1 file)." in result.stdout


def test_finding_exits_one_and_names_code_line_and_column(droplint, write):
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("net.py:7:16: DL301 [*] [functional-dropout-always-on] F.dropout()")
    assert "Found 1 finding (1 error) in 1 file. 1 fixable with --fix." in result.stdout


def test_default_path_is_the_current_folder_and_recurses(droplint, write):
    write("pkg/models/net.py", ALWAYS_ON)
    write("pkg/models/clean.py", CLEAN)
    result = droplint("check", "--no-cache")
    assert result.exit_code == 1
    assert "pkg/models/net.py:7:16: DL301" in result.stdout
    assert "in 2 files" in result.stdout


def test_default_excludes_and_gitignore(droplint, write, tmp_path):
    (tmp_path / ".git").mkdir()
    for folder in (".venv", "build", "dist", "__pycache__", "node_modules", "site-packages", "ignored"):
        write(f"{folder}/net.py", ALWAYS_ON)
    write(".gitignore", "ignored/\n")
    write("src/net.py", CLEAN)
    result = droplint("check", "--no-cache")
    assert result.exit_code == 0, result.stdout
    assert "(1 file)" in result.stdout


def test_config_exclude(droplint, write):
    write("pyproject.toml", '[tool.droplint]\nexclude = ["legacy/"]\n')
    write("legacy/net.py", ALWAYS_ON)
    write("net.py", CLEAN)
    assert droplint("check", "--no-cache").exit_code == 0


def test_select_ignore_and_extend_select(droplint, write):
    write("net.py", ALWAYS_ON + "\ndrop = nn.Dropout(256)\n")
    _, both = droplint.json("check", "net.py", "--no-cache")
    assert sorted(d["code"] for d in both["diagnostics"]) == ["DL201", "DL301"]
    _, only = droplint.json("check", "net.py", "--no-cache", "--select", "DL3")
    assert [d["code"] for d in only["diagnostics"]] == ["DL301"]
    _, ignored = droplint.json("check", "net.py", "--no-cache", "--ignore", "DL301")
    assert [d["code"] for d in ignored["diagnostics"]] == ["DL201"]
    _, extended = droplint.json("check", "net.py", "--no-cache", "--select", "DL3", "--extend-select", "DL201")
    assert sorted(d["code"] for d in extended["diagnostics"]) == ["DL201", "DL301"]


def test_unknown_code_on_the_command_line_is_a_usage_error(droplint, write):
    write("net.py", CLEAN)
    result = droplint("check", "net.py", "--select", "DL999")
    assert result.exit_code == 2
    assert "unknown rule code 'DL999'" in result.stderr


def test_exit_zero_keeps_findings_but_exits_zero(droplint, write):
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache", "--exit-zero")
    assert result.exit_code == 0
    assert "DL301" in result.stdout


def test_statistics_counts_per_rule(droplint, write):
    write("a.py", ALWAYS_ON)
    write("b.py", ALWAYS_ON + "\ndrop = nn.Dropout(2)\n")
    result = droplint("check", "--no-cache", "--statistics")
    assert result.stdout.splitlines() == [
        "    2  DL301  [*] functional-dropout-always-on",
        "    1  DL201      invalid-rate",
    ]


def test_noqa_with_code_bare_noqa_and_other_code(droplint, write):
    write(
        "net.py",
        ALWAYS_ON.replace("return F.dropout(x, 0.5)", "a = F.dropout(x, 0.5)  # noqa: DL301\n"
                          "        b = F.dropout(x, 0.5)  # noqa\n"
                          "        c = F.dropout(x, 0.5)  # noqa: DL201\n"
                          "        return F.dropout(a + b + c, 0.5)"),
    )
    code, report = droplint.json("check", "net.py", "--no-cache")
    assert code == 1
    assert [d["line"] for d in report["diagnostics"]] == [9, 10]


def test_noqa_inside_a_string_does_not_suppress(droplint, write):
    write("net.py", ALWAYS_ON.replace("return F.dropout(x, 0.5)", 'return F.dropout(x, 0.5), "# noqa"'))
    assert droplint("check", "net.py", "--no-cache").exit_code == 1


def test_file_level_noqa_skips_the_file(droplint, write):
    write("net.py", "# droplint: noqa\n" + ALWAYS_ON)
    assert droplint("check", "net.py", "--no-cache").exit_code == 0


def test_per_file_ignores(droplint, write):
    write("pyproject.toml", '[tool.droplint.per-file-ignores]\n"experiments/*.py" = ["DL301"]\n')
    write("experiments/mc.py", ALWAYS_ON)
    write("models/net.py", ALWAYS_ON)
    _, report = droplint.json("check", "--no-cache")
    assert [d["path"] for d in report["diagnostics"]] == ["models/net.py"]


def test_stdin_with_filename(droplint, write):
    result = droplint("check", "--stdin-filename", "models/net.py", "-", "--no-cache", input=ALWAYS_ON)
    assert result.exit_code == 1
    assert result.stdout.startswith("models/net.py:7:16: DL301")


def test_stdin_uses_the_configuration_near_the_filename(droplint, write):
    write("pyproject.toml", '[tool.droplint]\nignore = ["DL301"]\n')
    result = droplint("check", "--stdin-filename", "net.py", "-", "--no-cache", input=ALWAYS_ON)
    assert result.exit_code == 0


def test_github_format(droplint, write):
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py", "--no-cache", "--format", "github")
    line = result.stdout.strip()
    assert line.startswith(
        "::error title=DL301 functional-dropout-always-on,file=net.py,line=7,col=16,endLine=7,endColumn=33::DL301 "
    )


def test_github_format_escapes_newlines_and_separators():
    from droplint.ir import Diagnostic, Span
    from droplint.report import github

    class Result:
        errors = []
        diagnostics = [Diagnostic("a,b:c.py", Span(1, 1, 1, 2), "DL201", "invalid-rate", "warning", "two\nlines 100%")]

    assert github.render(Result()) == (
        "::warning title=DL201 invalid-rate,file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=2"
        "::DL201 two%0Alines 100%25"
    )


def test_colour_only_on_a_terminal(droplint, write, monkeypatch):
    write("net.py", ALWAYS_ON)
    assert "\x1b[" not in droplint("check", "net.py", "--no-cache").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in droplint("check", "net.py", "--no-cache").stdout


def test_jobs_do_not_change_the_result(droplint, write):
    for index in range(12):
        write(f"m{index:02d}.py", ALWAYS_ON if index % 3 else CLEAN)
    serial = droplint("check", "--no-cache", "--jobs", "1").stdout
    parallel = droplint("check", "--no-cache", "--jobs", "2").stdout
    assert serial == parallel
    assert serial.count("DL301") == 8


def test_python_dash_m_droplint(tmp_path):
    import subprocess
    import sys

    (tmp_path / "net.py").write_text(ALWAYS_ON)
    from conftest import ROOT

    completed = subprocess.run(
        [sys.executable, "-m", "droplint", "check", "net.py", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert completed.returncode == 1
    assert "net.py:7:16: DL301" in completed.stdout


def test_a_threaded_process_is_never_forked(monkeypatch):
    """Forking beside native threads (JAX, PyTorch) can deadlock: forkserver is used then."""
    from droplint import engine

    monkeypatch.setattr(engine.deepstack, "threads_started", lambda: 0)
    monkeypatch.setattr(engine.os, "listdir", lambda path: ["1"])
    assert engine._safe_to_fork()
    monkeypatch.setattr(engine.os, "listdir", lambda path: ["1", "2", "3"])
    assert not engine._safe_to_fork()
