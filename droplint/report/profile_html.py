"""`droplint profile --format html`: one self-contained page to open and to share.

An index of the root models with their findings, then per model a depth chart (rate
against depth, bands behind, findings ringed; see depth_chart.py) beside its layer
sequence, and its findings. Models without dropout are hidden until the checkbox above the
index shows them (plain CSS, no script). The page loads nothing: a Content-Security-Policy
forbids every fetch, fonts are the system's. Every text that comes from the linted
source is escaped exactly once, where it is written into the page, by escape.html
(markup, and control characters shown as escapes).
"""

from __future__ import annotations

import re
from collections import Counter

from droplint import __version__
from droplint.ir import LayerKind, Position, contract_kind
from droplint.report import depth_chart
from droplint.report.escape import html as escape
from droplint.report.profile_findings import Attribution, ModelFindings, attribute
from droplint.report.profile_html_style import STYLE
from droplint.report.profile_text import verdict

# Nothing may be fetched: no script, font, image or stylesheet beyond the page itself.
CSP = "default-src 'none'; style-src 'unsafe-inline'"
SEVERITIES = ("error", "warning", "info")


def render(result, config) -> str:
    bands = dict(getattr(config, "bands", {}) or {})
    roots = [m for m in result.models if m.root]
    found = attribute(result.diagnostics, result.models)
    anchors = {m.key: _anchor(i, m.name) for i, m in enumerate(roots, 1)}
    body = [
        *_header(result, roots),
        "<div class='layout'>",
        *_index(roots, found, anchors),
        "<main>",
        *(line for m in roots for line in _model(m, found.by_model[m.key], anchors[m.key], bands)),
        *_outside(found),
        *_errors(result.errors),
        "</main></div>",
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">",
            "<title>droplint profile</title>",
            f"<style>{STYLE}</style></head><body>",
            *body,
            f"<footer>droplint {escape(__version__)}</footer>",
            "</body></html>",
        ]
    )


def _anchor(index: int, name: str) -> str:
    """A unique, readable id that needs no escaping."""
    return f"m{index}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)[:40]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _dropouts(model) -> list[int]:
    return [i for i, p in enumerate(model.layers) if p.layer.kind == LayerKind.DROPOUT]


def _header(result, roots) -> list[str]:
    with_dropout = sum(1 for m in roots if _dropouts(m))
    sites = sum(len(_dropouts(m)) for m in roots)
    blocks = len(result.models) - len(roots)
    counts = Counter(d.severity for d in result.diagnostics)
    findings = ", ".join(f"{counts[s]} info" if s == "info" else _count(counts[s], s) for s in SEVERITIES if counts[s])
    facts = [
        f"{_count(with_dropout, 'model')} with dropout",
        f"{len(roots) - with_dropout} without",
        _count(sites, "dropout site"),
        f"{_count(blocks, 'block')} inlined",
        _count(len(result.diagnostics), "finding") + (f" ({findings})" if findings else ""),
    ]
    if result.errors:
        facts.append(f"<a href='#errors'>{_count(len(result.errors), 'file')} not read</a>")
    return [
        "<header>",
        "<h1>droplint profile</h1>",
        f"<p class='facts'>{' &middot; '.join(facts)}</p>",
        "</header>",
    ]


