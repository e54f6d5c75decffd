"""discover → read → prefilter → parse (pool, cache) → link → rules → filter.

The engine knows nothing of its front ends: the CLI, pre-commit and tests call
`lint()` and get plain data back.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from droplint import closure as closure_of
from droplint import budget, collector, deepstack, follow, guard, heap, memo, source, suppression, tables, workers
from droplint.cache import Cache, build_id, folder_for
from droplint.config import Config
from droplint.discover import Target
from droplint.ir import Diagnostic, FileError, FileResult, LintResult, Model, forget_shared
from droplint.judged import Judged, JudgedModels
from droplint.modules import Layout, project_root
from droplint.project import ProjectIndex
from droplint.project import stamp as project_stamp

# A file is parsed only if its text can matter: it names dropout or a keep
# probability, draws a random mask, or defines a model or layer that others use.
PREFILTER = re.compile(
    rb"dropout|drop|keep|bernoulli|binomial|rand|Module|Model|Layer|Sequential|Config",
    re.IGNORECASE,
)
# Below this many files to parse, more than one worker costs more than it saves.
MIN_FILES_FOR_POOL = 8
# Analyse in worker processes with a memory limit and a time budget (droplint/workers.py).
# Off only for tests that patch the analysis in this process.
ISOLATE = True


@dataclass(frozen=True)
class Options:
    jobs: int | None = None
    use_cache: bool = True
    cache_dir: str | None = None  # --cache-dir or $DROPLINT_CACHE_DIR; None: .droplint_cache/ in the project root
    # Called as (files analysed, files to analyse) each time a worker finishes a file
    # (droplint/progress.py draws it); the counts start again with each lint().
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


def lint(
    targets: list[Target],
    config: Config,
    options: Options = Options(),
    errors: list[FileError] | None = None,
    texts: dict[str, bytes] | None = None,
    need_models: bool = False,
    closure: bool | None = None,
) -> LintResult:
    """Lint files. `texts` supplies content for some display paths (stdin, fix passes).

    `closure` (default: unless every model is wanted) parses only the files a dropout
    finding can depend on (droplint.closure); the others get a deferred result."""
    errors = list(errors or [])
    texts = texts or {}
    started_ns = memo.now_ns()
    cache = Cache(folder_for(config.root, options.cache_dir), config.fingerprint(), enabled=options.use_cache)
    last_run = memo.RunMemo(
        cache.store,
        memo.key(config, targets, repr(errors)),
        project=str(config.root),
        enabled=not texts and not need_models,
    )
    remembered = last_run.load()
    if remembered is not None:
        remembered.parsed = 0
        return remembered

    index_key = "\0".join((build_id(), cache.fingerprint, str(config.root)))
    index = ProjectIndex(cache.store, index_key)
    layout = Layout(
        project_root(str(config.root) if config.file else None, [t.path for t in targets]),
        tuple(str(r) for r in config.roots),
    )
    reader = _Reader(index, cache, layout, _Settings(config.tf_version, layout.declared), options.jobs, texts)
    reader.progress = options.progress
    results, followed = _read_all(reader, targets, errors, layout, not need_models if closure is None else closure)
    # Every result is in: the tables that shared their values go (droplint.ir), and the
    # heap gives back what reading left free (the workers' messages, the closure's word
    # sets) before linking adds its own (droplint.heap).
    forget_shared()
    heap.release()
    index.save()
    ordered = [results[t.display] for t in targets if t.display in results]
    judged = None if need_models else JudgedModels(cache.store, index_key)
    result = _check(ordered, followed, targets, config, layout, errors, judged)
    result.parsed = reader.parsed

    read = {os.path.abspath(t.path): reader.stamps.get(t.display) for t in targets}
    read.update({os.path.abspath(path): reader.stamps.get(follow.display(path)) for path in followed})
    if not reader.transient:
        last_run.store_result(read, result, started_ns)
    return result


def _read_all(reader: "_Reader", targets: list[Target], errors: list[FileError], layout: Layout,
              closure: bool) -> tuple[dict[str, FileResult], dict[str, FileResult]]:
    """Every linted file's result (display -> result), and those of the project files
    their models reach or that use them (path -> result: droplint.follow), which only
    inform linking."""
    run = _Closure(reader, targets, errors, layout)
    run.read(closure)
    return run.results, run.followed


def _check(ordered: list[FileResult], followed: dict[str, FileResult], targets: list[Target], config: Config,
           layout: Layout, errors: list[FileError], judged: JudgedModels | None) -> LintResult:
    """Link the models, run the model rules on those that touch the linted files, and
    gather what is reported: findings and errors of the linted files only. `judged`:
    the model rules' remembered results (None: every model is wanted, as built)."""
    diagnostics: list[Diagnostic] = []
    for result in ordered:
        if result.error is not None:
            errors.append(result.error)
        diagnostics.extend(result.diagnostics)
    # Only the files of this run are reported on; followed files only inform linking.
    linted = {t.display for t in targets}
    summaries = [r.summary for r in (*ordered, *followed.values()) if r.summary is not None]
    if judged is None:
        from droplint.analysis.link import link

        models = link(summaries, layout=layout)
        errors.extend(_cut(m) for m in models if m.root and m.cut and m.path in linted)
        diagnostics.extend(_model_diagnostics([m for m in models if _touches(m, linted)], config))
    else:
        roots = _judge_roots(summaries, layout, linted, config, judged)
        errors.extend(_cut(m) for m in roots if m.cut and m.path in linted)
        diagnostics.extend(_unique(d for m in roots if not linted.isdisjoint(m.files) for d in m.diagnostics))

    diagnostics = [d for d in diagnostics if d.path in linted]
    noqa = {r.path: r.noqa for r in ordered}
    skipped = {r.path for r in ordered if r.skipped}
    diagnostics = _filter(diagnostics, config, noqa, skipped)
    diagnostics.sort(key=Diagnostic.sort_key)
    errors.sort(key=lambda e: e.path)
    checked = sum(1 for r in ordered if r.error is None)
    models = [m for m in models if m.path in linted] if judged is None else []
    return LintResult(len(targets), diagnostics, errors, models, {}, checked=checked)


