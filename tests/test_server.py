"""`droplint server`: the real server in a subprocess, driven by pygls's LanguageClient.

Each test is what an editor does: open a file, type, save, ask for code actions and apply
the edit it gets back, then shut the server down.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="install droplint[server] (the test extra pulls it)")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from conftest import CLEAN, FIXTURES, ROOT  # noqa: E402

# Generous: two cores are shared by many processes; this only shows "does not hang".
TIMEOUT = 120

HEAD = (
    "from torch import nn\n\n\n"
    "class Head(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(8, 8)\n"
    "        self.drop = nn.Dropout(0.5)\n\n"
    "    def forward(self, x):\n"
    "        return self.drop(self.fc(x))\n"
)
NET_USING_HEAD = (
    "from torch import nn\n\nfrom head import Head\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.head = Head()\n"
    "        self.out = nn.Linear(8, 2)\n\n"
    "    def forward(self, x):\n"
    "        return self.out(self.head(x))\n"
)


class Editor:
    """An editor session: the LSP client, and everything the server sent it."""

    def __init__(self, root: Path):
        self.root = root
        self.client = LanguageClient("droplint-tests", "1")
        self.published: list[types.PublishDiagnosticsParams] = []
        self.logs: list[str] = []
        self.shown: list[str] = []
        self.changed = asyncio.Event()
        # pygls registers plain functions (it tags them), not bound methods.
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda params: self._on_diagnostics(params))
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: self._on_log(params))
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: self.shown.append(params.message))

    def _on_diagnostics(self, params):
        self.published.append(params)
        self.changed.set()

    def _on_log(self, params):
        self.logs.append(params.message)
        self.changed.set()

    async def start(self, **options) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        await self.client.start_io(sys.executable, "-m", "droplint", "server", cwd=str(self.root), env=env)
        await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    root_uri=from_fs_path(str(self.root)),
                    initialization_options=options or None,
                )
            ),
            TIMEOUT,
        )
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> int:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)
        return self.client._server.returncode

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.root / name))

    def open(self, name: str, text: str, version: int = 1) -> None:
        item = types.TextDocumentItem(uri=self.uri(name), language_id="python", version=version, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def change(self, name: str, text: str, version: int) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri(name), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def edit(self, name: str, start: tuple[int, int], end: tuple[int, int], text: str, version: int) -> None:
        """An incremental change, as editors send keystrokes: replace a range."""
        where = types.Range(start=types.Position(*start), end=types.Position(*end))
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri(name), version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=where, text=text)],
            )
        )

    def save(self, name: str) -> None:
        identifier = types.TextDocumentIdentifier(uri=self.uri(name))
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=identifier))

    async def diagnostics(self, name: str, version: int) -> list[types.Diagnostic]:
        """The diagnostics published for `name` at `version` (waits for them)."""
        found = await self.wait_for(lambda: self._for(name, version))
        return list(found.diagnostics)

    def _for(self, name: str, version: int):
        return next((p for p in reversed(self.published) if p.uri == self.uri(name) and p.version == version), None)

    async def wait_for(self, condition):
        async def poll():
            while True:
                found = condition()
                if found:
                    return found
                self.changed.clear()
                await self.changed.wait()

        try:
            return await asyncio.wait_for(poll(), TIMEOUT)
        except asyncio.TimeoutError:
            seen = [(p.uri.rsplit("/", 1)[-1], p.version, [d.code for d in p.diagnostics]) for p in self.published]
            raise AssertionError(f"nothing came in {TIMEOUT} s; published: {seen}; log: {self.logs}") from None

    async def actions(self, name: str, diagnostic: types.Diagnostic, only=None) -> list[types.CodeAction]:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(name)),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
        return list(await asyncio.wait_for(self.client.text_document_code_action_async(params), TIMEOUT) or [])


def run(root: Path, scenario, **options):
    """Start a server in `root`, play `scenario(editor)`, and check it shuts down cleanly."""

    async def main():
        editor = Editor(root)
        await editor.start(**options)
        try:
            result = await scenario(editor)
        except BaseException:
            await editor.stop()
            raise
        assert await editor.stop() == 0, "shutdown then exit must end the server with status 0"
        return result

    return asyncio.run(main())


def apply(text: str, action: types.CodeAction, uri: str, version: int) -> str:
    """Apply a code action's edit as an editor does (the texts here are ASCII)."""
    (change,) = action.edit.document_changes
    assert change.text_document.uri == uri and change.text_document.version == version
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(change.edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.fixture
def project(tmp_path):
    shutil.copy(FIXTURES / "basics" / "functional_always_on.py", tmp_path / "tagger.py")
    shutil.copy(FIXTURES / "torch" / "output_dropout.py", tmp_path / "output.py")
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_open_publishes_each_finding_with_code_severity_and_a_link_to_its_docs(project):
    text = (project / "tagger.py").read_text()

    async def scenario(editor):
        editor.open("tagger.py", text)
        return await editor.diagnostics("tagger.py", 1)

    shown = run(project, scenario)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in shown] == [
        ("DL301", 14, 12),
        ("DL301", 16, 12),
    ]
    first = shown[0]
    assert first.severity == types.DiagnosticSeverity.Error
    assert first.source == "droplint"
    assert first.code_description.href.endswith("docs/rules.md#dl301-functional-dropout-always-on")
    assert "training=self.training" in first.message
    assert (first.range.end.line, first.range.end.character) == (14, 31)


