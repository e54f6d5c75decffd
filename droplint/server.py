"""`droplint server`: a Language Server Protocol server over stdio, built on pygls.

What an editor gets: diagnostics when a Python file is opened, edited and saved (code,
severity, and a link to the rule's documentation), quick fixes (unsafe ones titled as
such and never preferred), "Disable DLxxx for this line", which writes the `# noqa`, and
`source.fixAll.droplint`, every safe fix at once (for fix-on-save).

How it stays fast and right:
- At start the workspace is linted once, as `droplint check` there would: that fills
  the project index in `.droplint_cache/`, whose summaries every later lint links
  against (a block or config class defined in another file).
- An open document is linted alone, from its unsaved text (the engine's `texts=`): an
  edit re-analyses that file only; the rest of the project comes from the index.
- Edits are debounced; one analysis runs at a time, in a worker thread; a result is
  published with the version it was computed for, and dropped if the document has
  moved on since (a diagnostic never arrives for an older text).
- A save re-lints the other open documents too: their models may use the saved file.
- Configuration is found from each document's folder upwards, as the CLI finds it.

The engine knows nothing of this module: it is called like any other front end.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from droplint import __version__, engine, source
from droplint.config import ConfigError, load
from droplint.discover import Target, discover
from droplint.ir import Diagnostic
from droplint.lsp_messages import FIX_ALL, Snapshot, code_actions, file_error, fix_all_action, to_lsp

DEFAULT_DEBOUNCE_MS = 300


def _options(jobs: int | None = 1) -> engine.Options:
    # The cache folder as the CLI picks it: $DROPLINT_CACHE_DIR, else the project's own.
    return engine.Options(jobs=jobs, cache_dir=os.environ.get("DROPLINT_CACHE_DIR") or None)


@dataclass
class Analysis:
    """What one lint of one document found; `skipped` says why there is nothing."""

    findings: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    parsed: int = 0
    seconds: float = 0.0
    skipped: str | None = None


def _targets(path: str):
    """(config, targets, errors) for one file, as `droplint check FILE` would see it."""
    config = load(None, start=Path(path))
    if os.path.isfile(path):
        targets, errors = discover([path], exclude=config.exclude, root=config.root)
    else:  # a new file, not saved yet
        targets, errors = [Target(path, path)], []
    return config, targets, errors


def analyse(path: str, text: str | None) -> Analysis:
    """Lint one file: from `text` (an unsaved buffer), or from disk when `text` is None.

    Raises ConfigError for a broken configuration, as the CLI would stop on it.
    """
    started = time.perf_counter()
    config, targets, errors = _targets(path)
    if not targets:
        return Analysis(skipped="excluded by the configuration")
    texts = {} if text is None else {targets[0].display: text.encode("utf-8")}
    result = engine.lint(targets, config, _options(), errors, texts)
    return Analysis(
        findings=list(result.diagnostics),
        errors=[e.message for e in result.errors],
        parsed=result.parsed,
        seconds=time.perf_counter() - started,
    )


def fix_all(path: str, text: str) -> str | None:
    """`text` with every safe fix applied, as `droplint check --fix` would (None: none)."""
    from droplint import fix

    config, targets, _ = _targets(path)
    if not targets:
        return None
    display = targets[0].display

    def lint_texts(current: dict[str, str]):
        encoded = {name: value.encode("utf-8") for name, value in current.items()}
        return engine.lint(targets, config, _options(), [], encoded).diagnostics

    return fix.run(lint_texts, {display: text}, unsafe=False).fixed.get(display)


def warm_up(root: Path) -> int:
    """Lint the whole workspace once, so that the project index holds every file's summary."""
    config = load(None, start=root)
    targets, errors = discover([str(root)], exclude=config.exclude, root=config.root)
    engine.lint(targets, config, _options(jobs=None), errors)
    return len(targets)


class DroplintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("droplint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = DEFAULT_DEBOUNCE_MS / 1000
        self.root: Path | None = None
        # One worker thread: analyses run one at a time, in the order they were asked for.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="droplint")
        self.warm: asyncio.Future | None = None
        self.versions: dict[str, int | None] = {}  # uri -> the newest version the client sent
        self.pending: dict[str, asyncio.Task] = {}
        self.started: set[asyncio.Task] = set()  # tasks whose analysis is under way
        self.published: dict[str, tuple[Snapshot, list[Diagnostic]]] = {}
        self.shut_down = False  # the exit status says whether shutdown came before exit
        self.errors_shown: set[str] = set()

    # --- scheduling -------------------------------------------------------------------

    def schedule(self, uri: str, delay: float, from_disk: bool = False) -> None:
        """Lint `uri` after `delay` seconds, unless asked again before its analysis starts."""
        previous = self.pending.get(uri)
        if previous is not None and previous not in self.started:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint_later(uri, delay, from_disk))

    async def _lint_later(self, uri: str, delay: float, from_disk: bool) -> None:
        await asyncio.sleep(delay)
        if self.warm is not None:
            await asyncio.shield(self.warm)  # links need the project's summaries
        document = self.workspace.get_text_document(uri)
        snapshot = Snapshot(uri, document.version, document.source)
        task = asyncio.current_task()
        self.started.add(task)
        try:
            analysis = await asyncio.get_running_loop().run_in_executor(
                self.worker, self._analyse_if_current, document.path, snapshot, from_disk
            )
        finally:
            self.started.discard(task)
            if self.pending.get(uri) is task:
                del self.pending[uri]
        self._publish(snapshot, analysis, document.position_codec)

    def _analyse_if_current(self, path: str, snapshot: Snapshot, from_disk: bool) -> Analysis | None:
        """In the worker: skip work for a text the client has already replaced."""
        if not self._is_current(snapshot):
            return None
        if from_disk and _disk_text(path) != snapshot.text:
            from_disk = False  # edited again since the save: lint the buffer
        try:
            return analyse(path, None if from_disk else snapshot.text)
        except ConfigError as exc:
            return Analysis(skipped=f"configuration error: {exc}")
        except Exception as exc:  # noqa: BLE001 - the server outlives one bad analysis
            return Analysis(skipped=f"internal error: {type(exc).__name__}: {exc}")

    def _is_current(self, snapshot: Snapshot) -> bool:
        return snapshot.uri in self.versions and self.versions[snapshot.uri] == snapshot.version

    def _publish(self, snapshot: Snapshot, analysis: Analysis | None, codec) -> None:
        if analysis is None or not self._is_current(snapshot):
            self._log(f"dropped the result for {snapshot.uri} version {snapshot.version}: "
                      f"the document is at version {self.versions.get(snapshot.uri)}")
            return
        if analysis.skipped and analysis.skipped.startswith("configuration error"):
            self.show_error_once(analysis.skipped)
        lines = snapshot.lines()
        shown = [to_lsp(d, lines, codec) for d in analysis.findings]
        shown += [file_error(message) for message in analysis.errors]
        self.published[snapshot.uri] = (snapshot, analysis.findings)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snapshot.uri, version=snapshot.version, diagnostics=shown)
        )
        self._log(
            f"analysed {snapshot.uri} version {snapshot.version}: {len(shown)} diagnostic(s), "
            f"parsed {analysis.parsed} file(s) in {analysis.seconds * 1000:.0f} ms"
            + (f" ({analysis.skipped})" if analysis.skipped else "")
        )

    def show_error_once(self, message: str) -> None:
        """A pop-up for each distinct error: not one per keystroke while it lasts."""
        if message not in self.errors_shown:
            self.errors_shown.add(message)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    def _log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=message))

    async def _warm_up(self, root: Path) -> None:
        loop = asyncio.get_running_loop()
        try:
            count = await loop.run_in_executor(self.worker, warm_up, root)
        except ConfigError as exc:
            self.show_error_once(f"configuration error: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - open documents are still linted, without context
            self._log(f"could not lint the workspace {root}: {type(exc).__name__}: {exc}")
            return
        self._log(f"linted the workspace {root}: {count} file(s)")

    def forget(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None and task not in self.started:
            task.cancel()
        self.versions.pop(uri, None)
        self.published.pop(uri, None)


def _disk_text(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return source.decode(handle.read()).text
    except (OSError, source.SourceError):
        return None


# --- the protocol's handlers (registered by build) ---------------------------------------


def _initialize(ls: DroplintServer, params: types.InitializeParams) -> None:
    options = params.initialization_options or {}
    if isinstance(options, dict) and isinstance(options.get("debounce_ms"), (int, float)):
        ls.debounce = max(0.0, options["debounce_ms"] / 1000)
    root = ls.workspace.root_path
    if root and os.path.isdir(root):
        # As the CLI run from the project's root: configuration and cache live there.
        os.chdir(root)
        ls.root = Path(root)


def _initialized(ls: DroplintServer, params: types.InitializedParams) -> None:
    if ls.root is not None:
        ls.warm = asyncio.ensure_future(ls._warm_up(ls.root))


def _did_open(ls: DroplintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.versions[params.text_document.uri] = params.text_document.version
    if _is_file(params.text_document.uri):
        ls.schedule(params.text_document.uri, 0)


def _did_change(ls: DroplintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.versions[params.text_document.uri] = params.text_document.version
    if _is_file(params.text_document.uri):
        ls.schedule(params.text_document.uri, ls.debounce)


def _did_save(ls: DroplintServer, params: types.DidSaveTextDocumentParams) -> None:
    saved = params.text_document.uri
    if _is_file(saved) and saved in ls.versions:
        # From disk when the buffer is what was saved: the project index learns the file.
        ls.schedule(saved, 0, from_disk=True)
        # Then the other open files, whose models may link against the saved one
        # (each alone; unchanged ones are served from the cache and only re-linked).
        for other in list(ls.versions):
            if other != saved and _is_file(other):
                ls.schedule(other, 0)


def _did_close(ls: DroplintServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


async def _code_action(ls: DroplintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = [getattr(kind, "value", kind) for kind in params.context.only or ()]

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(k + ".") for k in only)

    uri = params.text_document.uri
    snapshot, findings = ls.published.get(uri, (None, []))
    if snapshot is None or not ls._is_current(snapshot):
        return []  # findings of an older text would edit the wrong places
    document = ls.workspace.get_text_document(uri)
    actions = []
    if wanted(types.CodeActionKind.QuickFix.value):
        actions = code_actions(snapshot, findings, params.range, document.position_codec)
    if wanted(FIX_ALL) and any(f.fix is not None and f.fix.applicability == "safe" for f in findings):
        loop = asyncio.get_running_loop()
        fixed = await loop.run_in_executor(ls.worker, fix_all, document.path, snapshot.text)
        if fixed is not None and fixed != snapshot.text and ls._is_current(snapshot):
            actions.append(fix_all_action(snapshot, fixed, document.position_codec))
    return actions


def _shutdown(ls: DroplintServer, params: None) -> None:
    for uri in list(ls.pending):
        ls.forget(uri)
    ls.worker.shutdown(wait=False, cancel_futures=True)
    ls.shut_down = True


_HANDLERS = (
    (types.INITIALIZE, _initialize, None),
    (types.INITIALIZED, _initialized, None),
    (types.TEXT_DOCUMENT_DID_OPEN, _did_open, None),
    (types.TEXT_DOCUMENT_DID_CHANGE, _did_change, None),
    (types.TEXT_DOCUMENT_DID_SAVE, _did_save, None),
    (types.TEXT_DOCUMENT_DID_CLOSE, _did_close, None),
    (
        types.TEXT_DOCUMENT_CODE_ACTION,
        _code_action,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    ),
    (types.SHUTDOWN, _shutdown, None),
)


def build() -> DroplintServer:
    server = DroplintServer()
    for method, handler, options in _HANDLERS:
        server.feature(method, options)(handler)
    return server


def _is_file(uri: str) -> bool:
    return uri.startswith("file:") and to_fs_path(uri) is not None


def run() -> None:
    """Serve one client over stdin and stdout until it says exit.

    The exit status is the protocol's: 0 after shutdown then exit, 1 for an exit (or a
    closed connection) without shutdown.
    """
    server = build()
    server.start_io()
    sys.exit(0 if server.shut_down else 1)
