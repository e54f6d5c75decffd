"""`droplint profile --format html` read as markup: index, anchors, filter, chart, escaping.

What a browser makes of it (sizes, console, clicks) is in test_profile_html_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Droplint

from droplint.report import depth_chart
from droplint.report.depth_chart import Point
from droplint.report.profile_findings import attribute

ROOT = Path(__file__).resolve().parents[1]
BANDS = {"input": (0.1, 0.3), "hidden": (0.3, 0.5), "final-hidden": (0.5, 0.7)}

NET_AND_PLAIN = """\
from torch import nn


class Net(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.drop = nn.Dropout(config.p)
        self.head = nn.Linear(4, 2)
        self.out_drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.out_drop(self.head(self.drop(self.fc(x))))


class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)
"""


class Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split())]


@pytest.fixture
def at_root(monkeypatch):
    return Droplint(ROOT, monkeypatch)


def _page(droplint, *paths) -> str:
    result = droplint("profile", "--no-cache", "--format", "html", *paths)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_index_links_every_root_model_to_its_section(at_root):
    page = _page(at_root, "fixtures")
    parsed = Elements(page)
    ids = [a["id"] for _, a in parsed.tags if "id" in a]
    assert len(ids) == len(set(ids)), "ids are unique"
    sections = [s for s in parsed.all("section", "model") if re.fullmatch(r"m\d+-[\w-]+", s["id"])]
    assert {s["id"] for s in parsed.all("section", "model")} - {s["id"] for s in sections} == {"outside"}
    links = [a["href"] for a in parsed.all("a") if a.get("href", "").startswith("#m")]
    index_links = links[: len(sections)]
    assert len(sections) > 50
    assert index_links == ["#" + s["id"] for s in sections]
    assert all(href[1:] in ids for href in links)


def test_models_without_dropout_are_marked_and_hidden_by_css(droplint, tmp_path):
    (tmp_path / "models.py").write_text(NET_AND_PLAIN)
    page = _page(droplint)
    parsed = Elements(page)
    hidden_sections = parsed.all("section", "no-dropout")
    assert [s["id"] for s in hidden_sections] == ["m2-Plain"]
    assert len(parsed.all("li", "no-dropout")) == 1
    assert "show models without dropout (1)" in page
    checkbox = [a for a in parsed.all("input") if a.get("id") == "show-all"]
    assert checkbox and "checked" not in checkbox[0]
    assert "body:has(#show-all:not(:checked)) .no-dropout:not(:target) { display: none; }" in page
    assert len(parsed.all("svg", "depth-chart")) == 1, "a model without dropout has no chart"


def test_a_rate_that_is_not_known_sits_in_the_lane_below_not_at_zero(droplint, tmp_path):
    (tmp_path / "models.py").write_text(NET_AND_PLAIN)
    page = _page(droplint)
    low_lane_y = sum(depth_chart.LOW_LANE) / 2
    unknown_dot = re.search(
        r"<g class='dropout unknown'><title>D1 self\.drop .*?</title><circle class='dot' cx='([\d.]+)' cy='([\d.]+)'",
        page,
        re.S,
    )
    assert unknown_dot is not None
    assert float(unknown_dot.group(2)) == low_lane_y
    assert depth_chart.PLOT_LEFT <= float(unknown_dot.group(1)) <= depth_chart.PLOT_RIGHT
    assert "D1 ?" in page  # its label says the rate is unknown


def test_the_output_dropout_is_ringed_with_its_code(at_root):
    page = _page(at_root, "fixtures/torch/output_dropout.py")
    assert page.count("<circle class='finding-ring'") == 1
    assert "<g class='dropout output flagged'>" in page
    assert "<text class='code-label'" in page and ">DL102</text>" in page
    assert "<span class='chip sev-error'>DL102</span>" in page  # in the index, and in the list
    assert "<span class='on'>on D1</span>" in page


def test_the_page_fetches_nothing(at_root):
    page = _page(at_root, "fixtures")
    assert "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">" in page
    for forbidden in ("<script", "<link", "<img", "src=", "url(", "@import", "@font-face", "https://"):
        assert forbidden not in page, forbidden
    assert re.findall(r"http://[^'\"]*", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")


def test_text_from_the_source_is_escaped_exactly_once(droplint, tmp_path):
    hostile = "x<script>'q\"&amp;\x1b[31m"
    (tmp_path / hostile).mkdir()
    (tmp_path / hostile / "models.py").write_text(NET_AND_PLAIN)
    page = _page(droplint)
    escaped = "x&lt;script&gt;&#x27;q&quot;&amp;amp;\\x1b[31m"  # a control character is shown, not sent
    assert "<script" not in page and hostile not in page and "\x1b" not in page
    assert page.count(escaped) >= 6  # index, headings, tooltips, findings
    assert "&amp;lt;" not in page and "&amp;amp;amp;" not in page


def test_chart_lanes_hold_what_is_unknown_and_off_scale():
    points = [
        Point(1, 0.5, 0.4, "0.4", "hidden", "ok", (), ("placed",)),
        Point(2, None, 0.2, "0.2", None, "unknown", (), ("position unknown",)),
        Point(3, 0.25, None, "?", "hidden", "unknown", (), ("rate unknown",)),
        Point(4, 0.75, 256.0, "256", "hidden", "above", ("DL201",), ("a width as a rate",)),
    ]
    svg = depth_chart.render(points, BANDS, "chart")
    dots = re.findall(r"<circle class='dot' cx='([\d.]+)' cy='([\d.]+)'", svg)
    side, low = sum(depth_chart.SIDE_LANE) / 2, sum(depth_chart.LOW_LANE) / 2
    assert [(float(x), float(y)) for x, y in dots] == [
        (depth_chart.x_of(0.5), depth_chart.y_of(0.4)),
        (side, depth_chart.y_of(0.2)),
        (depth_chart.x_of(0.25), low),
        (depth_chart.x_of(0.75), low),
    ]
    assert ">D3 ?</text>" in svg and ">D4 256</text>" in svg and ">DL201</text>" in svg
    assert svg.count("finding-ring") == 1


def test_bands_are_the_configured_ones_behind_their_own_dropouts():
    bands = {"input": (0.05, 0.15), "hidden": (0.2, 0.4), "final-hidden": (0.5, 0.7)}
    points = [Point(1, 0.3, 0.3, "0.3", "hidden", "ok", (), ()), Point(2, 0.6, 0.35, "0.35", "hidden", "ok", (), ())]
    svg = depth_chart.render(points, bands, "chart")
    rects = re.findall(r"<rect class='band band-([a-z-]+)' x='([\d.]+)' y='([\d.]+)' width='([\d.]+)' height='([\d.]+)'", svg)
    assert len(rects) == 1, "only positions that occur get a band"
    position, x, y, width, height = rects[0]
    assert position == "hidden"
    assert float(y) == depth_chart.y_of(0.4) and float(height) == depth_chart.y_of(0.2) - depth_chart.y_of(0.4)
    pad = depth_chart.BAND_PADDING
    assert abs(float(x) - depth_chart.x_of(0.3 - pad)) < 0.01
    assert abs(float(x) + float(width) - depth_chart.x_of(0.6 + pad)) < 0.01
    assert "hidden 0.2\u20130.4" in svg


def test_unlike_dropouts_at_one_place_keep_their_own_colour():
    points = [Point(1, 0.2, 0.1, "0.1", "input", "ok", (), ()), Point(2, 0.2, 0.1, "0.1", "hidden", "below", (), ()),
              Point(3, 0.2, 0.1, "0.1", "hidden", "below", (), ())]
    svg = depth_chart.render(points, BANDS, "chart")
    groups = re.findall(r"<g class='dropout (\w+)'>.*?<circle class='dot' cx='([\d.]+)'", svg, re.S)
    assert [verdict for verdict, _ in groups] == ["ok", "below"]
    assert float(groups[1][1]) - float(groups[0][1]) == depth_chart.DODGE
    assert ">D1 D2 D3</text>" in svg


def test_findings_go_to_their_dropout_their_model_or_outside():
    from droplint import engine
    from droplint.config import load
    from droplint.discover import discover

    paths = ["fixtures/basics/width_as_rate.py", "fixtures/handrolled/numpy_unscaled.py", "fixtures/torch/output_dropout.py"]
    config = load(None, start=ROOT)
    targets, errors = discover([str(ROOT / p) for p in paths], exclude=config.exclude, root=config.root)
    result = engine.lint(targets, config, engine.Options(use_cache=False), errors, need_models=True)
    found = attribute(result.diagnostics, result.models)
    by_name = {m.name: found.by_model[m.key] for m in result.models if m.root}
    codes = {name: [(d.code, d.span.line) for d in f.all] for name, f in by_name.items()}
    assert codes["OutputDropout"] == [("DL102", 17)]
    assert codes["make_classifier"] == [("DL201", 10)]
    assert codes["Head"] == [("DL201", 19)]  # at the constructor: the model's, on no dropout
    assert by_name["Head"].by_layer == {}
    (on_output,) = by_name["OutputDropout"].by_layer.values()
    assert [d.code for d in on_output] == ["DL102"]
    assert [(d.code, Path(d.path).name) for d in found.outside] == [("DL401", "numpy_unscaled.py")]


def test_a_label_at_the_right_edge_stays_out_of_the_lane():
    svg = depth_chart.render([Point(1, 1.0, 0.5, "0.5", "output", "output", ("DL102",), ())], BANDS, "chart")
    labels = re.findall(r"<text class='(dot|code)-label' x='([\d.]+)' y='[\d.]+'( text-anchor='end')?>", svg)
    assert [(kind, anchor) for kind, _, anchor in labels] == [("dot", " text-anchor='end'"), ("code", " text-anchor='end'")]
    assert all(float(x) < depth_chart.x_of(1.0) for _, x, _ in labels)
    assert "<rect class='output-zone'" in svg
