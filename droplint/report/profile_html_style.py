"""The stylesheet of the profile page: system fonts only, nothing fetched."""

STYLE = """
:root {
  --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --paper: #ffffff; --wash: #f6f8fa;
  --ok: #1a7f37; --below: #0969da; --above: #bc4c00; --output: #cf222e; --unknown: #8c959f;
  --band: #dafbe1; --band-edge: #7ee2a1;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif;
  color: var(--ink); background: var(--paper);
}
body { margin: 0 auto; padding: 20px 28px 48px; max-width: 1440px; font-size: 14px; line-height: 1.45; }
code, .where, .name, .layers, .message, td.where {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
a { color: var(--below); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0; }
.facts { color: var(--muted); margin: 2px 0 10px; }
.where { color: var(--muted); font-size: 12px; font-weight: normal; word-break: break-all; }
body:has(#show-all:not(:checked)) .no-dropout:not(:target) { display: none; }

.layout { display: grid; grid-template-columns: 250px minmax(0, 1fr); gap: 24px; align-items: start; }
nav#index { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow-y: auto; padding-right: 6px; }
nav h2 { margin-bottom: 4px; }
nav .toggle { display: block; color: var(--muted); font-size: 12px; margin-bottom: 8px; cursor: pointer; user-select: none; }
nav .toggle input { vertical-align: -2px; margin: 0 4px 0 0; }
nav ol { list-style: none; margin: 0; padding: 0; }
nav li { padding: 3px 6px; border-radius: 4px; line-height: 1.3; }
nav li:hover { background: var(--wash); }
nav li a { font-weight: 600; overflow-wrap: anywhere; }
nav .count { color: var(--muted); font-size: 11px; }
nav .where { font-size: 11px; word-break: normal; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
@media (max-width: 900px) {
  .layout { display: block; }
  nav#index { position: static; max-height: none; margin-bottom: 20px; }
}

.chip { display: inline-block; font: 600 11px/1.6 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  padding: 0 6px; border-radius: 9px; color: #fff; background: var(--unknown); white-space: nowrap; }
.chip.sev-error { background: var(--output); }
.chip.sev-warning { background: var(--above); }
.chip.sev-info { background: var(--below); }

section.model { border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px 12px; margin: 0 0 18px; }
section.model:target { box-shadow: 0 0 0 3px #54aeff66; }
.anchor { color: var(--unknown); margin-right: 2px; }
.model-body { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
figure.chart { margin: 0; flex: 1 1 460px; min-width: 320px; max-width: 640px; }
svg.depth-chart { display: block; width: 100%; height: auto; overflow: visible;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .frame { fill: none; stroke: var(--line); }
svg .lane { fill: var(--wash); stroke: var(--line); stroke-dasharray: 3 3; }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis { font-size: 11px; fill: var(--muted); }
svg .lane-label { font-size: 9.5px; fill: var(--muted); }
svg .band { fill: var(--band); stroke: var(--band-edge); stroke-width: 1; opacity: 0.9; }
svg .band-label { font-size: 9.5px; fill: #116329; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .output-zone { fill: #ffebe9; stroke: #ff818266; }
svg .output-label { fill: var(--output); }
svg .dot { stroke: #fff; stroke-width: 1.5; fill: var(--unknown); }
svg .ok .dot { fill: var(--ok); }
svg .below .dot { fill: var(--below); }
svg .above .dot { fill: var(--above); }
svg .output .dot { fill: var(--output); }
svg .unknown .dot { fill: #fff; stroke: var(--unknown); stroke-width: 2; }
svg .finding-ring { fill: none; stroke: var(--output); stroke-width: 2; }
svg .dot-label { font-size: 10px; font-weight: 600; fill: var(--ink); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .code-label { font-size: 10px; font-weight: 700; fill: var(--output); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
figcaption { display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 11px; color: var(--muted); margin: 2px 0 0 40px; }
.key i { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; background: var(--unknown); }
.key.ok i { background: var(--ok); }
.key.below i { background: var(--below); }
.key.above i { background: var(--above); }
.key.output i { background: var(--output); }
.key.unknown i { background: #fff; box-shadow: inset 0 0 0 2px var(--unknown); }
.key.ringed i { background: none; box-shadow: inset 0 0 0 2px var(--output); width: 11px; height: 11px; vertical-align: -2px; }

ol.layers { list-style: none; margin: 0; padding: 0; flex: 1 1 300px; min-width: 260px; font-size: 12px;
  max-height: 760px; overflow-y: auto; counter-reset: layer; }
ol.layers li { display: flex; flex-wrap: wrap; column-gap: 8px; align-items: baseline; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
ol.layers li::before { counter-increment: layer; content: counter(layer); color: var(--unknown); width: 2.2em; text-align: right; flex: none; }
ol.layers .kind { flex: none; width: 6.5em; font-size: 10.5px; color: var(--muted); }
ol.layers .name { flex: 0 1 auto; min-width: 4em; overflow: hidden; text-overflow: ellipsis; }
ol.layers .repeat { color: var(--muted); }
ol.layers .info { flex: none; margin-left: auto; color: var(--muted); }
ol.layers .codes { color: var(--output); font-weight: 700; }
li.kind-weighted .kind { color: var(--ink); font-weight: 600; }
li.kind-dropout { background: var(--wash); }
li.kind-dropout .kind, li.kind-dropout .name { color: var(--ink); font-weight: 600; }
li.kind-dropout.verdict-ok { box-shadow: inset 3px 0 var(--ok); }
li.kind-dropout.verdict-below { box-shadow: inset 3px 0 var(--below); }
li.kind-dropout.verdict-above { box-shadow: inset 3px 0 var(--above); }
li.kind-dropout.verdict-output { box-shadow: inset 3px 0 var(--output); }
li.kind-dropout.verdict-unknown { box-shadow: inset 3px 0 var(--unknown); }
li.kind-dropout.flagged { background: #fff1f0; }

ul.findings { list-style: none; padding: 0; margin: 12px 0 0; border-top: 1px solid var(--wash); }
ul.findings li { padding: 6px 0 2px; }
ul.findings .message { font-size: 12px; margin: 2px 0 0 2px; white-space: pre-wrap; }
ul.findings .on { color: var(--output); font-size: 12px; font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
"""