def _judge_roots(summaries, layout: Layout, linted: set[str], config: Config, judged: JudgedModels) -> list[Judged]:
    """The root models that may touch the linted files, judged by the model rules: from
    `judged` where what a model is built from has not changed, else linked and judged
    (and remembered). In the order `link` gives them."""
    from droplint.analysis.link import Project

    project = Project(summaries, layout)
    found = []
    for cls, root in project.classes(roots_only=True, touching=linted):
        # A digest says whether a remembered result still holds: none without a cache.
        digest = project.digest(cls, root) if judged.enabled else ""
        known = judged.get(cls.key, cls.path, digest) if judged.enabled else None
        if known is None:
            model = project.model(cls, root)
            files = (model.path, *dict.fromkeys(placed.layer.path for placed in model.layers))
            known = Judged(digest, model.name, model.path, model.line, model.cut, files,
                           tuple(_model_diagnostics([model], config)))
            judged.put(cls.key, known)
        found.append(known)
    judged.save()
    found.sort(key=lambda m: (m.path, m.line, m.name))
    return found


@dataclass
class _Item:
    """One file to read in a run: a linted file (`mine`: its errors are reported, its
    result is the run's) or one read silently, for linking only (`mine` None)."""

    target: Target
    mine: Target | None
    path: str  # as the file's imports are resolved from, and as `followed` names it
    defer: bool = False
    task: "_Task | None" = None
    result: FileResult | None = None
    answered: bool = True