def test_an_unsaved_buffer_is_linted_from_its_text_and_a_save_from_the_file(project):
    async def scenario(editor):
        editor.open("clean.py", CLEAN)
        assert await editor.diagnostics("clean.py", 1) == []
        broken = CLEAN.replace("self.fc(self.drop(x))", "self.fc(F.dropout(x, 0.2))")
        broken = "import torch.nn.functional as F\n" + broken
        editor.change("clean.py", broken, 2)
        unsaved = await editor.diagnostics("clean.py", 2)
        assert (project / "clean.py").read_text() == CLEAN  # nothing was written
        (project / "clean.py").write_text(broken)
        editor.save("clean.py")
        saved = await editor.wait_for(lambda: [p for p in editor.published if p.version == 2][1:])
        return unsaved, saved[0].diagnostics

    unsaved, saved = run(project, scenario)
    assert [(d.code, d.range.start.line) for d in unsaved] == [("DL301", 11)]
    assert [(d.code, d.range.start.line) for d in saved] == [("DL301", 11)]


def test_incremental_edits_are_applied_before_linting(project):
    async def scenario(editor):
        editor.open("clean.py", CLEAN)
        await editor.diagnostics("clean.py", 1)
        editor.edit("clean.py", (0, 0), (0, 0), "import torch.nn.functional as F\n", 2)
        editor.edit("clean.py", (11, 23), (11, 35), "F.dropout(x, 0.2)", 3)
        return await editor.diagnostics("clean.py", 3)

    (finding,) = run(project, scenario)
    assert (finding.code, finding.range.start.line, finding.range.start.character) == ("DL301", 11, 23)
    assert finding.range.end.character == 23 + len("F.dropout(x, 0.2)")


def test_a_file_that_does_not_parse_gets_one_error(project):
    async def scenario(editor):
        editor.open("broken.py", "import torch\ndropout = (\n")
        return await editor.diagnostics("broken.py", 1)

    (error,) = run(project, scenario)
    assert error.severity == types.DiagnosticSeverity.Error and error.code is None
    assert error.message.startswith("cannot parse:")


