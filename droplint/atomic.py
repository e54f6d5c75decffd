"""Write a file so that a reader sees its old content or its new, never part of either.

The new content goes to a temporary file beside the target (same folder, so the same file
system), then one rename puts it in place: `os.replace` is atomic, and replaces a symlink
at the target itself, never what it points to.
"""

from __future__ import annotations

import os
import tempfile
from typing import Callable


def write_atomic(
    path: str | os.PathLike,
    data: bytes,
    *,
    prefix: str = ".droplint-",
    suffix: str = ".tmp",
    durable: bool = False,
    before_rename: Callable[[str], None] | None = None,
) -> None:
    """Write `data` beside `path`, then rename it over `path`.

    `durable` syncs the data to disk before the rename (a fixed source file must survive
    a crash; a cache entry need not). `before_rename(temporary)` runs on the written file
    just before the rename, to give it the old file's owner and mode or to take a last
    look at `path`; whatever it raises leaves `path` as it was. The temporary file never
    outlives the call. OSError from the file system propagates. The new file has the
    temporary's mode, 0600, unless `before_rename` changes it.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if before_rename is not None:
            before_rename(temporary)
        os.replace(temporary, path)
        temporary = None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
