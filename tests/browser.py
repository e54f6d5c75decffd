"""Debian's Chromium, headless, driven by Playwright: open a local page, record what went wrong.

Playwright's wheel carries its own driver; the browser is the system's `chromium`
(`apt-get install -y chromium`), never one Playwright downloads.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("/usr/bin/chromium", "chromium")
# Quiet, offline, and fit for a container run as root.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "Debian's chromium is not installed: the HTML profile is tested in a real browser. "
        "Install it with `apt-get install -y chromium` (.ci/run does)."
    )


@dataclass
class Visit:
    """A page opened in the browser, with every console error and every request it made."""

    page: object
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextlib.contextmanager
def chromium():
    """A fresh browser context (its own --user-data-dir), closed afterwards."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the `test` extra installs it
        raise BrowserMissing(f"playwright is not installed ({exc}): pip install -e '.[test]'") from None
    with tempfile.TemporaryDirectory(prefix="droplint-chromium-") as profile, sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


def visit(context, path: Path, fragment: str = "") -> Visit:
    """Open a local file and wait until it has loaded, recording errors and requests."""
    page = context.new_page()
    # Everything is local, but a busy 2-core machine can take tens of seconds to lay out and
    # shoot a page; a wait of a minute is a failure, not a slow machine.
    page.set_default_timeout(60_000)
    url = path.resolve().as_uri()
    seen = Visit(page, url)
    page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.goto(url + fragment, wait_until="load")
    return seen
