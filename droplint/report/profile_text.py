"""`droplint profile --format text`: each root model's layers in forward order.

One row a layer: kind, rate and where it comes from, and for dropouts the position,
the depth (as a number and a bar from input to output) and the verdict against the
recommended band. Blocks that only appear inside other models are counted, not shown.
"""

from __future__ import annotations

import os

from droplint.ir import LayerKind, Position, contract_kind
from droplint.report import escape

BAR_WIDTH = 10


def verdict(position: str | None, rate: float | None, bands: dict) -> str:
    """How a dropout's rate compares with the band of its position."""
    if position is None:
        return ""
    if position == Position.UNKNOWN:
        return "position unknown: an opaque step decides it"
    if position == Position.OUTPUT:
        return "!! on the output: remove it"
    if rate is None:
        return "rate unknown"
    if rate == 0:
        return "off (rate 0)"  # disabled, not light: no band rule judges it (DL204's business)
    low, high = bands.get(position, (None, None))
    if low is None:
        return ""
    if rate > high:
        return f"!  above {low:g}-{high:g}"
    if rate < low:
        return f"below {low:g}-{high:g}"
    return "ok"


def depth_bar(depth: float | None) -> str:
    if depth is None:
        return ""
    filled = min(BAR_WIDTH - 1, round(depth * (BAR_WIDTH - 1)))
    return "[" + "-" * filled + "o" + "-" * (BAR_WIDTH - 1 - filled) + "]"


def _where(layer, model_path: str) -> str:
    if layer.path == model_path:
        return f"{layer.span.line}"
    return f"{escape.controls(os.path.basename(layer.path))}:{layer.span.line}"


def render_model(model, bands: dict) -> list[str]:
    dropouts = sum(1 for p in model.layers if p.layer.kind == LayerKind.DROPOUT)
    # Paths and names come from the linted repository: shown escaped.
    lines = [
        f"{escape.path(model.path)}:{model.line} {escape.controls(model.name)}"
        f" ({model.framework}, {len(model.layers)} layers, {dropouts} dropout)"
    ]
    header = ("line", "kind", "layer", "rate", "source", "position", "depth", "", "verdict")
    rows = [header]
    for placed in model.layers:
        layer = placed.layer
        rate = layer.rate
        is_dropout = layer.kind == LayerKind.DROPOUT
        name = escape.controls(layer.name)
        rows.append(
            (
                _where(layer, model.path),
                ("opaque" if layer.opaque else contract_kind(layer.kind)) + ("*" if layer.repeat else ""),
                name if len(name) <= 40 else name[:37] + "...",
                f"{rate.value:.2f}" if rate is not None and rate.value is not None else ("?" if rate is not None else ""),
                rate.source if rate is not None else "",
                placed.position or "",
                f"{placed.depth:.2f}" if is_dropout and placed.depth is not None else "",
                depth_bar(placed.depth) if is_dropout else "",
                verdict(placed.position, rate.value if rate else None, bands) if is_dropout else "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        marker = "  " if index == 0 or model.layers[index - 1].layer.kind != LayerKind.DROPOUT else "> "
        lines.append(("  " + marker + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row))).rstrip())
    return lines


def render(result, config) -> str:
    bands = dict(getattr(config, "bands", {}) or {})
    roots = [m for m in result.models if m.root]
    blocks = len(result.models) - len(roots)
    lines: list[str] = []
    for model in roots:
        lines.extend(render_model(model, bands))
        lines.append("")
    dropouts = sum(1 for m in roots for p in m.layers if p.layer.kind == LayerKind.DROPOUT)
    lines.append(
        f"{len(roots)} model{'s' if len(roots) != 1 else ''}, {dropouts} dropout site{'s' if dropouts != 1 else ''}"
        f" ({blocks} block{'s' if blocks != 1 else ''} used inside them); * = repeated (loop body shown once)"
    )
    return "\n".join(lines)
