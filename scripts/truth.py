"""How right droplint's model recovery is on whole libraries, checked against what really runs.

    python scripts/truth.py --all                      # transformers, torchvision, keras
    python scripts/truth.py transformers [--limit N] [--misses 20]
    python scripts/truth.py keras --json truth.json    # every model's comparison, for reading

For each library this runs every model it can build small (tiny config, random init,
train mode, CPU) in the library's own pinned virtual environment (made once under
bench/.cache/truth/), records every dropout call with the line that applied it, its rate
and its position by DESIGN.md's depth model on the traced data flow (the runtime oracle of
tests/oracle, applied to a whole library), and compares with `droplint profile --format
json` of the same library's unpacked wheel, which droplint only reads:

- found: a runtime dropout site (model, file, line) that droplint's profile of that model
  places at the same file and line;
- rate right: of the found sites whose rate droplint resolved, those whose rate is one
  the site really ran with;
- position right: of the found sites, those where every position droplint gives is one
  the site really ran at (`unknown` is never right). A block in a loop runs once per
  layer, at different depths, while droplint places its body once (`repeat`): any
  position it really had is right for it;

each counted over (model, site) pairs. It prints a table, then with --misses the first N
sites missed or misplaced, for a developer to read. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import wheels  # noqa: E402  (the pinned, unpacked wheels droplint reads)

VENVS = wheels.CACHE / "truth"


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    runtime: str  # the script that runs its models, in scripts/
    packages: tuple[str, ...]  # what its virtual environment installs, pinned
    # The folder of the package that droplint profiles: the whole package where models
    # use blocks and bases from outside their folder (torchvision.ops, transformers'
    # modeling_layers), keras.applications alone (the rest of keras is the framework).
    profiled: str


def _torchvision_pins() -> tuple[str, ...]:
    # PyPI's torchvision needs the torch it was built with; this machine kind keeps CPU or
    # local builds of these pairs on disk (see the env notes in README's Development section).
    if platform.machine() == "aarch64":
        return ("torch==2.9.1", "torchvision==0.24.1")
    return ("torch==2.14.1", "torchvision==0.29.1")


LIBRARIES = {
    "transformers": Library("transformers", "5.24.0", "truth_torch.py",
                            ("torch==2.13.0", "transformers==5.24.0"), "."),
    "torchvision": Library("torchvision", _torchvision_pins()[1].split("==")[1], "truth_torch.py",
                           _torchvision_pins(), "."),
    "keras": Library("keras", "3.15.1", "truth_keras.py", ("keras==3.15.1", "jax", "jaxlib"),
                     "src/applications"),
}


def environment(library: Library) -> Path:
    """The library's own virtual environment (made once), returning its python."""
    folder = VENVS / library.name
    python = folder / "bin" / "python"
    marker = folder / "installed.txt"
    wanted = " ".join(library.packages)
    if marker.is_file() and marker.read_text() == wanted:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *library.packages], check=True)
    marker.write_text(wanted)
    return python


