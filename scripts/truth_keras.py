"""Runtime side of scripts/truth.py for Keras 3: every keras.applications model, as it runs.

    KERAS_BACKEND=jax python scripts/truth_keras.py keras [--limit N] [--only NAME]

Runs in the library's own virtual environment (scripts/truth.py makes it). Each
application function is built with random weights (`weights=None`) on a small image and
run once in training mode, traced by tests/oracle/keras_runtime.py (the Keras fixtures'
oracle). Prints one JSON line per model, in the shape scripts/truth_torch.py prints.

A dropout's site is the line of the library's code that applied the layer: for a
functional model, the `layers.Dropout(rate)(x)` call seen while the model was built; for a
layer called from a subclass's `call`, the caller of that call.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "oracle"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import keras_runtime  # noqa: E402
import truth_protocol  # noqa: E402
import numpy  # noqa: E402
from keras.src.ops.operation import Operation  # noqa: E402

KERAS_DIR = os.path.dirname(os.path.abspath(keras.__file__))
PACKAGE_PARENT = os.path.dirname(KERAS_DIR)
# Keras's own machinery (layer base classes, functional execution, ops): never a call site.
MACHINERY = tuple(os.path.join(KERAS_DIR, "src", part) for part in
                  ("layers", "ops", "models", "backend", "trainers", "utils", "random", "tree"))
HERE = os.path.dirname(os.path.abspath(__file__))
# Small images first: the trace keeps every intermediate tensor, and the default sizes of
# the largest architectures (600 x 600 for EfficientNetB7) would need many GiB.
SIZES = (96, 160, 224, 331)


def caller_site() -> tuple[str, int] | None:
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        inside = filename.startswith(MACHINERY) or filename.startswith(HERE) or "keras_runtime" in filename
        if not inside and filename.startswith(KERAS_DIR):
            return os.path.relpath(filename, PACKAGE_PARENT), frame.f_lineno
        if not inside and not filename.startswith(KERAS_DIR) and not filename.startswith(os.path.dirname(KERAS_DIR)):
            return None
        frame = frame.f_back
    return None


def build(function):
    """The model, with the site of every dropout layer applied while it was built."""
    sites: dict[int, tuple[str, int]] = {}
    original = Operation.__call__

    def call(op, *args, **kwargs):
        if isinstance(op, keras_runtime.DROPOUTS) and id(op) not in sites:
            site = caller_site()
            if site is not None:
                sites[id(op)] = site
        return original(op, *args, **kwargs)

    Operation.__call__ = call
    try:
        for size in SIZES:
            try:
                return function(weights=None, input_shape=(size, size, 3), classes=10), sites
            except ValueError as exc:  # an architecture with a larger minimum input size
                failure = exc
                sites.clear()
        raise failure
    finally:
        Operation.__call__ = original


def run(name: str, function) -> dict:
    keras.utils.set_random_seed(0)
    model, sites = build(function)
    shape = (1, *model.input_shape[1:])
    recording, outputs = keras_runtime.record(model, [numpy.random.rand(*shape).astype("float32")])
    placed = keras_runtime.positions(recording.nodes, outputs)
    calls = []
    for node in recording.nodes:
        if node.kind == "dropout" and node.op in sites:
            file, line = sites[node.op]
            calls.append({"file": file, "line": line, "rate": node.rate, "position": placed[node.id], "depth": None})
    return {"model": name, "file": os.path.relpath(inspect.getsourcefile(function), PACKAGE_PARENT), "calls": calls}


def models():
    for name in sorted(dir(keras.applications)):
        function = getattr(keras.applications, name)
        if name[:1].isupper() and callable(function):
            yield name, function


def main() -> int:
    options = truth_protocol.arguments(__doc__.splitlines()[0], ["keras"])
    for name, function in truth_protocol.selected(models(), options):
        try:
            record = run(name, function)
        except Exception as exc:  # an application that cannot be built here is reported
            record = truth_protocol.failure(name, exc)
        truth_protocol.emit(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
