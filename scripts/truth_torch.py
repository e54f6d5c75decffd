"""Runtime side of scripts/truth.py for PyTorch libraries: what every dropout call really does.

    python scripts/truth_torch.py transformers|torchvision [--limit N] [--only NAME]

Runs in the library's own virtual environment (scripts/truth.py makes it), never in
droplint's. For each model of the library it can build small (tiny config, random init,
CPU), it runs one training-mode forward pass traced by tests/oracle/runtime_trace.py and
prints one JSON line per model:

    {"model": "BertForSequenceClassification", "file": "transformers/models/bert/modeling_bert.py",
     "calls": [{"file": ..., "line": 123, "rate": 0.1, "position": "hidden", "depth": 0.5}, ...]}

or {"model": ..., "error": "..."} when it could not be built or run. A call's file and line
are where the library's code applies the dropout: the `self.dropout(x)` line of a module
dropout, the `F.dropout(...)` line of a functional one. Paths are relative to the folder
that holds the library's package, so they match the unpacked wheel that droplint reads.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "oracle"))
import runtime_trace  # noqa: E402  (the fixtures' oracle, applied to whole libraries)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import truth_protocol  # noqa: E402

TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
CONTAINERS_FILE = os.path.join(TORCH_DIR, "nn", "modules", "container.py")
HERE = {os.path.abspath(__file__), os.path.abspath(runtime_trace.__file__)}
MEMORY_LIMIT_GIB = 8


class _SiteRecorder(runtime_trace._Recorder):
    """The oracle's recorder, remembering where in the library each dropout was applied."""

    def __init__(self, package_parent: str):
        super().__init__(source_file="\0")  # no single source file: sites are recorded here
        self.package_parent = package_parent
        self.sites: dict[int, tuple[str, int] | None] = {}
        self.module = None  # the torch layer whose forward hook is running

    def hook(self, module, args, kwargs, output):
        self.module = module
        try:
            return super().hook(module, args, kwargs, output)
        finally:
            self.module = None

    def add(self, kind, what, tensors_in, outputs, **extra) -> int:
        node_id = super().add(kind, what, tensors_in, outputs, **extra)
        if kind == "dropout":
            site, by_container = caller_site(self.package_parent)
            if by_container and self.module is not None:
                # An element of nn.Sequential is applied where the list names it.
                site = BUILT_AT.get(id(self.module))
            self.sites[node_id] = site
        return node_id


# Where each dropout module was constructed, by id(): the site of a Sequential element.
BUILT_AT: dict[int, tuple[str, int] | None] = {}


def caller_site(package_parent: str) -> tuple[tuple[str, int] | None, bool]:
    """The first frame that is neither torch nor this tracer (the library's call), and
    whether a torch container (nn.Sequential) made the call on the library's behalf."""
    frame = sys._getframe(1)
    by_container = False
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        by_container = by_container or filename == CONTAINERS_FILE
        if not filename.startswith(TORCH_DIR) and filename not in HERE:
            if filename.startswith(package_parent):
                return (os.path.relpath(filename, package_parent), frame.f_lineno), by_container
            return None, by_container
        frame = frame.f_back
    return None, by_container


def recording_construction(package_parent: str):
    """Patch the dropout modules' constructors to note where the library builds each."""
    originals = {cls: cls.__init__ for cls in runtime_trace.DROPOUT_MODULES}

    def patched(cls):
        def __init__(self, *args, **kwargs):
            originals[cls](self, *args, **kwargs)
            BUILT_AT.setdefault(id(self), caller_site(package_parent)[0])
        return __init__

    for cls in originals:
        cls.__init__ = patched(cls)


def trace(model: torch.nn.Module, inputs: dict, package_parent: str) -> list[dict]:
    """One training-mode forward pass; every dropout call with its site, rate and position."""
    model.train()
    recorder = _SiteRecorder(package_parent)
    handles = []
    for module in model.modules():
        if runtime_trace._is_torch_layer(module):
            handles.append(module.register_forward_pre_hook(recorder.pre_hook))
            handles.append(module.register_forward_hook(recorder.hook, with_kwargs=True))
    for tensor in inputs.values():
        recorder.add("input", "input", (), tensor)
    try:
        torch.manual_seed(0)
        with recorder:
            output = model(**inputs)
    finally:
        for handle in handles:
            handle.remove()
    found = runtime_trace._tensors(output if isinstance(output, (tuple, list, dict)) else _output_values(output))
    recorder.trace.outputs = tuple(
        dict.fromkeys(recorder.producer[id(t)] for t in found if id(t) in recorder.producer)
    )
    placed = runtime_trace.positions(recorder.trace)
    calls = []
    for node, (position, depth) in zip(recorder.trace.dropouts(), placed):
        site = recorder.sites.get(node.id)
        if site is None:
            continue
        calls.append({"file": site[0], "line": site[1], "rate": node.rate, "position": position, "depth": depth})
    return calls


def _output_values(output) -> list:
    """The tensors of a ModelOutput-style result (a dataclass-like mapping)."""
    if not isinstance(output, torch.Tensor) and hasattr(output, "values"):
        return list(output.values())
    return [output]


def main() -> int:
    options = truth_protocol.arguments(__doc__.splitlines()[0], ["transformers", "torchvision"])
    torch.set_num_threads(1)
    # A default-width config of a large model (the fallback when a model cannot be made
    # narrow) can need tens of GiB: such a model fails to build here rather than taking
    # the machine down.
    limit = MEMORY_LIMIT_GIB << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if options.library == "transformers":
        import truth_transformers as library
    else:
        import truth_torchvision as library
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(library.PACKAGE.__file__)))
    recording_construction(package_parent)
    for name, build in truth_protocol.selected(library.models(), options):
        record = {"model": name}
        try:
            BUILT_AT.clear()
            model, inputs, defined_in = build()
            record = {"model": type(model).__name__, "builder": name}  # droplint profiles the class
            record["file"] = os.path.relpath(defined_in, package_parent)
            with torch.no_grad():
                record["calls"] = trace(model, inputs, package_parent)
        except Exception as exc:  # a model that cannot be built small is reported, not fatal
            record["error"] = truth_protocol.failure(name, exc)["error"]
        truth_protocol.emit(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