class _Closure:
    """The files a run reads, as one stream of work (droplint.workers.Stream): the linted
    files, the files that import them (a partial run: droplint.follow.user_files), the project
    files their models reach (droplint.follow), and, with the closure, the unparsed linted
    files that use a class reaching a dropout (droplint.closure), to a fixed point.

    The workers never wait for a round to end: a file's answer is taken in the order the
    files were asked for (a later answer waits for the earlier ones), and what it reaches
    is asked for at once, behind the files already waiting. So the files read, their
    order and every result are the same whatever the workers' timing: a breadth-first
    walk of the imports, as rounds would give. Only the upward step (which unparsed files
    use a class reaching a dropout) needs every result: it is taken when nothing is left
    to read, and what it pulls in is read the same way."""

    def __init__(self, reader: "_Reader", targets: list[Target], errors: list[FileError], layout: Layout):
        self.reader, self.targets, self.errors, self.layout = reader, targets, errors, layout
        self.results: dict[str, FileResult] = {}  # display -> result, of the linted files
        self.followed: dict[str, FileResult] = {}  # path -> result, of the files read for linking
        self.mine = {os.path.realpath(t.path): t for t in targets}
        self.seen: set[str] = set()  # real paths parsed, or asked for in full
        self._items: list[_Item] = []
        self._tickets: dict[int, _Item] = {}
        self._committed = 0
        self._room = follow.MAX_FOLLOWED  # files the imports may still add in this step
        self._upward: closure_of.Upward | None = None

    def read(self, closure: bool) -> None:
        if closure:
            texts = {self.layout.real(t.path): self.reader.texts[t.display]
                     for t in self.targets if t.display in self.reader.texts}
            self._upward = closure_of.Upward(self.layout, set(self.mine), texts)
        for target in self.targets:
            self._ask(_Item(target, target, target.path, defer=closure))
        readable = {item.path: None for item in self._items if item.result is not None or item.task is not None}
        for path in follow.user_files(readable, self.layout):
            self.seen.add(self.layout.real(path))
            self._ask(_Item(Target(follow.display(path), path), None, path))
        self._drain()
        if closure:
            self._grow()

    def _ask(self, item: _Item) -> None:
        """Read `item`: from the index or the cache at once, or hand it to the workers."""
        found = self.reader.prepare(item.target, self.errors if item.mine else [], item.defer)
        if isinstance(found, _Task):
            item.task, item.answered = found, False
            self._tickets[self.reader.submit(found)] = item
        else:
            item.result = found
        served = item.result is not None and not item.result.deferred
        if item.mine is not None and (served or item.task is not None and not item.task.syntax_only):
            self.seen.add(self.layout.real(item.target.path))  # parsed: never asked for again
        self._items.append(item)

    def _drain(self) -> None:
        """Take every answer, in the order the files were asked for, until nothing is left."""
        self._commit_ready()
        for ticket, result in self.reader.answers():
            item = self._tickets.pop(ticket)
            item.result, item.answered = result, True
            self._commit_ready()

    def _commit_ready(self) -> None:
        while self._committed < len(self._items) and self._items[self._committed].answered:
            item = self._items[self._committed]
            self._committed += 1
            if item.task is not None:
                item.result = self.reader.finish(item.target, item.task, item.result)
            if item.result is not None:
                self._take(item)

    def _take(self, item: _Item) -> None:
        """Keep a file's result, and ask for the project files its models reach."""
        result = item.result
        if item.mine is not None:
            self.results[item.mine.display] = result
        else:
            self.followed[item.path] = result
        if result.deferred:
            if self._upward is not None:
                # Its imports, read while the workers work: the upward step asks for them.
                self._upward.imports_of(item.path)
            return
        if item.mine is not None:
            self.seen.add(self.layout.real(item.target.path))
        for file in follow.reached(item.path, result, self.layout):
            real = self.layout.real(file)
            if real in self.seen or self._room <= 0:
                continue
            self.seen.add(real)
            self._room -= 1
            mine = self.mine.get(real)
            # A linted file the closure had left unparsed is parsed as the linted file it is.
            self._ask(_Item(mine or Target(follow.display(file), file), mine, file))

    def _grow(self) -> None:
        """Parse the unparsed linted files that use a class reaching a dropout, and what
        they reach, until the closure stops growing (droplint.closure)."""
        layout, upward = self.layout, self._upward
        upward.known.update(layout.real(path) for path in self.followed)
        while True:
            summaries = [r.summary for r in (*self.results.values(), *self.followed.values()) if r.summary is not None]
            reach = closure_of.reaching(summaries)
            pulled = [t for t in self.targets if t.display in self.results and self.results[t.display].deferred
                      and upward.uses(t.path, reach)]
            if not pulled:
                return
            self._room = follow.MAX_FOLLOWED
            for target in pulled:
                real = layout.real(target.path)
                if real not in self.seen:
                    self.seen.add(real)
                    self._ask(_Item(target, target, target.path))
            self._drain()
            upward.known.update(layout.real(path) for path in self.followed)


