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
from multiprocessing.reduction import ForkingPickler

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

    def grow(self, size: int) -> None:
        """At least `size` workers from now on (a stream being read takes them in)."""
        while len(self._workers) < size:
            self._workers.append(self._start())

    def stream(self, function, failed) -> Stream:
        """Tasks handed out as they come (`put`), answers as they arrive (iterate)."""
        return Stream(self, function, failed)

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


# Tasks a worker holds at once: the one it runs and the next, sent ahead so that it never
# waits for the parent to take an answer and hand it another (a few milliseconds a file on
# a busy machine: some 20 s of two workers' time in a cold run over transformers + keras).
_AHEAD = 2
# A task sent ahead is small (a file named, not its bytes): the worker reads it only when
# its answer is sent, and two full pipes would wait for each other for ever.
_AHEAD_BYTES = 16 * 1024


class Stream:
    """Tasks handed to a pool's workers as they are put, answers as they arrive.

    Iterating yields (ticket, answer), `ticket` being the task's number in the order of
    `put`, as answers arrive, until every task put so far is answered; a task put while
    iterating is handed out too. A worker holds up to `_AHEAD` tasks (the one it runs,
    whose clock starts when the previous answer comes), and a second one only while
    more tasks wait than there are workers: near the end, each goes to the first worker
    free. A worker that dies or overruns fails the task it runs; the task sent after it
    goes back to the front of the queue for a fresh worker."""

    def __init__(self, pool: Pool, function, failed):
        self.pool, self._function, self._failed = pool, function, failed
        self._pending: deque = deque()  # (ticket, task), not yet sent
        self._held: dict[_Worker, deque] = {}  # what each worker was sent: the first one runs
        self._clocks: dict[_Worker, _Clock] = {}  # of the task each worker runs
        self._answers: deque = deque()  # (ticket, answer), not yet taken
        self._tickets = 0

    def put(self, task) -> int:
        ticket = self._tickets
        self._tickets += 1
        self._pending.append((ticket, task))
        self._step(0)
        return ticket

    def __iter__(self):
        while self._answers or self._pending or any(self._held.values()):
            if not self._answers:
                self._step(_POLL_SECONDS)
            while self._answers:
                yield self._answers.popleft()

    def _step(self, timeout: float) -> None:
        """Hand out what waits, and take the answers that came within `timeout` seconds
        (waiting without end while only starting workers can answer)."""
        workers = self.pool._workers
        self._hand_out(workers)
        starting = [w for w in workers if not w.ready]
        busy = [w for w in workers if self._held.get(w)]
        if not busy and not (starting and self._pending):
            return
        watched = busy + starting
        ready = set(wait([w.connection for w in watched] + [w.process.sentinel for w in watched],
                         timeout if busy or not timeout else None))
        for worker in starting:
            self.pool._check_start(worker, ready)
        for worker in busy:
            self._collect(worker, ready)
        self._hand_out(self.pool._workers)

    def _hand_out(self, workers: list[_Worker]) -> None:
        for depth in range(1, _AHEAD + 1):
            for worker in workers:
                held = self._held.setdefault(worker, deque())
                if not self._pending or not worker.ready or len(held) >= depth:
                    continue
                if held and len(self._pending) <= len(workers):
                    continue  # few left: keep them for whichever worker is free first
                ticket, task = self._pending[0]
                message = ForkingPickler.dumps((os.getcwd(), self._function, task))
                if held and len(message) > _AHEAD_BYTES:
                    continue  # it could fill the pipe of a worker that is sending its answer
                self._pending.popleft()
                worker.connection.send_bytes(message)
                if not held:
                    self._clocks[worker] = _Clock(worker.process.pid)
                held.append((ticket, task))

    def _collect(self, worker: _Worker, ready: set) -> None:
        """The answers `worker` has given; on a failure, its replacement."""
        held = self._held[worker]
        while held:
            outcome = self.pool._outcome(worker, ready, self._clocks[worker])
            if outcome is None:
                return
            ticket, task = held.popleft()
            if isinstance(outcome, _Failure):
                self._answers.append((ticket, self._failed(task, outcome.reason)))
                self._pending.extendleft(reversed(held))  # never started: sent again
                del self._held[worker], self._clocks[worker]
                self.pool._replace(worker)
                return
            self._answers.append((ticket, outcome.value))
            if held:
                self._clocks[worker] = _Clock(worker.process.pid)
                ready = set(wait([worker.connection, worker.process.sentinel], 0))


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