def runtime(library: Library, limit: int | None) -> list[dict]:
    """What the library's models really run: one record per model (scripts/truth_*.py).

    A model that kills its process (a native crash, the memory limit) is recorded as not
    buildable, and the run goes on after it in a new process."""
    python = environment(library)
    env = {**os.environ, "KERAS_BACKEND": "jax", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    records: list[dict] = []
    started = 0  # models the runtime script has started, over all its processes
    while True:
        command = [str(python), str(ROOT / "scripts" / library.runtime), library.name, "--skip", str(started)]
        if limit is not None:
            command += ["--limit", str(limit)]
        run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        current = None
        for line in lines:
            if "starting" in line:
                started += 1
                current = line["starting"]
            elif "model" in line:
                records.append(line)
                current = None
        if any(line.get("end") for line in lines):
            return records
        if current is None:
            sys.stderr.write(run.stderr[-3000:])
            raise SystemExit(f"{library.name}: the runtime side stopped before its first model")
        records.append({"model": current, "error": f"the process died (exit status {run.returncode})"})


def static(library: Library) -> dict[tuple[str, str], dict]:
    """droplint's profile of the library's unpacked wheel, by (file, model name)."""
    package = wheels.fetch(library.name, library.version)
    parent = package.parent
    # Files are named one by one: bench/.cache/ is gitignored, and droplint (like git)
    # skips ignored folders it walks into, but reads a file it is given by name.
    files = sorted(str(path) for path in (package / library.profiled).rglob("*.py"))
    command = [sys.executable, "-m", "droplint", "profile", "--format", "json", "--no-cache", *files]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if not run.stdout.strip():
        sys.stderr.write(run.stderr[-3000:])
        raise SystemExit(f"{library.name}: droplint profile produced nothing")
    models = {}
    for model in json.loads(run.stdout)["models"]:
        path = os.path.relpath(os.path.abspath(model["path"]), parent)
        for layer in model["layers"]:
            layer["path"] = os.path.relpath(os.path.abspath(layer["path"]), parent)
        models[(path, model["name"])] = model
    return models


@dataclass
class Tally:
    models_built: int = 0
    models_failed: int = 0
    models_without_dropout: int = 0
    models_not_found: int = 0
    sites: int = 0
    found: int = 0
    rate_resolved: int = 0
    rate_right: int = 0
    position_right: int = 0
    position_unknown: int = 0
    misses: list = field(default_factory=list)


def compare(records: list[dict], models: dict) -> Tally:
    tally = Tally()
    for record in records:
        if "error" in record:
            tally.models_failed += 1
            continue
        tally.models_built += 1
        ran = collections.defaultdict(lambda: {"rates": set(), "positions": set()})
        for call in record["calls"]:
            site = ran[(call["file"], call["line"])]
            site["rates"].add(round(call["rate"], 6))
            site["positions"].add(call["position"])
        if not ran:
            tally.models_without_dropout += 1
            continue
        model = models.get((record["file"], record["model"])) or _only_root(models, record["file"])
        if model is None:
            tally.models_not_found += 1
        placed = collections.defaultdict(lambda: {"rates": set(), "positions": set()})
        for layer in (model or {}).get("layers", []):
            if layer["kind"] == "dropout":
                site = placed[(layer["path"], layer["line"])]
                if layer["rate"] is not None:
                    site["rates"].add(round(layer["rate"], 6))
                site["positions"].add(layer["position"] or "unknown")
        for key, truth in ran.items():
            tally.sites += 1
            seen = placed.get(key)
            where = f"{record.get('builder', record['model'])} {key[0]}:{key[1]}"
            if seen is None:
                tally.misses.append(f"missed      {where}" + ("  (model not found)" if model is None else ""))
                continue
            tally.found += 1
            if seen["rates"]:
                tally.rate_resolved += 1
                if seen["rates"] <= truth["rates"]:
                    tally.rate_right += 1
                else:
                    tally.misses.append(f"rate        {where}  droplint {sorted(seen['rates'])}, ran {sorted(truth['rates'])}")
            if seen["positions"] <= truth["positions"]:
                tally.position_right += 1
            else:
                if "unknown" in seen["positions"]:
                    tally.position_unknown += 1
                tally.misses.append(
                    f"position    {where}  droplint {sorted(seen['positions'])}, ran {sorted(truth['positions'])}"
                )
    return tally


def _only_root(models: dict, file: str) -> dict | None:
    """The one root model of a file, for a builder that names no class of its own
    (`EfficientNetB0()` calls the file's `EfficientNet(...)` builder)."""
    roots = [model for (path, _), model in models.items() if path == file and model["root"]]
    return roots[0] if len(roots) == 1 else None


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def table(results: dict[str, Tally]) -> str:
    rows = [
        "| library | models run | not buildable | runtime sites | found | rate right (of resolved) | position right | unknown |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, t in results.items():
        rows.append(
            f"| {name} {LIBRARIES[name].version} | {t.models_built} | {t.models_failed} | {t.sites} | "
            f"{_percent(t.found, t.sites)} | {_percent(t.rate_right, t.rate_resolved)} | "
            f"{_percent(t.position_right, t.found)} | {t.position_unknown} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("libraries", nargs="*", choices=[*LIBRARIES, []], default=[])
    parser.add_argument("--all", action="store_true", help="every library")
    parser.add_argument("--limit", type=int, default=None, help="run at most N models of each")
    parser.add_argument("--misses", type=int, default=0, help="list the first N missed or misplaced sites")
    parser.add_argument("--json", help="write every model's runtime record here")
    parser.add_argument("--runtime-from", help="read the runtime records from a --json file instead of running")
    options = parser.parse_args()
    names = list(LIBRARIES) if options.all else options.libraries
    if not names:
        parser.error("name a library or give --all")
    results, everything = {}, {}
    for name in names:
        library = LIBRARIES[name]
        if options.runtime_from:
            records = json.loads(Path(options.runtime_from).read_text())[name]
        else:
            records = runtime(library, options.limit)
        results[name] = compare(records, static(library))
        everything[name] = records
        if options.json:
            Path(options.json).write_text(json.dumps(everything, indent=1))
    print(table(results))
    for name, tally in results.items():
        for line in tally.misses[: options.misses]:
            print(f"{name}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
