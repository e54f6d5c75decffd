"""A screenshot of one model of `droplint profile --format html`, as a browser shows it.

    python scripts/screenshot_profile.py FOLDER MODEL OUT.png

Copies FOLDER outside the repository (droplint honours .gitignore, and downloaded code
lives in ignored folders), profiles the copy with this checkout's droplint, opens the
page in Debian's chromium (headless, through tests/browser.py) and saves the section of
MODEL, in a window WIDTH pixels wide. docs/images/profile-bert.png was made from the
pinned transformers wheel:

    python scripts/screenshot_profile.py \\
        bench/.cache/unpacked/transformers-5.24.0/transformers/models/bert \\
        BertForSequenceClassification docs/images/profile-bert.png

Only droplint's picture is kept; the profiled code is not.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, visit  # noqa: E402  (the one place that launches the browser)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("model", help="the class (or function) name of the model to show")
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1440)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="droplint-shot-") as work:
        copy = Path(work) / options.folder.resolve().name
        shutil.copytree(options.folder, copy)
        page = subprocess.run(
            [sys.executable, "-m", "droplint", "profile", "--no-cache", "--format", "html", copy.name],
            cwd=work, capture_output=True, text=True, check=True,
        ).stdout
        page_file = Path(work) / "profile.html"
        page_file.write_text(page, encoding="utf-8")
        with chromium() as context:
            seen = visit(context, page_file)
            seen.page.set_viewport_size({"width": options.width, "height": 900})
            link = seen.page.locator("nav#index").get_by_role("link", name=options.model, exact=True)
            if link.count() != 1:
                print(f"no single model named {options.model} in the profile", file=sys.stderr)
                return 1
            section = seen.page.locator(link.get_attribute("href"))
            options.out.parent.mkdir(parents=True, exist_ok=True)
            section.screenshot(path=str(options.out))
            if seen.errors:
                print("console errors:", *seen.errors, sep="\n  ", file=sys.stderr)
                return 1
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
