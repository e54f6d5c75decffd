"""Untrusted text (the linted source, its file names) is escaped in every reporter:
it can neither forge a GitHub workflow command nor send a terminal escape sequence
(issue 12, part A)."""

from __future__ import annotations

import json

import pytest

from conftest import ALWAYS_ON
from droplint.ir import Layer, Model, PlacedLayer, Span
from droplint.report import profile_html

OSC_CLIPBOARD = "\x1b]52;c;aGk=\x07"
# A rate assigned in forward (DL306) is quoted in the message: a triple-quoted string
# carries real line breaks and a raw escape sequence into it.
FORGING_SOURCE = (
    "from torch import nn\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.drop = nn.Dropout(0.5)\n\n"
    "    def forward(self, x):\n"
    f'        self.drop.p = """\n::error file=x.py,line=1::forged\n::add-mask::secret\n{OSC_CLIPBOARD}"""\n'
    "        return self.drop(x)\n"
)


def _workflow_lines(output: str) -> list[str]:
    """Lines a GitHub runner would read as commands (it splits on \\n, and \\r counts too)."""
    return [line for line in output.replace("\r", "\n").split("\n") if line.startswith("::")]


def test_source_text_cannot_forge_a_workflow_command_or_reach_the_terminal(droplint, write):
    write("net.py", FORGING_SOURCE)
    result = droplint("check", "net.py", "--no-cache")
    assert "DL306" in result.stdout
    assert _workflow_lines(result.stdout) == []
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]52;c;aGk=\\x07" in result.stdout  # shown, escaped


def test_github_format_prints_only_real_annotations(droplint, write):
    write("net.py", FORGING_SOURCE)
    result = droplint("check", "net.py", "--no-cache", "--format", "github")
    lines = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("::warning title=DL306")
    assert "\x1b" not in result.stdout and "%0A::error" in lines[0]


def test_a_file_name_cannot_forge_a_workflow_command(droplint, tmp_path):
    (tmp_path / "a\n::error file=x.py::forged.py").write_text(ALWAYS_ON)
    (tmp_path / "::warning::b.py").write_text(ALWAYS_ON)
    (tmp_path / f"{OSC_CLIPBOARD}c.py").write_text("def broken(:\n    dropout\n")
    result = droplint("check", "--no-cache")
    assert result.stdout.count("DL301") == 2
    assert _workflow_lines(result.stdout) == []
    assert "\x1b" not in result.stdout
    assert "./::warning::b.py:7:16: DL301" in result.stdout
    github = droplint("check", "--no-cache", "--format", "github").stdout
    assert len(_workflow_lines(github)) == len(github.rstrip("\n").split("\n")) == 3


def test_profile_text_escapes_paths_and_names(droplint, tmp_path):
    (tmp_path / f"{OSC_CLIPBOARD}net.py").write_text(ALWAYS_ON.replace("F.dropout(x, 0.5)", "nn.Dropout(0.5)(x)"))
    result = droplint("profile", "--no-cache")
    assert "Net" in result.stdout and "\x1b" not in result.stdout


def test_diff_shows_escape_sequences_escaped(droplint, write):
    path = write("net.py", ALWAYS_ON.replace("F.dropout(x, 0.5)", f'F.dropout(x, 0.5) if "{OSC_CLIPBOARD}" else x'))
    result = droplint("check", "net.py", "--no-cache", "--diff")
    assert "+        return F.dropout(x, 0.5, training=self.training) if \"\\x1b]52" in result.stdout
    assert "\x1b" not in result.stdout
    droplint("check", "net.py", "--no-cache", "--fix")
    assert OSC_CLIPBOARD in path.read_text()  # the file keeps its bytes; only the display escapes


def test_configuration_errors_escape_the_key(droplint, write):
    write("droplint.toml", '"\\u001b]52;c;aGk=\\u0007" = 1\n')
    write("net.py", ALWAYS_ON)
    result = droplint("check", "net.py")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "unknown key '\\x1b]52" in result.stderr


@pytest.mark.parametrize(
    "name, uri",
    [("my net#1.py", "my%20net%231.py"), ("a:b.py", "a%3Ab.py"), ("100%.py", "100%25.py"), ("sub/x?.py", "sub/x%3F.py")],
)
def test_sarif_uris_are_percent_encoded(droplint, write, name, uri):
    write(name, ALWAYS_ON)
    result = droplint("check", name, "--no-cache", "--format", "sarif")
    location = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == uri


def test_html_is_escaped_exactly_once():
    span = Span(3, 1, 3, 10)
    layer = Layer(1, "dropout", "torch.nn.Dropout", "a<b>&c", "blocks/x&<y>.py", span)
    model = Model("m.Net", "Net<&>", "m.py", 1, "torch", True, (PlacedLayer(layer, "hidden", 0.5),))

    class Result:
        models = [model]
        diagnostics = []
        errors = []

    page = profile_html.render(Result(), None)
    assert "blocks/x&amp;&lt;y&gt;.py:3" in page
    assert "a&lt;b&gt;&amp;c" in page and "Net&lt;&amp;&gt;" in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page


def test_escape_helper():
    from droplint.report import escape

    assert escape.controls("a\nb\x1b[31m\u202ec") == "a\\nb\\x1b[31m\\u202ec"
    assert escape.controls("tab\there", keep="\t") == "tab\there"
    assert escape.path("::error::x.py") == "./::error::x.py"
    assert escape.uri("dir/a b.py") == "dir/a%20b.py"
    assert escape.html("<\x1b>") == "&lt;\\x1b&gt;"