def _touches(model: Model, linted: set[str]) -> bool:
    """A model defined in, or applying a layer of, a linted file: the only ones whose
    findings can be reported."""
    return model.path in linted or any(placed.layer.path in linted for placed in model.layers)


class _Reader:
    """Each file's result: from the project index (unchanged stamp), the cache (same
    content), or the workers; recorded in the index for the next run."""

    def __init__(self, index: ProjectIndex, cache: Cache, layout: Layout, settings, jobs, texts):
        self.index, self.cache, self.layout = index, cache, layout
        self.settings, self.jobs, self.texts = settings, jobs, texts
        self.stamps: dict[str, tuple[int, int] | None] = {}  # taken before reading
        self.parsed = 0  # files sent to the workers, linted or followed
        self.sent = 0  # files sent to the workers: analysed, or only compiled (the closure)
        self.finished = 0  # of which the workers have answered
        self.progress: Callable[[int, int], None] | None = None
        self.transient: set[str] = set()  # results that say nothing about the file's text
        self._stream = None  # the workers' stream of tasks, started with the first one

    def prepare(self, target: Target, errors: list[FileError], defer: bool = False) -> "FileResult | _Task | None":
        """A file's result from the index or the cache, or the task that makes it (None:
        it cannot be read, and `errors` says why).

        `defer`: a file that is no seed of the closure (droplint.closure) is not parsed
        but given a deferred result once Python's own parser accepts it (a file that does
        not parse is analysed, to report it as the full run does); without `defer`, a
        deferred result is never served."""
        data = self.texts.get(target.display)
        if data is None:
            known = self.index.unchanged(target.path, target.display)
            if known is not None and self._current(target.path, known[1]) and (defer or not known[1].deferred):
                self.stamps[target.display], result = known
                return result
            self.stamps[target.display] = project_stamp(target.path)
            try:
                data = _read_bytes(target.path)
            except source.SourceError as exc:
                errors.append(FileError(target.display, str(exc)))
                return None
        digest = source.digest_of(data)
        key = self.cache.key(target.display, digest)
        # The workers read a file from disk themselves: the parent holds no file's
        # bytes while they run (nor does a worker it forks inherit them).
        task_data = data if target.display in self.texts else OnDisk(target.path)
        if defer and not closure_of.may_be_code(data):  # a worker tells (closure_of.seeded_in_code)
            return _Task(target.display, task_data, key, True)
        cached = self.cache.get(key)
        if cached is not None and cached.digest == digest and cached.path == target.display \
                and self._current(target.path, cached):
            self._record(target, cached)
            return cached
        return _Task(target.display, task_data, key, False)

    def finish(self, target: Target, task: "_Task", result: FileResult) -> FileResult:
        """Keep what a task gave: in the cache and the index, and in the counts."""
        if not result.deferred:  # the index keeps a deferred one; a cache entry would never be read
            if not task.syntax_only or not result.skipped:
                self.parsed += 1
            if result.error is not None and result.error.message.startswith(_TRANSIENT):
                self.transient.add(task.display)  # never cached, indexed or remembered
            else:
                self.cache.put(task.key, result)
        self._record(target, result)
        return result

    def _record(self, target: Target, result: FileResult) -> None:
        if target.display in self.stamps and target.display not in self.transient:
            self.index.record(target.path, target.display, self.stamps[target.display], result)

    def submit(self, task: "_Task") -> int:
        """Hand a task to the workers; its ticket comes back with its answer (`answers`)."""
        if self._stream is None:
            self._stream = _Stream(self.jobs)
        self.sent += 1
        return self._stream.put(task.arguments(self.settings))

    def answers(self):
        """(ticket, result) of the tasks handed out, as they come, until none is left."""
        if self._stream is None:
            return
        for answer in self._stream:
            self._finished_one()
            yield answer

    def _finished_one(self) -> None:
        self.finished += 1
        if self.progress is not None:
            self.progress(self.finished, self.sent)

    def _current(self, path: str, result: FileResult) -> bool:
        """A stored summary names its module as the file system placed it then: a new
        `__init__.py` or root since makes it another module."""
        return result.summary is None or result.summary.module == self.layout.module(path).name