def test_safe_fix_action_edits_the_text_and_the_finding_goes(project):
    text = (project / "tagger.py").read_text()

    async def scenario(editor):
        editor.open("tagger.py", text)
        first = (await editor.diagnostics("tagger.py", 1))[0]
        actions = await editor.actions("tagger.py", first)
        fix = next(a for a in actions if a.title.startswith("Fix DL301"))
        assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
        assert [d.code for d in fix.diagnostics] == ["DL301"]
        fixed = apply(text, fix, editor.uri("tagger.py"), 1)
        editor.change("tagger.py", fixed, 2)
        return fixed, await editor.diagnostics("tagger.py", 2)

    fixed, after = run(project, scenario)
    assert "x = F.dropout(x, p=0.1, training=self.training)\n" in fixed
    assert fixed.count("training=self.training") == 1  # only the finding asked about
    assert [(d.code, d.range.start.line) for d in after] == [("DL301", 16)]


def test_unsafe_fix_says_so_and_is_never_preferred(project):
    text = (project / "output.py").read_text()

    async def scenario(editor):
        editor.open("output.py", text)
        (finding,) = await editor.diagnostics("output.py", 1)
        assert finding.code == "DL102"
        actions = await editor.actions("output.py", finding)
        unsafe = next(a for a in actions if "DL102" in a.title and "isable" not in a.title)
        fixed = apply(text, unsafe, editor.uri("output.py"), 1)
        editor.change("output.py", fixed, 2)
        return unsafe, fixed, await editor.diagnostics("output.py", 2)

    unsafe, fixed, after = run(project, scenario)
    assert unsafe.title.startswith("Unsafe fix")
    assert not unsafe.is_preferred
    assert "return torch.sigmoid(x)\n" in fixed
    assert after == []


def test_fix_all_applies_every_safe_fix_for_fix_on_save(project):
    text = (project / "tagger.py").read_text()

    async def scenario(editor):
        editor.open("tagger.py", text)
        first = (await editor.diagnostics("tagger.py", 1))[0]
        quick = await editor.actions("tagger.py", first, only=[types.CodeActionKind.QuickFix])
        (fix_all,) = await editor.actions("tagger.py", first, only=[types.CodeActionKind.SourceFixAll])
        fixed = apply(text, fix_all, editor.uri("tagger.py"), 1)
        editor.change("tagger.py", fixed, 2)
        return quick, fix_all, fixed, await editor.diagnostics("tagger.py", 2)

    quick, fix_all, fixed, after = run(project, scenario)
    assert all(a.kind == types.CodeActionKind.QuickFix for a in quick) and quick
    assert fix_all.kind == "source.fixAll.droplint"
    assert fixed.count("training=self.training") == 2
    assert after == []


def test_disable_for_this_line_writes_noqa_and_merges_into_an_existing_one(project):
    text = (project / "tagger.py").read_text().replace(
        "x = F.dropout(x, p=0.1)", "x = F.dropout(x, p=0.1)  # noqa: E501"
    )

    async def scenario(editor):
        editor.open("tagger.py", text)
        findings = await editor.diagnostics("tagger.py", 1)
        fixed = text
        for version, finding in enumerate(findings, start=1):
            # Each action is computed for the text it edits: re-lint between the two.
            current = await editor.diagnostics("tagger.py", version)
            finding = next(d for d in current if d.range.start.line == finding.range.start.line)
            actions = await editor.actions("tagger.py", finding)
            disable = next(a for a in actions if a.title == "Disable DL301 for this line")
            assert not disable.is_preferred
            fixed = apply(fixed, disable, editor.uri("tagger.py"), version)
            editor.change("tagger.py", fixed, version + 1)
        return fixed, await editor.diagnostics("tagger.py", len(findings) + 1)

    fixed, after = run(project, scenario)
    assert "x = F.dropout(x, p=0.1)  # noqa: E501, DL301\n" in fixed
    assert "x = F.dropout(  # noqa: DL301\n" in fixed
    assert after == []


def test_configuration_is_read_from_the_project(project):
    (project / "pyproject.toml").write_text('[tool.droplint]\nignore = ["DL301"]\n')
    text = (project / "tagger.py").read_text()

    async def scenario(editor):
        editor.open("tagger.py", text)
        editor.open("output.py", (project / "output.py").read_text())
        return await editor.diagnostics("tagger.py", 1), await editor.diagnostics("output.py", 1)

    tagger, output = run(project, scenario)
    assert tagger == []
    assert [d.code for d in output] == ["DL102"]


