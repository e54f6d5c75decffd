import os
import sys

# `python -m droplint` puts the working folder first on sys.path. In a linted project that
# folder may hold modules named like the standard library's (keras has a `random/`), which
# Python would then import in their place: droplint never imports the code it lints.
# droplint itself is already imported by now, so nothing of its own is lost.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from droplint.cli import main  # noqa: E402

main()