@dataclass(frozen=True)
class OnDisk:
    """A file's bytes, read where they are needed: in the worker that analyses it.

    The parent reads each file once (its digest, the closure's seed test) and lets the
    bytes go: held for every file until the workers are done, a tree's whole source
    (64 MiB on transformers + keras) would sit in the parent, and in every worker forked
    from it. A file that changes in between is analysed as it is then: its result
    carries that content's digest, so the cache never serves it for the old one."""

    path: str


def _bytes_of(data: bytes | OnDisk) -> bytes:
    return _read_bytes(data.path) if isinstance(data, OnDisk) else data


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(source.MAX_BYTES + 1)
    except OSError as exc:
        raise source.SourceError(f"cannot read: {exc.strerror or exc}") from None
    return data


@dataclass(frozen=True)
class _Settings:
    tf_version: int | None = None
    roots: tuple[str, ...] = ()  # declared import roots: module names depend on them


@dataclass(frozen=True)
class _Task:
    """A file for the workers: analysed, or (`syntax_only`, the closure) only compiled."""

    display: str
    data: "bytes | OnDisk"
    key: str  # its entry in the content cache
    syntax_only: bool

    def arguments(self, settings: _Settings) -> tuple:
        if self.syntax_only:
            return (self.display, self.data, settings, True)
        return (self.display, self.data, settings)


class _Stream:
    """A run's tasks, to the process's pool of workers (see `workers`): one worker, and
    `jobs` once there are MIN_FILES_FOR_POOL tasks. In this process where `ISOLATE` is
    off (tests that patch the analysis itself) or no child may be had: a daemonic
    process (a flake8 or pre-fork pool worker hosting the plugin) is its host's to bound."""

    def __init__(self, jobs: int | None):
        self.jobs = jobs or os.cpu_count() or 1
        self.count = 0
        self._inline: deque | None = deque() if not ISOLATE or multiprocessing.current_process().daemon else None
        self._stream: workers.Stream | None = None

    def put(self, task: tuple) -> int:
        self.count += 1
        if self._inline is not None:
            self._inline.append((self.count - 1, task))
            return self.count - 1
        size = 1 if self.jobs <= 1 or self.count < MIN_FILES_FOR_POOL else min(self.jobs, self.count)
        if self._stream is None:
            self._stream = _pool(size).stream(process_file, _failed)
        elif self._stream.pool.size < size:
            self._stream.pool.grow(size)
        return self._stream.put(task)

    def __iter__(self):
        if self._stream is not None:
            yield from self._stream
        while self._inline:
            ticket, (display, data, *rest) = self._inline.popleft()
            yield ticket, process_file(display, _bytes_of(data), *rest)


def _failed(task, reason: str) -> FileResult:
    display = task[0]
    try:
        data = _bytes_of(task[1])
    except source.SourceError:
        data = b""
    message = f"{WORKER_FAILED} {reason}"
    return FileResult(display, source.digest_of(data), error=FileError(display, message))