def _index(roots, found: Attribution, anchors: dict) -> list[str]:
    """The models, each with its findings' codes; those without dropout hidden at first."""
    hidden = sum(1 for m in roots if not _dropouts(m))
    disabled = "" if hidden else " disabled"
    out = [
        "<nav id='index'><h2>Models</h2>",
        f"<label class='toggle'><input type='checkbox' id='show-all'{disabled}>"
        f" show models without dropout ({hidden})</label>",
        "<ol>",
    ]
    for model in roots:
        dropouts = len(_dropouts(model))
        row_class = "" if dropouts else " class='no-dropout'"
        out.append(
            f"<li{row_class}><a href='#{anchors[model.key]}'>{escape(model.name)}</a>"
            f" <span class='count'>{_count(dropouts, 'dropout')}</span>"
            f" {_code_chips(found.by_model[model.key].all)}"
            f"<div class='where' title='{escape(model.path)}'>{escape(_file_name(model.path))}:{model.line}</div></li>"
        )
    if not roots:
        out.append("<li>No models found.</li>")
    out.append("</ol>")
    if found.outside:
        out.append(f"<p><a href='#outside'>{len(found.outside)} finding(s) outside models</a></p>")
    out.append("</nav>")
    return out


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _code_chips(diagnostics) -> str:
    """One chip per code, errors first: `DL301 ×2`."""
    counts = Counter((d.severity, d.code) for d in diagnostics)
    chips = []
    for (severity, code), count in sorted(counts.items(), key=lambda item: (_rank(item[0][0]), item[0][1])):
        times = f" &times;{count}" if count > 1 else ""
        chips.append(f"<span class='chip sev-{escape(severity)}'>{escape(code)}{times}</span>")
    return " ".join(chips)


def _model(model, findings: ModelFindings, anchor: str, bands: dict) -> list[str]:
    dropouts = _dropouts(model)
    numbers = {index: n for n, index in enumerate(dropouts, 1)}
    section_class = "model" if dropouts else "model no-dropout"
    facts = " &middot; ".join(
        [escape(model.framework), _count(len(model.layers), "layer"), _count(len(dropouts), "dropout"),
         _count(len(findings.all), "finding")]
    )
    out = [
        f"<section class='{section_class}' id='{anchor}'>",
        f"<h2><a class='anchor' href='#{anchor}'>#</a> {escape(model.name)}"
        f" <span class='where'>{escape(model.path)}:{model.line}</span></h2>",
        f"<p class='facts'>{facts} &middot; <a href='#index'>index</a></p>",
        "<div class='model-body'>",
    ]
    if dropouts:
        points = [_point(model, index, numbers[index], findings, bands) for index in dropouts]
        chart = depth_chart.render(points, bands, f"dropout rate against depth in {model.name}")
        out.append(f"<figure class='chart'>{chart}{_legend()}</figure>")
    out.append(_layer_list(model, numbers, findings, bands))
    out.append("</div>")
    out.extend(_findings_list(findings.all, model, numbers, findings))
    out.append("</section>")
    return out


def _rate_value(layer) -> float | None:
    return layer.rate.value if layer.rate is not None else None


def _rate_text(layer) -> str:
    value = _rate_value(layer)
    return "?" if value is None else f"{value:g}"


def _verdict_class(position, rate, bands) -> str:
    text = verdict(position, rate, bands)
    if text.startswith("!!"):
        return "output"
    if text.startswith("!"):
        return "above"
    if text.startswith("below"):
        return "below"
    return "ok" if text in ("ok", "off (rate 0)") else "unknown"


def _point(model, index: int, number: int, findings: ModelFindings, bands: dict) -> depth_chart.Point:
    placed = model.layers[index]
    layer = placed.layer
    value = _rate_value(layer)
    known = placed.position not in (None, Position.UNKNOWN) and placed.depth is not None
    mine = findings.by_layer.get(index, [])
    return depth_chart.Point(
        number=number,
        depth=placed.depth if known else None,
        rate=value,
        rate_text=_rate_text(layer),
        position=placed.position if known else None,
        verdict=_verdict_class(placed.position, value, bands),
        codes=tuple(dict.fromkeys(d.code for d in mine)),
        tooltip=_describe(number, placed, bands, mine),
    )


def _describe(number: int, placed, bands: dict, findings) -> tuple[str, ...]:
    """One dropout in words, line by line, for the chart's tooltip (plain text: the
    chart escapes each line)."""
    layer = placed.layer
    rate = layer.rate
    written = f"{rate.text} = " if rate is not None and rate.text and rate.text != _rate_text(layer) else ""
    source = f" ({rate.source})" if rate is not None else ""
    where = f"depth {placed.depth:.2f}" if placed.depth is not None else "depth unknown"
    judged = verdict(placed.position, _rate_value(layer), bands).lstrip("! ")
    lines = [
        f"D{number} {layer.name} at {layer.path}:{layer.span.line}",
        f"rate {written}{_rate_text(layer)}{source}, {placed.position or 'position unknown'}, {where}"
        + (f": {judged}" if judged else ""),
    ]
    lines.extend(f"{d.code} {d.name}: {d.message}" for d in findings)
    return tuple(lines)


