"""An inline SVG chart of one model's dropouts: rate (y, 0..1) against depth (x, input..output).

The recommended bands of the positions that occur are drawn behind the dropouts of that
position, so a dot is read against the band it is judged by. Nothing is invented: a
dropout whose position is unknown sits in a lane to the right (at its rate), one whose
rate is unknown or off the 0..1 scale sits in a lane below (at its depth, labelled with
what is written), and a dropout with neither sits where the two lanes meet.
"""

from __future__ import annotations

from dataclasses import dataclass

from droplint.ir import Position
from droplint.report.escape import html as escape

# Geometry, in viewBox units: the plot, then a lane to its right and one below it.
WIDTH, HEIGHT = 560, 292
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 46, 456, 12, 212
SIDE_LANE = (472, 520)  # x range: position unknown
LOW_LANE = (226, 250)  # y range: rate unknown or off the 0..1 scale
BAND_PADDING = 0.05  # how far (in depth) a band reaches beyond its outermost dropouts
DODGE = 9  # viewBox units between unlike dots at one place
LABEL_ROOM = 40  # a dot closer than this to the plot's right edge is labelled on its left
MIN_BAND_WIDTH = 0.12  # in depth: a band around one dropout stays wide enough to see
BANDED = (Position.INPUT, Position.HIDDEN, Position.FINAL_HIDDEN)


@dataclass(frozen=True)
class Point:
    """One dropout as the chart shows it."""

    number: int  # D1, D2, ... in forward order, as in the layer list beside the chart
    depth: float | None  # None: the position is unknown, the dot goes to the side lane
    rate: float | None  # None, or off the 0..1 scale: the dot goes to the lane below
    rate_text: str  # what the low lane writes: "?" or the value as resolved
    position: str | None
    verdict: str  # ok | below | above | output | unknown: the dot's colour
    codes: tuple[str, ...]  # findings on this dropout: a red ring and their codes
    tooltip: tuple[str, ...]  # lines of plain text, shown on hover

    @property
    def on_scale(self) -> bool:
        return self.rate is not None and 0.0 <= self.rate <= 1.0

    @property
    def placed(self) -> bool:
        return self.depth is not None


def x_of(depth: float) -> float:
    return PLOT_LEFT + depth * (PLOT_RIGHT - PLOT_LEFT)


def y_of(rate: float) -> float:
    return PLOT_BOTTOM - rate * (PLOT_BOTTOM - PLOT_TOP)


def _where(point: Point) -> tuple[float, float]:
    x = x_of(point.depth) if point.placed else sum(SIDE_LANE) / 2
    y = y_of(point.rate) if point.on_scale else sum(LOW_LANE) / 2
    return round(x, 1), round(y, 1)


def render(points: list[Point], bands: dict, label: str) -> str:
    """The chart as an `<svg>` element; `label` names it for screen readers."""
    parts = [
        f"<svg class='depth-chart' viewBox='0 0 {WIDTH} {HEIGHT}' role='img' aria-label='{escape(label)}'"
        " xmlns='http://www.w3.org/2000/svg'>",
        *_frame(),
        *_bands(points, bands),
        *_output_zone(points),
        *_markers(points),
        "</svg>",
    ]
    return "".join(parts)


def _frame() -> list[str]:
    """Axes, grid and the two lanes, each labelled."""
    out = []
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        y = y_of(tick)
        out.append(f"<line class='grid' x1='{PLOT_LEFT}' x2='{PLOT_RIGHT}' y1='{y:g}' y2='{y:g}'/>")
        out.append(f"<text class='tick' x='{PLOT_LEFT - 6}' y='{y + 3.5:g}' text-anchor='end'>{tick:g}</text>")
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = x_of(tick)
        out.append(f"<line class='grid' x1='{x:g}' x2='{x:g}' y1='{PLOT_TOP}' y2='{PLOT_BOTTOM}'/>")
        out.append(f"<text class='tick' x='{x:g}' y='{LOW_LANE[1] + 14}' text-anchor='middle'>{tick:g}</text>")
    out.append(
        f"<rect class='frame' x='{PLOT_LEFT}' y='{PLOT_TOP}' width='{PLOT_RIGHT - PLOT_LEFT}'"
        f" height='{PLOT_BOTTOM - PLOT_TOP}'/>"
    )
    lane_width = SIDE_LANE[1] - SIDE_LANE[0]
    out.append(
        f"<rect class='lane' x='{SIDE_LANE[0]}' y='{PLOT_TOP}' width='{lane_width}'"
        f" height='{LOW_LANE[1] - PLOT_TOP}'/>"
    )
    out.append(
        f"<rect class='lane' x='{PLOT_LEFT}' y='{LOW_LANE[0]}' width='{PLOT_RIGHT - PLOT_LEFT}'"
        f" height='{LOW_LANE[1] - LOW_LANE[0]}'/>"
    )
    middle = sum(SIDE_LANE) / 2
    out.append(f"<text class='lane-label' x='{middle:g}' y='{LOW_LANE[1] + 14}' text-anchor='middle'>position</text>")
    out.append(f"<text class='lane-label' x='{middle:g}' y='{LOW_LANE[1] + 26}' text-anchor='middle'>unknown</text>")
    out.append(f"<text class='lane-label' x='{PLOT_LEFT - 6}' y='{LOW_LANE[0] + 10}' text-anchor='end'>rate</text>")
    out.append(f"<text class='lane-label' x='{PLOT_LEFT - 6}' y='{LOW_LANE[0] + 21}' text-anchor='end'>?</text>")
    axis_y = LOW_LANE[1] + 34
    centre = (PLOT_LEFT + PLOT_RIGHT) / 2
    out.append(
        f"<text class='axis' x='{centre:g}' y='{axis_y}' text-anchor='middle'>"
        "depth: input \u2192 output</text>"
    )
    out.append(
        f"<text class='axis' x='12' y='{(PLOT_TOP + PLOT_BOTTOM) / 2:g}' text-anchor='middle'"
        f" transform='rotate(-90 12 {(PLOT_TOP + PLOT_BOTTOM) / 2:g})'>dropout rate</text>"
    )
    return out


