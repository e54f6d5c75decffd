"""`--fix` writes only what it read, only inside the linted tree, and says when it did
not (issue 12, part A). Each test is an attack or accident that lost data before."""

from __future__ import annotations

import errno
import os
import stat
import sys

from conftest import ALWAYS_ON
from droplint import fix

FIXED = ALWAYS_ON.replace("F.dropout(x, 0.5)", "F.dropout(x, 0.5, training=self.training)")


def _leftovers(folder, *keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_a_symlinked_folder_out_of_the_tree_is_never_followed(droplint, write, tmp_path):
    elsewhere = write("elsewhere/net.py", ALWAYS_ON)
    write("repo/own.py", ALWAYS_ON)
    (tmp_path / "repo" / "ext").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    droplint.folder = tmp_path / "repo"
    code, report = droplint.json("check", ".", "--no-cache")
    assert [d["path"] for d in report["diagnostics"]] == ["own.py"]
    droplint("check", ".", "--no-cache", "--fix")
    assert elsewhere.read_text() == ALWAYS_ON
    assert (tmp_path / "repo" / "own.py").read_text() == FIXED


def test_a_symlinked_folder_inside_the_repository_is_followed(droplint, write, tmp_path):
    write("repo/shared/net.py", ALWAYS_ON)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / "src").mkdir()
    (tmp_path / "repo" / "src" / "models").symlink_to(tmp_path / "repo" / "shared", target_is_directory=True)
    droplint.folder = tmp_path / "repo" / "src"
    _, report = droplint.json("check", ".", "--no-cache")
    assert [d["path"] for d in report["diagnostics"]] == ["models/net.py"]


def test_fix_never_writes_through_a_symlinked_file(droplint, write, tmp_path):
    target = write("data/net.txt", ALWAYS_ON)  # not .py: linted only through the link
    (tmp_path / "link.py").symlink_to(target)
    result = droplint("check", "--no-cache", "--fix")
    assert (tmp_path / "link.py").is_symlink()
    assert target.read_text() == ALWAYS_ON
    assert "link.py: error: is a symbolic link" in result.stdout and "not fixed" in result.stdout
    assert "Fixed" not in result.stdout and result.exit_code == 1


def test_fix_never_writes_through_a_named_link_out_of_the_tree(droplint, write, tmp_path):
    target = write("outside/net.py", ALWAYS_ON)
    write("repo/keep.txt", "")
    (tmp_path / "repo" / "link.py").symlink_to(target)
    droplint.folder = tmp_path / "repo"
    result = droplint("check", "link.py", "--no-cache", "--fix")
    assert (tmp_path / "repo" / "link.py").is_symlink() and target.read_text() == ALWAYS_ON
    assert "not fixed" in result.stdout


def test_a_file_and_a_link_to_it_are_linted_once_by_the_file_s_name(droplint, write, tmp_path):
    path = write("net.py", ALWAYS_ON)
    (tmp_path / "alias.py").symlink_to(path)
    droplint("check", "--no-cache", "--fix")
    assert path.read_text() == FIXED and (tmp_path / "alias.py").is_symlink()


def test_fix_refuses_hard_linked_files(droplint, write, tmp_path):
    path = write("net.py", ALWAYS_ON)
    os.link(path, tmp_path / "copy.txt")
    result = droplint("check", "--no-cache", "--fix")
    assert path.read_text() == ALWAYS_ON and os.stat(path).st_nlink == 2
    assert "net.py: error: has 2 hard links" in result.stdout
    assert "Fixed" not in result.stdout


def test_fix_refuses_read_only_files(droplint, write, tmp_path):
    path = write("net.py", ALWAYS_ON)
    path.chmod(0o444)
    result = droplint("check", "--no-cache", "--fix")
    assert path.read_text() == ALWAYS_ON and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert "net.py: error: file is read-only; not fixed" in result.stdout


def test_fix_keeps_the_owner(droplint, write, tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        import pytest

        pytest.skip("only root can give a file to another user")
    path = write("net.py", ALWAYS_ON)
    os.chown(path, 4321, 4322)
    droplint("check", "--no-cache", "--fix")
    assert path.read_text() == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4322)


def test_a_concurrent_edit_during_verification_survives(droplint, write, tmp_path, monkeypatch):
    """An editor saves the file while droplint verifies the fixed text before writing it."""
    path = write("net.py", ALWAYS_ON)
    real_verify = fix.verify
    saved = ALWAYS_ON + "# saved by the editor meanwhile\n"

    def verify_while_someone_saves(text, name):
        if sys._getframe(1).f_code.co_name == "write_verified":
            path.write_text(saved)
        return real_verify(text, name)

    monkeypatch.setattr(fix, "verify", verify_while_someone_saves)
    result = droplint("check", "--no-cache", "--fix")
    assert path.read_text() == saved
    assert "net.py: error: file changed while droplint was fixing it; not written" in result.stdout
    assert "Fixed" not in result.stdout and result.exit_code == 1


def test_a_change_just_before_the_rename_is_detected(tmp_path, monkeypatch):
    """The last look happens after the new text is on disk, just before os.replace."""
    path = tmp_path / "net.py"
    path.write_text(ALWAYS_ON)
    real_fsync = os.fsync

    def fsync_then_edit(fd):
        real_fsync(fd)
        path.write_text(ALWAYS_ON.replace("0.5", "0.6"))

    monkeypatch.setattr(fix.os, "fsync", fsync_then_edit)
    problem = fix.write_verified(str(path), ALWAYS_ON, FIXED)
    assert problem == "file changed while droplint was fixing it; not written"
    assert "0.6" in path.read_text()
    assert _leftovers(tmp_path, "net.py") == []


class _FullDisk:
    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.handle, name)


def test_a_failed_write_is_not_fixed_and_leaves_no_temporary_file(droplint, write, tmp_path, monkeypatch):
    path = write("net.py", ALWAYS_ON)
    real_fdopen = os.fdopen

    def full_disk(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return _FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr(os, "fdopen", full_disk)
    result = droplint("check", "--no-cache", "--fix")
    assert path.read_text() == ALWAYS_ON
    assert "No space left on device" in result.stdout
    assert "Fixed" not in result.stdout and result.exit_code == 1
    assert _leftovers(tmp_path, "net.py") == []


def test_a_fifo_or_device_as_gitignore_does_not_hang_discovery(tmp_path):
    """Run as a user would, with a bound: reading a FIFO would block for ever."""
    import subprocess

    (tmp_path / "net.py").write_text(ALWAYS_ON)
    os.mkfifo(tmp_path / ".gitignore")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").symlink_to("/dev/zero")
    (tmp_path / "sub" / "other.py").write_text(ALWAYS_ON)
    result = subprocess.run(
        [sys.executable, "-m", "droplint", "check", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and result.stdout.count("DL301") == 2