# A worker that died or overran says nothing lasting about the file (the machine may
# have been busy, the limits may change): such results, like internal errors, are
# neither cached nor remembered.
WORKER_FAILED = "skipped: the analysis"
_TRANSIENT = ("internal error", WORKER_FAILED)


_POOL: workers.Pool | None = None


def _pool(size: int) -> workers.Pool:
    """The process's pool of `size` workers, kept between runs (fix passes reuse it)."""
    global _POOL
    limits = workers.Limits.from_environment()
    if _POOL is not None and _POOL.limits != limits:
        _POOL.close()
        _POOL = None
    if _POOL is not None:
        _POOL.grow(size)
    if _POOL is None:
        method = _start_method()
        if method.get_start_method() == "fork":
            # This process needs them for the model rules anyway: imported once here,
            # a forked worker starts with them instead of importing them again (a third
            # of a pre-commit run over one file).
            _import_analysis()
        _POOL = workers.Pool(size, limits, method, deepstack.STACK_BYTES, _warm_up)
    return _POOL


def _import_analysis() -> None:
    import libcst  # noqa: F401

    from droplint.context import FileContext  # noqa: F401
    from droplint.frontends.summarize import summarize  # noqa: F401
    from droplint.rulebook import registry

    registry.all_rules()


def _warm_up() -> None:
    """Import what analysis needs before a worker takes its first file (the time budget
    is for the file, not for the imports), and start the analysis thread."""
    _import_analysis()
    deepstack.run(int)


def _start_method():
    if sys.platform != "linux":
        return multiprocessing.get_context()
    if _safe_to_fork():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["droplint.engine"])  # each fresh worker starts warm
    return context


def _safe_to_fork() -> bool:
    """Fork (fast: workers inherit the imported modules) only a single-threaded process.

    Forking a process in which a native library runs threads (droplint used as a library
    next to JAX or PyTorch, as in our own test suite) can deadlock the child; such a
    process gets the platform's safe default start method instead.
    """
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return False
    return threads <= 1 + deepstack.threads_started()


def process_file(display: str, data: bytes | OnDisk, settings: _Settings = _Settings(), syntax_only: bool = False) -> FileResult:
    """Everything droplint learns from one file on its own. Runs in a worker.

    `syntax_only`: a file outside the closure so far is only compiled (a tenth of a libcst
    parse) and deferred; one that does not compile is analysed in full, which reports it,
    and so is one whose code (the parent saw seed words after a `#` only) is a seed."""
    try:
        data = _bytes_of(data)
    except source.SourceError as exc:
        return FileResult(display, source.digest_of(b""), error=FileError(display, str(exc)))
    digest = source.digest_of(data)
    if not PREFILTER.search(data):
        return FileResult(display, digest, skipped=True)
    try:
        text = source.decode(data).text
    except source.SourceError as exc:
        return FileResult(display, digest, error=FileError(display, str(exc)))
    if suppression.skips_file(text):
        return FileResult(display, digest, skipped=True)
    if syntax_only and _compiles(text) and not closure_of.seeded_in_code(data):
        return FileResult(display, digest, deferred=True)
    if deepstack.too_deep(text):
        message = f"cannot parse: nested more than {deepstack.PYTHON_MAX_NESTING} levels deep"
        return FileResult(display, digest, error=FileError(display, message))
    rows: list[int] = []  # where each logical line starts: spans per statement (droplint.positions)
    try:
        tokens = guard.check(text, rows)
    except guard.Refused as exc:
        return FileResult(display, digest, error=FileError(display, f"skipped: {exc}"))
    try:
        with collector.paused():
            return deepstack.run(_analyse, display, digest, text, settings, tokens, rows)
    except RecursionError:
        return FileResult(display, digest, error=FileError(display, "too deeply nested to analyse; skipped"))
    except MemoryError:  # the worker reports it and makes way for a fresh one
        raise
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        message = f"internal error while analysing: {type(exc).__name__}: {exc}"
        return FileResult(display, digest, error=FileError(display, message))


