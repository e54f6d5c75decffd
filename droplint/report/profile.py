"""`droplint profile`: every root model's layers in forward order, with dropout positions."""

from __future__ import annotations

import json
import math

from droplint import __version__


def render(result, output_format: str, config) -> str:
    if output_format == "json":
        return json.dumps(to_json(result), indent=2)
    if output_format == "html":
        from droplint.report import profile_html

        return profile_html.render(result, config)
    from droplint.report import profile_text

    return profile_text.render(result, config)


def layer_dict(placed) -> dict:
    layer = placed.layer
    rate = layer.rate
    return {
        "kind": layer.kind,
        "op": layer.op,
        "name": layer.name,
        "path": layer.path,
        "line": layer.span.line,
        "column": layer.span.column,
        # null for NaN and infinities too: JSON has no such numbers (DL201 reports them).
        "rate": rate.value if rate is not None and rate.value is not None and math.isfinite(rate.value) else None,
        "rate_source": rate.source if rate is not None else None,
        "position": placed.position,
        "depth": round(placed.depth, 2) if placed.depth is not None else None,
        "repeat": layer.repeat,
        "opaque": layer.opaque,
    }


def to_json(result) -> dict:
    return {
        "droplint": __version__,
        "models": [
            {
                "path": model.path,
                "name": model.name,
                "line": model.line,
                "framework": model.framework,
                "root": model.root,
                "layers": [layer_dict(p) for p in model.layers],
            }
            for model in result.models
        ],
    }
