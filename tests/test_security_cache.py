"""A linted repository cannot make droplint run code, trust its data, or write elsewhere
through the cache (issue 12, part A). Each test is an attack a repository can commit."""

from __future__ import annotations

import contextlib
import os
import pickle
import stat

import pytest

from conftest import ALWAYS_ON
from droplint import engine, source
from droplint.ir import FileResult

TREE_FILES = {"net.py": ALWAYS_ON}


class _Payload:
    """What a hostile repository commits as a cache file: unpickling it runs code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


@contextlib.contextmanager
def _every_file_clean(monkeypatch):
    """droplint patched, in this process, to call every file clean: the attacker's build."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "ISOLATE", False)  # the patch lives in this process
        patch.setattr(
            engine, "process_file",
            lambda display, data, settings=None: FileResult(display, source.digest_of(data), skipped=True),
        )
        yield


def _cache_files(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.name not in ("CACHEDIR.TAG", ".gitignore")]


@pytest.mark.parametrize(
    "command",
    [
        ("check", "net.py"),
        ("check", "net.py", "--format", "sarif"),
        ("check", "net.py", "--fix"),
        ("profile", "net.py"),
    ],
)
def test_a_committed_pickle_never_runs(droplint, write, tmp_path, command):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    marker = tmp_path / "owned"
    planted = _cache_files(tmp_path / ".droplint_cache")
    assert planted  # the entries, the project index and the last-run memo
    # Also the names older droplint builds read.
    version = tmp_path / ".droplint_cache" / "0.1.0"
    planted += [version / "last-run.pickle", version / "project-0.pickle"]
    for path in planted:
        path.write_bytes(pickle.dumps(_Payload(marker)))
    result = droplint(*command)
    assert not marker.exists()
    if "--fix" not in command and command[0] == "check":
        assert result.exit_code == 1


def test_a_forged_skipped_result_does_not_hide_findings(droplint, write, tmp_path, monkeypatch):
    """The attacker runs droplint itself, patched to call every file clean, under their
    own key, and commits the cache it wrote: entries, index and memo all carry the right
    names and a well-formed MAC, just not one made with this user's key."""
    write("net.py", ALWAYS_ON)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker-home"))
    with _every_file_clean(monkeypatch):
        forged = droplint("check", "net.py")
    assert forged.exit_code == 0 and "All checks passed" in forged.stdout  # the forgery itself works

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "victim-home"))
    result = droplint("check", "net.py")
    assert result.exit_code == 1 and "DL301" in result.stdout
    # Stdin mode reads the per-file entries too.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker-home"))
    with _every_file_clean(monkeypatch):
        droplint("check", "--stdin-filename", "net.py", "-", input=ALWAYS_ON)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "victim-home"))
    stdin = droplint("check", "--stdin-filename", "net.py", "-", input=ALWAYS_ON)
    assert stdin.exit_code == 1 and "DL301" in stdin.stdout


def test_an_entry_with_a_bad_mac_is_a_miss(droplint, write, tmp_path):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    from droplint.store import MAGIC

    for path in _cache_files(tmp_path / ".droplint_cache"):
        data = path.read_bytes()
        assert data.startswith(MAGIC)
        mac_end = len(MAGIC) + 32
        path.write_bytes(data[: len(MAGIC)] + bytes(32) + data[mac_end:])
    result = droplint("check", "net.py")
    assert result.exit_code == 1 and "DL301" in result.stdout


def test_the_key_is_private_and_outside_the_tree(droplint, write, tmp_path, user_cache):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    key = user_cache / "droplint" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert tmp_path not in key.parents


def test_a_key_others_can_read_is_not_used(droplint, write, tmp_path, monkeypatch):
    from droplint import secret

    home = tmp_path / "shared-home"
    (home / "droplint").mkdir(parents=True)
    (home / "droplint" / "key").write_bytes(bytes(32))
    os.chmod(home / "droplint" / "key", 0o644)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert secret.user_key() is None
    write("net.py", ALWAYS_ON)
    assert droplint("check", "net.py").exit_code == 1
    assert not (tmp_path / ".droplint_cache").exists()  # uncached, and no error


