"""A progress line on stderr for long runs: files analysed out of the total, and the time.

Shown only on a terminal (a pipe, a file or a CI log gets nothing) and only once a run has
lasted about a second with files still to go, so a warm run, a pre-commit run on a few
files or an editor never shows it. Drawn by click's progress bar.

The engine knows nothing of it: it calls `Options.progress(done, total)` each time it
finishes analysing a file (`done` counts up within one `engine.lint`; a new run starts
again from 1, as the passes of `--fix` do).
"""

from __future__ import annotations

import contextlib
import time

import click

DELAY_SECONDS = 1.0


class Progress:
    def __init__(self, stream, delay: float = DELAY_SECONDS):
        self.stream = stream
        self.enabled = _is_terminal(stream)
        self.delay = delay
        self.started = time.monotonic()
        self.last_done = 0
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if done < self.last_done:  # the next run (a --fix pass): it earns its own bar
            self.close()
            self.started = time.monotonic()
        self.last_done = done
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < self.delay:
                return
            self.bar = click.progressbar(
                length=total, label="analysing", file=self.stream, show_pos=True,
                show_percent=False, show_eta=False, item_show_func=self._elapsed,
            )
            self.bar.__enter__()
        self.bar.length = max(total, done)  # followed imports add files as the run goes
        self.bar.update(done - self.bar.pos)

    def _elapsed(self, _item) -> str:
        return f"{time.monotonic() - self.started:.0f} s"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


@contextlib.contextmanager
def on(stream):
    """A Progress for one command, closed (its line ended) when the command ends."""
    progress = Progress(stream)
    try:
        yield progress
    finally:
        progress.close()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