def _compiles(text: str) -> bool:
    try:
        compile(text, "<droplint>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # analysed in full: its guard and parser give the message
    return True


def _analyse(display: str, digest: str, text: str, settings: _Settings, tokens: int = 0,
             rows: list[int] | None = None) -> FileResult:
    # Imported here: a run served from the cache never needs libcst (a third of a second).
    import libcst as cst

    from droplint.context import FileContext
    from droplint.frontends.summarize import summarize
    from droplint.rulebook import registry

    # A data table's items would be most of the tree and none of the findings: parse
    # the text with the inside of each table blanked (positions stay where they are).
    read = tables.blank(text, tables.find(text))
    try:  # a file whose tree would outgrow the worker is read in outline (droplint.budget)
        outline = budget.fit(read, tokens)
    except budget.OverBudget as exc:
        return FileResult(display, digest, error=FileError(display, f"skipped: {exc}"))
    if outline is not read:
        read, rows = outline, None  # its statements are no longer those the rows were read from
    try:
        module = cst.parse_module(read)
    except cst.ParserSyntaxError as exc:
        return FileResult(display, digest, error=_parse_error(display, text, exc))
    collector.tree_built()
    ctx = FileContext(display, read, module, settings, rows)
    diagnostics = []
    for rule in registry.file_rules():
        diagnostics.extend(rule.check_file(ctx))
    summary = summarize(ctx)
    ctx.close()
    return FileResult(
        path=display,
        digest=digest,
        summary=summary,
        diagnostics=tuple(diagnostics),
        noqa=suppression.line_directives(text),
    )


def _parse_error(display: str, text: str, exc) -> FileError:
    """Python's own message where it has one: it names the problem more plainly."""
    try:
        compile(text, "<droplint>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as syntax:
        return FileError(display, f"cannot parse: {syntax.msg}", syntax.lineno, syntax.offset)
    except (ValueError, RecursionError, MemoryError):
        pass
    return FileError(display, f"cannot parse: {exc.message}", exc.raw_line, exc.raw_column + 1)


def _cut(model: Model | Judged) -> FileError:
    from droplint.analysis.link import MAX_NODES

    return FileError(
        model.path,
        f"model {model.name} not checked: it inlines to {model.cut} layers (blocks that "
        f"reuse blocks), more than {MAX_NODES}",
    )


def _model_diagnostics(models: list[Model], config: Config) -> list[Diagnostic]:
    from droplint.rulebook import registry

    found = []
    model_rules = registry.model_rules()
    for model in models:
        if model.root:
            for rule in model_rules:
                found.extend(rule.check_model(model, config))
    return _unique(found)


def _unique(diagnostics) -> list[Diagnostic]:
    """A block used by several roots (or twice in one) is judged in each: say it once."""
    unique = {}
    for diagnostic in diagnostics:
        unique.setdefault((diagnostic.path, diagnostic.span, diagnostic.code, diagnostic.message), diagnostic)
    return list(unique.values())


def _filter(diagnostics, config: Config, noqa: dict, skipped: set) -> list[Diagnostic]:
    from droplint.rulebook import registry

    enabled = registry.enabled_codes(config)
    kept = []
    per_path: dict[str, tuple[str, ...]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code not in enabled or diagnostic.path in skipped:
            continue
        if diagnostic.path not in per_path:
            per_path[diagnostic.path] = registry.ignored_for_path(
                config, _relative(diagnostic.path, config.root)
            )
        if registry.is_ignored(diagnostic.code, per_path[diagnostic.path]):
            continue
        directives = noqa.get(diagnostic.path, ())
        lines = (diagnostic.span.line, *diagnostic.noqa_lines)
        if any(suppression.suppressed(diagnostic.code, line, directives) for line in lines):
            continue
        kept.append(diagnostic)
    return kept


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