def test_a_symlinked_cache_folder_is_never_written_through(droplint, write, tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    outside.mkdir()
    write("tree/net.py", ALWAYS_ON)
    (tree / ".droplint_cache").symlink_to(outside, target_is_directory=True)
    droplint.folder = tree
    for _ in range(2):
        result = droplint("check", "net.py")
        assert result.exit_code == 1 and "DL301" in result.stdout
    assert list(outside.iterdir()) == []


def test_a_symlinked_folder_inside_the_cache_is_never_written_through(droplint, write, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write("net.py", ALWAYS_ON)
    (tmp_path / ".droplint_cache").mkdir()
    (tmp_path / ".droplint_cache" / "0.1.0").symlink_to(outside, target_is_directory=True)
    assert droplint("check", "net.py").exit_code == 1
    assert list(outside.iterdir()) == []


def test_dangling_symlinks_at_the_tag_and_gitignore_are_not_followed(droplint, write, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write("net.py", ALWAYS_ON)
    folder = tmp_path / ".droplint_cache"
    folder.mkdir()
    (folder / "CACHEDIR.TAG").symlink_to(outside / "tag")
    (folder / ".gitignore").symlink_to(outside / "ignore")
    assert droplint("check", "net.py").exit_code == 1
    assert list(outside.iterdir()) == []


def test_a_fifo_in_the_cache_does_not_hang_the_run(droplint, write, tmp_path):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    for path in _cache_files(tmp_path / ".droplint_cache"):
        path.unlink()
        os.mkfifo(path)
    assert droplint("check", "net.py").exit_code == 1


def test_config_above_the_repository_is_ignored(droplint, write, tmp_path):
    write("droplint.toml", 'ignore = ["DL301"]\n')
    write("repo/net.py", ALWAYS_ON)
    (tmp_path / "repo" / ".git").mkdir()
    droplint.folder = tmp_path / "repo"
    result = droplint("check", "net.py")
    assert result.exit_code == 1 and "DL301" in result.stdout
    assert not (tmp_path / ".droplint_cache").exists()
    # Named on the command line, it is the user's choice.
    assert droplint("check", "net.py", "--config", "../droplint.toml").exit_code == 0


def test_config_inside_the_repository_is_still_found(droplint, write, tmp_path):
    write("repo/droplint.toml", 'ignore = ["DL301"]\n')
    write("repo/src/net.py", ALWAYS_ON)
    (tmp_path / "repo" / ".git").mkdir()
    droplint.folder = tmp_path / "repo" / "src"
    assert droplint("check", "net.py").exit_code == 0


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("command", ["check", "profile"])
def test_cache_dir_moves_the_cache(droplint, write, tmp_path, monkeypatch, how, command):
    write("net.py", ALWAYS_ON)
    chosen = tmp_path / "elsewhere" / "cache"
    args = [command, "net.py"]
    if how == "option":
        args += ["--cache-dir", str(chosen)]
    else:
        monkeypatch.setenv("DROPLINT_CACHE_DIR", str(chosen))
    droplint(*args)
    assert not (tmp_path / ".droplint_cache").exists()
    assert (chosen / "CACHEDIR.TAG").is_file()
    calls = []
    real = engine._analyse
    monkeypatch.setattr(engine, "_analyse", lambda display, *rest: calls.append(display) or real(display, *rest))
    monkeypatch.setattr(engine, "ISOLATE", False)  # count in this process, not in a worker
    droplint(*args)
    assert calls == []  # served from the chosen folder


def test_a_record_moved_to_another_name_does_not_verify(tmp_path):
    """The MAC covers the record's name: a genuine record cannot stand in for another."""
    from droplint.store import Store

    store = Store(tmp_path / "cache")
    store.write("0.1.0/aa/first", {"answer": 1})
    assert store.read("0.1.0/aa/first", dict) == {"answer": 1}
    (tmp_path / "cache" / "0.1.0" / "aa" / "second").write_bytes((tmp_path / "cache" / "0.1.0" / "aa" / "first").read_bytes())
    assert store.read("0.1.0/aa/second", dict) is None


def test_a_record_behind_a_symlink_is_not_read(tmp_path):
    """Even one that would verify (a genuine record of another cache, under the same name)."""
    from droplint.store import Store

    Store(tmp_path / "genuine").write("0.1.0/aa/first", {"answer": 1})
    linked = tmp_path / "tree-cache" / "0.1.0" / "aa"
    linked.mkdir(parents=True)
    (linked / "first").symlink_to(tmp_path / "genuine" / "0.1.0" / "aa" / "first")
    assert Store(tmp_path / "genuine").read("0.1.0/aa/first", dict) == {"answer": 1}
    assert Store(tmp_path / "tree-cache").read("0.1.0/aa/first", dict) is None
