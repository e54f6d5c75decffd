"""Bad input never crashes droplint: one clear message per file, and the run goes on."""

from __future__ import annotations

import os

from conftest import ALWAYS_ON


def _errors(droplint, *args):
    code, report = droplint.json("check", *args, "--no-cache")
    return code, {e["path"]: e["message"] for e in report["errors"]}, report


def test_syntax_error_is_reported_and_other_files_are_still_linted(droplint, write):
    write("broken.py", "class Net(nn.Module):\n    def forward(self x):\n        pass\n")
    write("net.py", ALWAYS_ON)
    code, errors, report = _errors(droplint)
    assert code == 1
    assert errors["broken.py"].startswith("cannot parse:")
    assert errors["broken.py"] == "cannot parse: invalid syntax (line 2, column 22)"
    assert [d["path"] for d in report["diagnostics"]] == ["net.py"]


def test_syntax_error_alone_exits_one_with_text_message(droplint, write):
    write("broken.py", "import torch\ndef dropout(:\n")
    result = droplint("check", "broken.py", "--no-cache")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "broken.py:2:13: error: cannot parse: invalid syntax",
        "Nothing was checked. 1 path could not be checked: see the error above.",
    ]


def test_undecodable_file(droplint, tmp_path):
    (tmp_path / "latin.py").write_bytes(b"# dropout\nx = '\xff\xfe\xfa'\n")
    _, errors, _ = _errors(droplint)
    assert errors["latin.py"].startswith("cannot decode:")


def test_declared_encoding_is_honoured(droplint, tmp_path):
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + ALWAYS_ON
    (tmp_path / "net.py").write_bytes(source.encode("latin-1"))
    code, errors, report = _errors(droplint)
    assert errors == {}
    assert [d["code"] for d in report["diagnostics"]] == ["DL301"]


def test_binary_file(droplint, tmp_path):
    (tmp_path / "blob.py").write_bytes(b"dropout\x00\x01\x02")
    _, errors, _ = _errors(droplint)
    assert errors["blob.py"] == "binary file (contains NUL bytes); skipped"


def test_huge_file(droplint, tmp_path, monkeypatch):
    from droplint import engine, source

    monkeypatch.setattr(source, "MAX_BYTES", 1000)
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
    (tmp_path / "huge.py").write_text("# dropout\n" + "x = 1\n" * 500)
    _, errors, _ = _errors(droplint)
    assert "larger than" in errors["huge.py"]


def test_deep_nesting(droplint, tmp_path):
    (tmp_path / "deep.py").write_text("import torch\nx = " + "nn.Dropout(" * 3000 + "1" + ")" * 3000 + "\n")
    (tmp_path / "net.py").write_text(ALWAYS_ON)
    code, errors, report = _errors(droplint)
    assert "deep.py" in errors
    assert [d["path"] for d in report["diagnostics"]] == ["net.py"]


def test_symlink_loop(droplint, tmp_path, write):
    write("pkg/net.py", ALWAYS_ON)
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    code, errors, report = _errors(droplint)
    assert errors == {"pkg/loop": "symbolic link loop; skipped"}
    assert [d["path"] for d in report["diagnostics"]] == ["pkg/net.py"]


def test_missing_path(droplint, write):
    write("net.py", ALWAYS_ON)
    code, errors, report = _errors(droplint, "net.py", "nope.py")
    assert errors == {"nope.py": "no such file or directory"}
    assert code == 1
    assert len(report["diagnostics"]) == 1


def test_unreadable_file(droplint, write, monkeypatch):
    """As root every file is readable, so the failure is injected where droplint reads."""
    from droplint import engine

    write("secret.py", ALWAYS_ON)
    write("net.py", ALWAYS_ON)
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(engine, "open", fake_open, raising=False)
    code, errors, report = _errors(droplint)
    assert errors == {"secret.py": "cannot read: Permission denied"}
    assert [d["path"] for d in report["diagnostics"]] == ["net.py"]


def test_unreadable_folder(droplint, write, monkeypatch):
    import droplint.discover as discover

    write("locked/net.py", ALWAYS_ON)
    write("net.py", ALWAYS_ON)
    real_scandir = os.scandir

    def fake_scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", fake_scandir)
    _, errors, report = _errors(droplint)
    assert errors == {"locked": "cannot read folder: Permission denied"}
    assert [d["path"] for d in report["diagnostics"]] == ["net.py"]


def test_internal_error_in_one_file_is_reported_and_exits_two(droplint, write, monkeypatch):
    from droplint import engine
    from droplint.rulebook import registry

    rule = registry.get("DL301")

    def explode(ctx):
        if ctx.path == "bad.py":
            raise ValueError("boom")
        return iter(())

    monkeypatch.setattr(rule, "check_file", explode)
    monkeypatch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
    write("bad.py", ALWAYS_ON)
    write("good.py", "from torch import nn\nd = nn.Dropout(7)\n")
    result = droplint("check", "--no-cache")
    assert result.exit_code == 2
    assert "bad.py: error: internal error while analysing: ValueError: boom" in result.stdout
    assert "good.py:2:16: DL201" in result.stdout


def test_deep_but_valid_nesting_is_analysed(droplint, tmp_path):
    depth = 150  # within what Python accepts, beyond the default recursion limit of visitors
    (tmp_path / "deep.py").write_text(
        "import torch.nn.functional as F\nfrom torch import nn\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        return " + "(" * depth + "F.dropout(x)" + ")" * depth + "\n"
    )
    code, errors, report = _errors(droplint)
    assert errors == {}
    assert [d["code"] for d in report["diagnostics"]] == ["DL301"]


def test_bracket_depth_counts_nesting():
    from droplint.deepstack import bracket_depth

    assert bracket_depth(b"f(a[1], {2: (3)})") == 3
    assert bracket_depth(b"") == 0
    assert bracket_depth(b"x = 1") == 0


def test_python_dash_m_never_imports_the_linted_folder(tmp_path):
    """A linted project with a module named like the standard library's (keras has
    `random/`) must not be imported in its place when droplint runs from its folder."""
    import subprocess
    import sys

    from conftest import ROOT

    marker = tmp_path / "imported.txt"
    for name in ("random", "tempfile", "json"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write('{name}')\nraise SystemExit('linted code ran')\n"
        )
    (tmp_path / "net.py").write_text(ALWAYS_ON)
    completed = subprocess.run(
        [sys.executable, "-m", "droplint", "check", ".", "--jobs", "2", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert not marker.exists(), completed.stderr
    assert completed.returncode == 1, completed.stderr
    assert '"DL301"' in completed.stdout