def test_a_broken_configuration_is_shown_not_crashed_on(project):
    (project / "pyproject.toml").write_text('[tool.droplint]\nselec = ["DL3"]\n')

    async def scenario(editor):
        text = (project / "tagger.py").read_text()
        editor.open("tagger.py", text)
        published = await editor.diagnostics("tagger.py", 1)
        editor.change("tagger.py", text + "\n", 2)
        await editor.diagnostics("tagger.py", 2)
        return published, editor.shown

    published, shown = run(project, scenario)
    assert published == []
    (message,) = shown  # once, not again for every edit
    assert "configuration error" in message and "selec" in message


def test_an_unsaved_model_links_against_the_rest_of_the_project(tmp_path):
    (tmp_path / "head.py").write_text(HEAD)
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "head.py").write_text(HEAD)
    (tmp_path / "net.py").write_text(NET_USING_HEAD)
    edited = HEAD.replace("nn.Linear(8, 8)", "nn.Linear(8, 16)")

    async def scenario(editor):
        editor.open("head.py", HEAD)
        await editor.diagnostics("head.py", 1)
        editor.change("head.py", edited, 2)
        found = await editor.diagnostics("head.py", 2)
        logged = await editor.wait_for(
            lambda: [m for m in editor.logs if m.startswith("analysed") and "version 2" in m]
        )
        return found, logged

    async def alone_scenario(editor):
        editor.open("head.py", edited)
        return await editor.diagnostics("head.py", 1)

    # Used by net.py, Head is a block: its dropout feeds net.out and is no output dropout.
    linked, (analysis,) = run(tmp_path, scenario)
    assert linked == []
    # The edit re-analysed head.py alone: net.py's summary came from the project index.
    assert "parsed 1 file(s)" in analysis
    # Without net.py, Head is a model of its own and its dropout sits on its output.
    (finding,) = run(alone, alone_scenario)
    assert finding.code == "DL102"


BLOCK = (
    "import torch\nfrom torch import nn\n\n\n"
    "class Head(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(8, 2)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(x)\n"
)
NET_DROPOUT_BEFORE_BLOCK = (
    "from torch import nn\n\nfrom head import Head\n\n\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.out = nn.Linear(8, 8)\n"
    "        self.drop = nn.Dropout(0.5)\n"
    "        self.head = Head()\n\n"
    "    def forward(self, x):\n"
    "        return self.head(self.drop(self.out(x)))\n"
)


def test_saving_a_block_re_lints_the_open_models_that_use_it(tmp_path):
    (tmp_path / "head.py").write_text(BLOCK)
    (tmp_path / "net.py").write_text(NET_DROPOUT_BEFORE_BLOCK)
    # Without its Linear, Head adds no weighted layer: Net's dropout is then on its output.
    no_weights = BLOCK.replace("return self.fc(x)", "return torch.relu(x)")

    async def scenario(editor):
        editor.open("net.py", NET_DROPOUT_BEFORE_BLOCK)
        before = await editor.diagnostics("net.py", 1)
        editor.open("head.py", BLOCK)
        await editor.diagnostics("head.py", 1)
        editor.change("head.py", no_weights, 2)
        await editor.diagnostics("head.py", 2)
        (tmp_path / "head.py").write_text(no_weights)
        editor.save("head.py")
        after = await editor.wait_for(lambda: [p for p in editor.published if p.uri == editor.uri("net.py")][1:])
        return before, list(after[0].diagnostics)

    before, after = run(tmp_path, scenario)
    assert before == []
    assert [(d.code, d.range.start.line) for d in after] == [("DL102", 13)]


