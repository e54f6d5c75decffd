"""Pinned third-party code to measure and check droplint on, fetched once into bench/.cache/.

Used by the benchmark and the real-code scripts in scripts/. Wheels come from the
package registry with `pip download --no-deps`; nothing in them is imported or run.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
PINNED = {"transformers": "5.24.0", "keras": "3.15.1"}
# Libraries droplint was never developed against, for scripts/precision.py (issue 11).
# Keyed by import name; pip accepts it as the distribution name too.
PRECISION = {
    **PINNED,
    "torchvision": "0.29.1",
    "torch_geometric": "2.8.1",
    "torchaudio": "2.11.1",
}


def fetch(name: str, version: str | None = None) -> Path:
    """Unpacked wheel of `name` (pinned version); returns the folder of its package."""
    version = version or PRECISION[name]
    unpacked = CACHE / "unpacked" / f"{name}-{version}"
    package = unpacked / name
    if package.is_dir():
        return package
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel = next(wheels.glob(f"{name}-{version}-*.whl"), None)
    if wheel is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--dest", str(wheels), f"{name}=={version}"],
            check=True,
        )
        wheel = next(wheels.glob(f"{name}-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.startswith(f"{name}/")]
        archive.extractall(unpacked, members)
    return package


if __name__ == "__main__":
    for package_name in sys.argv[1:] or PINNED:
        print(fetch(package_name))
