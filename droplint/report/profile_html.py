"""`droplint profile --format html`: one self-contained page, a table per root model.

Dropout rows are coloured by their verdict against the recommended band, and each
carries a bar showing its depth from input (left) to output (right).
"""

from __future__ import annotations

from droplint import __version__
from droplint.report.escape import html as escaped
from droplint.report.profile_text import verdict

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h2 { font-size: 1.05em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; }
tr.dropout td { font-weight: 600; }
tr.ok td { background: #eaf7ea; }
tr.above td { background: #fff3d6; }
tr.output td { background: #fde2e2; }
tr.unknown td { background: #f1f1f1; }
.bar { display: inline-block; width: 100px; height: 8px; background: #ddd; position: relative; }
.bar span { position: absolute; top: -2px; width: 4px; height: 12px; background: #333; }
.muted { color: #888; }
"""


def _row_class(position, rate, bands) -> str:
    text = verdict(position, rate, bands)
    if text.startswith("!!"):
        return "dropout output"
    if text.startswith("!"):
        return "dropout above"
    if text == "rate unknown":
        return "dropout unknown"
    return "dropout ok"


def _model(model, bands) -> list[str]:
    out = [
        f"<h2>{escaped(model.name)} <span class='muted'>{escaped(model.path)}:{model.line}"
        f" &middot; {escaped(model.framework)}</span></h2>",
        "<table><tr><th>line</th><th>kind</th><th>layer</th><th>op</th><th>rate</th><th>source</th>"
        "<th>position</th><th>depth</th><th>verdict</th></tr>",
    ]
    for placed in model.layers:
        layer = placed.layer
        rate = layer.rate
        value = rate.value if rate is not None else None
        # Plain text, escaped once below where the cells become markup.
        cells = [
            f"{layer.path}:{layer.span.line}" if layer.path != model.path else str(layer.span.line),
            layer.kind + (" (repeated)" if layer.repeat else ""),
            layer.name,
            layer.op,
            f"{value:.2f}" if value is not None else ("?" if rate is not None else ""),
            rate.source if rate is not None else "",
            placed.position or "",
        ]
        row_class = ""
        depth_cell = verdict_cell = ""
        if layer.kind == "dropout":
            row_class = _row_class(placed.position, value, bands)
            if placed.depth is not None:
                left = round(placed.depth * 96)
                depth_cell = f"{placed.depth:.2f} <span class='bar'><span style='left:{left}px'></span></span>"
            verdict_cell = escaped(verdict(placed.position, value, bands).lstrip("! "))
        tds = "".join(f"<td>{escaped(c)}</td>" for c in cells)
        out.append(f"<tr class='{row_class}'>{tds}<td>{depth_cell}</td><td>{verdict_cell}</td></tr>")
    out.append("</table>")
    return out


def render(result, config) -> str:
    bands = dict(getattr(config, "bands", {}) or {})
    roots = [m for m in result.models if m.root]
    body = []
    for model in roots:
        body.extend(_model(model, bands))
    if not roots:
        body.append("<p>No models found.</p>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html><head><meta charset='utf-8'><title>droplint profile</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>droplint profile <span class='muted'>{__version__}</span></h1>",
            *body,
            "</body></html>",
        ]
    )