def _shifted(lines_before: int) -> str:
    """A finding that moves down with every version: on (0-based) line 6 + lines_before.

    The clean blocks after it make each analysis take a while (a few thousand lines),
    so that newer versions arrive while an older one is being analysed.
    """
    return ALWAYS_ON_HEADER + "\n" * lines_before + ALWAYS_ON_BODY + FILLER


FILLER = "".join(
    f"\n\nclass Block{i}(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(8, 8)\n"
    "        self.drop = nn.Dropout(0.3)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(self.drop(x))\n"
    for i in range(100)
)


ALWAYS_ON_HEADER = "import torch.nn.functional as F\nfrom torch import nn\n"
ALWAYS_ON_BODY = (
    "\n\nclass Net(nn.Module):\n"
    "    def forward(self, x):\n"
    "        return F.dropout(x, 0.5)\n"
)


def test_a_keystroke_burst_is_analysed_once(tmp_path):
    (tmp_path / "net.py").write_text(_shifted(0))

    async def scenario(editor):
        editor.open("net.py", _shifted(1))
        await editor.diagnostics("net.py", 1)
        for version in range(2, 12):
            editor.change("net.py", _shifted(version), version)
        final = await editor.diagnostics("net.py", 11)
        await asyncio.sleep(1.0)  # anything late would arrive now
        return final, editor.logs, editor.published

    final, logs, published = run(tmp_path, scenario, debounce_ms=1000)
    assert [d.range.start.line for d in final] == [6 + 11]
    analysed = [line for line in logs if line.startswith("analysed")]
    assert [line.split(": ")[0].rsplit(" ", 1)[-1] for line in analysed] == ["1", "11"], logs
    # Versions 2-10 never reached the worker: without the debounce each would have been
    # analysed or skipped there, and logged as dropped.
    assert not [line for line in logs if line.startswith("dropped")], logs
    assert [p.version for p in published] == [1, 11]


def test_no_diagnostic_arrives_for_an_older_version(tmp_path):
    (tmp_path / "net.py").write_text(_shifted(0))
    last = 16

    async def scenario(editor):
        editor.open("net.py", _shifted(1))
        await editor.diagnostics("net.py", 1)
        for version in range(2, last + 1):
            editor.change("net.py", _shifted(version), version)
            await asyncio.sleep(0.01)
        await editor.diagnostics("net.py", last)
        await asyncio.sleep(1.0)
        return editor.published, editor.logs

    # No debounce: analyses start while newer text keeps arriving.
    published, logs = run(tmp_path, scenario, debounce_ms=0)
    versions = [p.version for p in published]
    assert versions == sorted(versions) and versions[-1] == last
    for params in published:
        # Each publication describes the text of the version it names.
        assert [d.range.start.line for d in params.diagnostics] == [6 + params.version]
    dropped = {int(line.split(" version ")[1].split(":")[0]) for line in logs if line.startswith("dropped the result")}
    assert dropped, logs  # newer text did arrive while older text was being analysed
    assert not dropped & set(versions)  # and those results never reached the client
    assert len(versions) == len(set(versions))


def test_closing_a_document_clears_its_diagnostics(project):
    async def scenario(editor):
        editor.open("tagger.py", (project / "tagger.py").read_text())
        await editor.diagnostics("tagger.py", 1)
        editor.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=editor.uri("tagger.py")))
        )
        return await editor.wait_for(lambda: [p for p in editor.published if p.version is None])

    (cleared,) = run(project, scenario)
    assert list(cleared.diagnostics) == []


def test_exit_without_shutdown_is_status_one(project):
    async def scenario():
        editor = Editor(project)
        await editor.start()
        editor.client.exit(None)
        await asyncio.wait_for(editor.client.stop(), TIMEOUT)
        return editor.client._server.returncode

    assert asyncio.run(scenario()) == 1


def test_server_command_is_documented_for_editors():
    text = (ROOT / "docs" / "editors.md").read_text()
    for editor in ("VS Code", "Neovim", "vim.lsp.start", "Helix"):
        assert editor in text
