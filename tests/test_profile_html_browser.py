"""The HTML profile in a real browser: Debian's Chromium, headless, through Playwright.

Renders the fixtures' profile as a user does (`droplint profile --format html fixtures`),
opens it, and writes screenshots to build/ for a developer to look at:
build/profile-fixtures.png (the first screen) and build/profile-fixtures-full.png.
Chromium missing is a failure with the command that installs it, never a skip.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from browser import BrowserMissing, chromium, visit

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
HOSTILE_DIR = "x<script>'q\"&amp;"  # markup, both quotes and an entity: a folder name may hold them all


def _droplint(*args, cwd=ROOT) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "droplint", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as context:
            yield context
    except BrowserMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def fixtures_page(browser):
    BUILD.mkdir(exist_ok=True)
    page_file = BUILD / "profile-fixtures.html"
    page_file.write_text(_droplint("profile", "--no-cache", "--format", "html", "fixtures"), encoding="utf-8")
    seen = visit(browser, page_file)
    seen.page.screenshot(path=str(BUILD / "profile-fixtures.png"))
    seen.page.screenshot(path=str(BUILD / "profile-fixtures-full.png"), full_page=True)
    return seen


def test_the_page_loads_without_console_errors_or_requests(fixtures_page):
    assert fixtures_page.errors == []
    assert {url.split("#")[0] for url in fixtures_page.requests} == {fixtures_page.url}
    assert (BUILD / "profile-fixtures.png").stat().st_size > 10_000


def test_every_model_with_dropout_has_a_chart_with_a_size(fixtures_page):
    profile = json.loads(_droplint("profile", "--no-cache", "--format", "json", "fixtures"))
    with_dropout = [m for m in profile["models"] if m["root"] and any(l["kind"] == "dropout" for l in m["layers"])]
    charts = fixtures_page.page.locator("svg.depth-chart")
    assert charts.count() == len(with_dropout) > 50
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, index


def test_every_index_anchor_resolves_to_its_model(fixtures_page):
    targets = fixtures_page.page.evaluate(
        """() => [...document.querySelectorAll('nav#index a[href^="#"]')].map(a => {
               const target = document.getElementById(a.getAttribute('href').slice(1));
               return [a.textContent, target ? target.querySelector('h2').textContent : null,
                       a.closest('ol') !== null];
           })"""
    )
    assert sum(1 for _, _, is_model in targets if is_model) > 50
    for text, heading, is_model in targets:
        assert heading is not None, f"index link '{text}' resolves to nothing"
        if is_model:
            assert text in heading


def test_findings_are_ringed_on_their_dropout(fixtures_page):
    page = fixtures_page.page
    anchor = page.locator("nav#index").get_by_role("link", name="OutputDropout", exact=True).get_attribute("href")
    section = page.locator(anchor)
    ring = section.locator("svg g.flagged .finding-ring")
    assert ring.count() == 1
    assert ring.bounding_box()["width"] > 0
    assert section.locator("svg .code-label").text_content() == "DL102"
    assert section.locator("svg g.flagged").get_attribute("class") == "dropout output flagged"


@pytest.fixture(scope="module")
def hostile_page(browser, tmp_path_factory):
    """A folder whose name is markup, with a model that has dropout and one that has none."""
    project = tmp_path_factory.mktemp("hostile")
    folder = project / HOSTILE_DIR
    folder.mkdir()
    (folder / "model.py").write_text(
        "from torch import nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        self.drop = nn.Dropout(0.5)\n\n"
        "    def forward(self, x):\n"
        "        return self.drop(self.fc(x))\n\n\n"
        "class Plain(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n\n"
        "    def forward(self, x):\n"
        "        return self.fc(x)\n",
        encoding="utf-8",
    )
    page_file = project / "profile.html"
    page_file.write_text(_droplint("profile", "--no-cache", "--format", "html", ".", cwd=project), encoding="utf-8")
    return visit(browser, page_file)


def test_text_from_the_source_is_escaped_exactly_once(hostile_page):
    page = hostile_page.page
    assert hostile_page.errors == []
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    wheres = page.locator("section.model .where").all_text_contents()
    assert f"{HOSTILE_DIR}/model.py:4" in wheres
    finding = page.locator("ul.findings .where").first.text_content()
    assert finding.startswith(f"{HOSTILE_DIR}/model.py:11")


def test_models_without_dropout_are_hidden_until_asked_for(hostile_page):
    page = hostile_page.page
    plain = page.locator("section.model", has_text="Plain")
    plain_row = page.locator("nav#index li", has_text="Plain")
    assert not plain.is_visible() and not plain_row.is_visible()
    assert page.locator("section.model", has_text="Net").first.is_visible()
    page.locator("#show-all").check()
    assert plain.is_visible() and plain_row.is_visible()
    page.locator("#show-all").uncheck()
    plain_row.locator("a").evaluate("a => a.click()")  # a link to a hidden model still shows it
    assert plain.is_visible()


def test_a_missing_chromium_is_a_failure_that_says_how_to_install_it(monkeypatch):
    import browser as driver

    monkeypatch.setattr(driver, "CHROMIUM_NAMES", ("/nonexistent/chromium",))
    with pytest.raises(BrowserMissing, match=r"apt-get install -y chromium"):
        with driver.chromium():
            pass
