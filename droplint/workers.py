"""Child processes that analyse one file at a time within a memory limit and a time budget.

A file that makes the analysis run out of memory, crash or run past its budget costs that
file only: it is reported, its worker is replaced, and the run goes on. Even `-j1` parses
in a child, so the droplint process itself never holds a hostile file's syntax tree.

- Memory: `RLIMIT_AS` in each worker (default 1024 MiB, `DROPLINT_MAX_MEMORY` in MiB), on
  top of the analysis thread's reserved stack (`deepstack`), which is address space that
  is committed only when used.
- Time: a budget of processor seconds per file (default 60 s, `DROPLINT_MAX_SECONDS`),
  enforced by the parent, which kills a worker that overruns. Processor time, not wall
  time, so a loaded CI machine does not skip files; ten times the budget in wall time
  also counts as over.
- Memory between files: a worker gives the memory a large file left in its heap back to
  the system before it takes the next (`droplint.heap`).
- Orphans: a worker dies with the process that started it (`PR_SET_PDEATHSIG` on Linux),
  so a killed run leaves nothing holding CI's stdout open.

The limits come from the environment, never from the linted tree's configuration: a
repository must not be able to raise them.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait

from droplint.heap import Heap

DEFAULT_MEMORY_MIB = 1024
DEFAULT_SECONDS = 60.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    memory_mib: int = DEFAULT_MEMORY_MIB
    seconds: float = DEFAULT_SECONDS

    @classmethod
    def from_environment(cls) -> Limits:
        return cls(
            memory_mib=_positive(os.environ.get("DROPLINT_MAX_MEMORY"), int, DEFAULT_MEMORY_MIB),
            seconds=_positive(os.environ.get("DROPLINT_MAX_SECONDS"), float, DEFAULT_SECONDS),
        )


def _positive(text: str | None, kind, default):
    try:
        value = kind(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


class _OutOfMemory:
    """Sent by a worker whose task raised MemoryError (the worker then exits)."""


_POLL_SECONDS = 0.5  # how often the parent looks at a busy worker's clock
# A worker that waits for the processor that long past its budget counts as over it.
_WALL_FACTOR = 10
_READY = "ready"  # sent by a worker once it has imported what it needs
_STARTS = 3  # a worker that cannot start this many times in a row: give up


class WorkerError(RuntimeError):
    """Worker processes cannot start at all (a memory limit below what imports need)."""


class _Worker:
    def __init__(self, context, limits: Limits, reserved: int, warm_up):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child_end, limits.memory_mib * 2**20 + reserved, os.getpid(), warm_up),
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.ready = False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class Pool:
    """A fixed number of workers, kept between runs of one process (fix passes reuse it)."""

    def __init__(self, size: int, limits: Limits, context, reserved: int = 0, warm_up=None):
        self.limits = limits
        self._context = context
        self._reserved = reserved
        self._warm_up = warm_up
        self._failed_starts = 0
        self._workers = [self._start() for _ in range(size)]

    @property
    def size(self) -> int:
        return len(self._workers)

    def map(self, function, tasks: list[tuple], failed, finished=None) -> list:
        """`function(*task)` for every task, in order. A task whose worker dies or overruns
        gets `failed(task, reason)` instead; the run goes on with a fresh worker.
        `finished()`, if given, is called as each task's result arrives."""
        results: list = [None] * len(tasks)
        pending = deque(range(len(tasks)))
        busy: dict[_Worker, tuple[int, _Clock]] = {}  # worker -> (task index, its clock)
        while pending or busy:
            for worker in self._workers:
                if pending and worker.ready and worker not in busy:
                    index = pending.popleft()
                    worker.connection.send((os.getcwd(), function, tasks[index]))
                    busy[worker] = (index, _Clock(worker.process.pid))
            starting = [w for w in self._workers if not w.ready]
            watched = list(busy) + starting
            timeout = _POLL_SECONDS if busy else None
            ready = set(wait([w.connection for w in watched] + [w.process.sentinel for w in watched], timeout))
            for worker in starting:
                self._check_start(worker, ready)
            for worker, (index, clock) in list(busy.items()):
                outcome = self._outcome(worker, ready, clock)
                if outcome is None:
                    continue
                del busy[worker]
                if isinstance(outcome, _Failure):
                    results[index] = failed(tasks[index], outcome.reason)
                    self._replace(worker)
                else:
                    results[index] = outcome.value
                if finished is not None:
                    finished()
        return results

    def _check_start(self, worker: _Worker, ready: set) -> None:
        if worker.connection not in ready and worker.process.sentinel not in ready:
            return
        try:
            if worker.connection.poll() and worker.connection.recv() == _READY:
                worker.ready = True
                self._failed_starts = 0
                return
        except (EOFError, OSError):
            pass
        self._failed_starts += 1
        if self._failed_starts >= _STARTS:
            raise WorkerError(
                f"worker processes cannot start ({_death(worker.process.exitcode)}); "
                f"is DROPLINT_MAX_MEMORY ({self.limits.memory_mib} MiB) too low?"
            )
        self._replace(worker)

    def _outcome(self, worker: _Worker, ready: set, clock: _Clock):
        """The worker's answer, a failure, or None while it is still within its budget."""
        if worker.connection in ready or worker.process.sentinel in ready:
            try:
                if worker.connection.poll():
                    value = worker.connection.recv()
                    if isinstance(value, _OutOfMemory):
                        return _Failure(f"needs more than its memory limit ({self.limits.memory_mib} MiB)")
                    return _Answer(value)
            except (EOFError, OSError):
                pass
            worker.process.join(5)
            return _Failure(
                f"process died ({_death(worker.process.exitcode)}), "
                f"most likely at its memory limit ({self.limits.memory_mib} MiB)"
            )
        if clock.over(self.limits.seconds):
            return _Failure(f"took more than {self.limits.seconds:g} s of processor time")
        return None

    def _start(self) -> _Worker:
        return _Worker(self._context, self.limits, self._reserved, self._warm_up)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []


class _Clock:
    """Processor time a worker spends on its current file (Linux: from /proc), so a busy
    machine does not make a file run over; wall-clock time elsewhere, and as a backstop."""

    def __init__(self, pid: int):
        self._stat = f"/proc/{pid}/stat"
        self._wall = time.monotonic()
        self._cpu = self._used()

    def over(self, seconds: float) -> bool:
        wall = time.monotonic() - self._wall
        used = self._used()
        if used is None or self._cpu is None:
            return wall > seconds
        return used - self._cpu > seconds or wall > seconds * _WALL_FACTOR

    def _used(self) -> float | None:
        try:
            with open(self._stat, "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


try:
    _TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    _TICKS = 100


@dataclass(frozen=True)
class _Answer:
    value: object


@dataclass(frozen=True)
class _Failure:
    reason: str


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _serve(connection, address_space: int, parent: int, warm_up) -> None:
    """A worker's loop: receive (folder, function, args), send back function(*args) as run
    from the parent's working folder (relative display paths resolve against it)."""
    _die_with_parent(parent)
    _quiet_native_errors()
    _limit_memory(address_space)
    if warm_up is not None:
        warm_up()
    heap = Heap()
    connection.send(_READY)
    while True:
        try:
            folder, function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            _enter(folder)
            result = function(*args)
        except MemoryError:  # the heap may be in pieces: answer, then make way for a fresh worker
            connection.send(_OutOfMemory())
            return
        connection.send(result)
        # Hold nothing of the last task while waiting for the next, and give back what a
        # large file left in the heap (droplint.heap): a worker's peak is then its largest
        # file's, not that plus what the files before it left behind.
        del function, args, result
        heap.settle()


def _enter(folder: str) -> None:
    try:
        os.chdir(folder)  # cheap, and the worker's previous folder may be gone
    except OSError:
        pass


def _quiet_native_errors() -> None:
    """A native parser that runs out of memory prints its own panic before it aborts; the
    parent reports that file in one line, so the worker's stderr goes nowhere."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:
        pass


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this worker when the process (thread) that made it ends."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == parent:
        return
    # A forkserver's workers are the server's children (it ends when droplint's process
    # does); otherwise the parent ended before prctl took effect.
    watched = multiprocessing.parent_process()
    if watched is None or not _parent_alive(watched):
        os._exit(1)


def _parent_alive(parent) -> bool:
    try:
        return parent.is_alive()
    except (AssertionError, ValueError, OSError):
        return True


def _limit_memory(address_space: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time budget still bounds the run
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        address_space = min(address_space, hard)
    resource.setrlimit(resource.RLIMIT_AS, (address_space, hard))
