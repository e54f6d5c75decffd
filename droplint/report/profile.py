"""`droplint profile`: every root model's layers in forward order, with dropout positions."""

from __future__ import annotations

import json
import math
from typing import Protocol

from droplint import __version__
from droplint.ir import contract_kind


class ProfileReporter(Protocol):
    def __call__(self, result, config) -> str:
        """The profile of `result`'s models, with `config`'s rate bands."""


def _text(result, config) -> str:
    from droplint.report import profile_text

    return profile_text.render(result, config)


def _json(result, config) -> str:
    return json.dumps(to_json(result), indent=2)


def _html(result, config) -> str:
    from droplint.report import profile_html

    return profile_html.render(result, config)


# Every output format of `droplint profile`, by name: adding one is one entry here.
REPORTERS: dict[str, ProfileReporter] = {"text": _text, "json": _json, "html": _html}


def render(result, output_format: str, config) -> str:
    return REPORTERS[output_format](result, config)


def layer_dict(placed) -> dict:
    layer = placed.layer
    rate = layer.rate
    return {
        "kind": contract_kind(layer.kind),
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