def _legend() -> str:
    items = [("ok", "in band"), ("below", "below band"), ("above", "above band"),
             ("output", "on output"), ("unknown", "unknown")]
    dots = "".join(f"<span class='key {cls}'><i></i>{text}</span>" for cls, text in items)
    return f"<figcaption>{dots}<span class='key ringed'><i></i>finding</span></figcaption>"


def _layer_list(model, numbers: dict, findings: ModelFindings, bands: dict) -> str:
    rows = []
    for index, placed in enumerate(model.layers):
        layer = placed.layer
        where = f"{layer.path}:{layer.span.line}:{layer.span.column} \u00b7 {layer.op}"
        repeat = "<span class='repeat' title='in a loop: the body is shown once'>\u21bb</span>" if layer.repeat else ""
        info = ""
        row_class = f"kind-{escape(contract_kind(layer.kind))}"
        if index in numbers:
            value = _rate_value(layer)
            row_class += f" verdict-{_verdict_class(placed.position, value, bands)}"
            codes = " ".join(escape(d.code) for d in findings.by_layer.get(index, []))
            row_class += " flagged" if codes else ""
            depth = f" {placed.depth:.2f}" if placed.depth is not None else ""
            info = (
                f"<span class='info'><b>D{numbers[index]}</b> p={escape(_rate_text(layer))}"
                f" {escape(placed.position or 'position ?')}{depth}"
                + (f" <span class='codes'>{codes}</span>" if codes else "")
                + "</span>"
            )
        rows.append(
            f"<li class='{row_class}'><span class='kind'>{escape(contract_kind(layer.kind))}</span>"
            f"<span class='name' title='{escape(where)}'>{escape(layer.name)}</span>{repeat}{info}</li>"
        )
    if not rows:
        rows.append("<li class='empty'>no layers found</li>")
    return "<ol class='layers'>" + "".join(rows) + "</ol>"


def _findings_list(diagnostics, model, numbers: dict, findings: ModelFindings) -> list[str]:
    if not diagnostics:
        return []
    on = {}
    for index, listed in findings.by_layer.items():
        for diagnostic in listed:
            on.setdefault(id(diagnostic), []).append(f"D{numbers[index]}")
    out = ["<ul class='findings'>"]
    for d in diagnostics:
        marks = " ".join(on.get(id(d), []))
        out.append(_finding(d, f" <span class='on'>on {marks}</span>" if marks else ""))
    out.append("</ul>")
    return out


def _finding(d, extra: str = "") -> str:
    return (
        f"<li class='sev-{escape(d.severity)}'><span class='chip sev-{escape(d.severity)}'>{escape(d.code)}</span>"
        f" <b>{escape(d.name)}</b> <span class='where'>{escape(d.path)}:{d.span.line}:{d.span.column}</span>{extra}"
        f"<div class='message'>{escape(d.message)}</div></li>"
    )


def _outside(found: Attribution) -> list[str]:
    if not found.outside:
        return []
    return [
        "<section class='model' id='outside'><h2>Findings outside models</h2>",
        "<p class='facts'>in functions and code that no model applies &middot; <a href='#index'>index</a></p>",
        "<ul class='findings'>",
        *(_finding(d) for d in found.outside),
        "</ul></section>",
    ]


def _errors(errors) -> list[str]:
    if not errors:
        return []
    return [
        "<section class='model' id='errors'><h2>Files not read</h2><ul class='findings'>",
        *(f"<li><span class='where'>{escape(e.path)}</span><div class='message'>{escape(e.message)}</div></li>"
          for e in errors),
        "</ul></section>",
    ]