def _bands(points: list[Point], bands: dict) -> list[str]:
    """Each position's band, spanning the depths of that position's plotted dropouts.

    Rectangles first, labels after, so that no band hides another's label."""
    rects, labels = [], []
    for position in BANDED:
        depths = [p.depth for p in points if p.position == position and p.placed]
        if position not in bands or not depths:
            continue
        low, high = bands[position]
        start, end = _span(min(depths), max(depths))
        top, bottom = y_of(min(float(high), 1.0)), y_of(max(float(low), 0.0))
        x = x_of(start)
        words = f"{position} {low:g}\u2013{high:g}"
        rects.append(
            f"<rect class='band band-{escape(position)}' x='{x:g}' y='{top:g}'"
            f" width='{x_of(end) - x:g}' height='{max(bottom - top, 0):g}'>"
            f"<title>{escape(words)}: the recommended rates here</title></rect>"
        )
        labels.append(f"<text class='band-label' x='{x + 2:g}' y='{top - 3:g}'>{escape(words)}</text>")
    return rects + labels


def _span(first: float, last: float) -> tuple[float, float]:
    start, end = first - BAND_PADDING, last + BAND_PADDING
    if end - start < MIN_BAND_WIDTH:
        middle = (start + end) / 2
        start, end = middle - MIN_BAND_WIDTH / 2, middle + MIN_BAND_WIDTH / 2
    return max(0.0, start), min(1.0, end)


def _output_zone(points: list[Point]) -> list[str]:
    """Where the model's output is: no rate is right there."""
    if not any(p.position == Position.OUTPUT and p.placed for p in points):
        return []
    x = x_of(1.0 - BAND_PADDING / 2)
    return [
        f"<rect class='output-zone' x='{x:g}' y='{PLOT_TOP}' width='{PLOT_RIGHT - x:g}'"
        f" height='{PLOT_BOTTOM - PLOT_TOP}'><title>output: no dropout</title></rect>",
        f"<text class='band-label output-label' x='{x - 3:g}' y='{PLOT_TOP + 11}'"
        " text-anchor='end'>output: none</text>",
    ]


def _markers(points: list[Point]) -> list[str]:
    """A dot per place and verdict. Dropouts alike at one place share a dot; unlike ones
    (an input dropout and a hidden one at the same depth and rate) stand side by side,
    DODGE apart, so that neither colour hides the other. The label lists every number."""
    places: dict[tuple[float, float], dict[str, list[Point]]] = {}
    for point in points:
        places.setdefault(_where(point), {}).setdefault(point.verdict, []).append(point)
    out = []
    for (x, y), by_verdict in places.items():
        groups = list(by_verdict.values())
        xs = [round(x + (index - (len(groups) - 1) / 2) * DODGE, 1) for index in range(len(groups))]
        out.extend(_dot(dot_x, y, group) for dot_x, group in zip(xs, groups))
        first_x, last_x = xs[0], xs[-1]
        everyone = [p for group in groups for p in group]
        codes = tuple(dict.fromkeys(code for p in everyone for code in p.codes))
        numbers = " ".join(f"D{p.number}" for p in sorted(everyone, key=lambda p: p.number))
        if not everyone[0].on_scale:
            numbers += " " + ",".join(dict.fromkeys(p.rate_text for p in everyone))
        gap = 12 if codes else 8
        # Near the plot's right edge the label goes left of the dots, clear of the lane.
        if PLOT_RIGHT - LABEL_ROOM < last_x < SIDE_LANE[0]:
            label_x, anchor = first_x - gap, " text-anchor='end'"
        else:
            label_x, anchor = last_x + gap, ""
        out.append(f"<text class='dot-label' x='{label_x:g}' y='{y - 5:g}'{anchor}>{escape(numbers)}</text>")
        if codes:
            out.append(
                f"<text class='code-label' x='{label_x:g}' y='{y + 9:g}'{anchor}>{escape(' '.join(codes))}</text>"
            )
    return out


def _dot(x: float, y: float, group: list[Point]) -> str:
    """One dot, ringed when one of its dropouts has a finding; its tooltip tells each."""
    flagged = any(p.codes for p in group)
    # Each line escaped on its own: a line break between them is the page's, not the source's.
    tooltip = "\n\n".join("\n".join(escape(line) for line in p.tooltip) for p in group)
    ring = f"<circle class='finding-ring' cx='{x:g}' cy='{y:g}' r='10'/>" if flagged else ""
    return (
        f"<g class='dropout {escape(group[0].verdict)}{' flagged' if flagged else ''}'>"
        f"<title>{tooltip}</title>{ring}<circle class='dot' cx='{x:g}' cy='{y:g}' r='5.5'/></g>"
    )
