"""`.droplint_cache/`: served when the file is unchanged, never stale, never fatal."""

from __future__ import annotations

from conftest import ALWAYS_ON, CLEAN
from droplint import engine


def _count_parses(monkeypatch):
    calls = []
    real = engine._analyse

    def counting(display, *args):
        calls.append(display)
        return real(display, *args)

    monkeypatch.setattr(engine, "_analyse", counting)
    monkeypatch.setattr(engine, "ISOLATE", False)  # count in this process, not in a worker
    return calls


def test_cache_folder_is_tagged_and_ignored(droplint, write, tmp_path):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    folder = tmp_path / ".droplint_cache"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"


def test_cache_lives_next_to_the_configuration(droplint, write, tmp_path):
    write("project/pyproject.toml", "[tool.droplint]\n")
    write("project/src/net.py", ALWAYS_ON)
    droplint("check", "project/src")
    assert (tmp_path / "project" / ".droplint_cache").is_dir()
    assert not (tmp_path / ".droplint_cache").exists()


def test_unchanged_file_is_served_from_the_cache(droplint, write, monkeypatch):
    write("net.py", ALWAYS_ON)
    first = droplint("check", "net.py").stdout
    parses = _count_parses(monkeypatch)
    second = droplint("check", "net.py").stdout
    assert parses == [] and first == second


def test_changed_file_is_never_served_stale(droplint, write, monkeypatch):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    write("net.py", CLEAN)
    parses = _count_parses(monkeypatch)
    result = droplint("check", "net.py")
    assert parses == ["net.py"]
    assert result.exit_code == 0


def test_damaged_entry_is_rebuilt(droplint, write, tmp_path, monkeypatch):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    entries = [p for p in (tmp_path / ".droplint_cache").rglob("*") if p.is_file() and len(p.name) == 32]
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x80\x04garbage")
    parses = _count_parses(monkeypatch)
    result = droplint("check", "net.py")
    assert parses == ["net.py"] and result.exit_code == 1 and "DL301" in result.stdout


def test_entry_of_the_wrong_type_is_a_miss(droplint, write, tmp_path, monkeypatch):
    """Signed by droplint's own key, but not a FileResult: the typed decoder refuses it."""
    from droplint.store import Store

    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    folder = tmp_path / ".droplint_cache"
    store = Store(folder)
    for entry in list(folder.rglob("*")):
        if entry.is_file() and len(entry.name) == 32:
            store.write(entry.relative_to(folder).as_posix(), {"not": "a result"})
    parses = _count_parses(monkeypatch)
    assert droplint("check", "net.py").exit_code == 1
    assert parses == ["net.py"]


def test_no_cache_neither_reads_nor_writes(droplint, write, tmp_path, monkeypatch):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    parses = _count_parses(monkeypatch)
    droplint("check", "net.py", "--no-cache")
    assert parses == ["net.py"]
    write("other.py", ALWAYS_ON)
    before = sorted(p for p in (tmp_path / ".droplint_cache").rglob("*"))
    droplint("check", "other.py", "--no-cache")
    assert sorted(p for p in (tmp_path / ".droplint_cache").rglob("*")) == before


def test_settings_that_shape_results_are_part_of_the_key(droplint, write, monkeypatch):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    write("droplint.toml", "tf-version = 1\n")
    parses = _count_parses(monkeypatch)
    droplint("check", "net.py")
    assert parses == ["net.py"]


def test_selection_is_not_part_of_the_key(droplint, write, monkeypatch):
    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    parses = _count_parses(monkeypatch)
    assert droplint("check", "net.py", "--select", "DL201").exit_code == 0
    assert droplint("check", "net.py").exit_code == 1
    assert parses == []


def test_read_only_cache_folder_does_not_stop_the_run(droplint, write, tmp_path, monkeypatch):
    from droplint import atomic

    write("net.py", ALWAYS_ON)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    result = droplint("check", "net.py")
    assert result.exit_code == 1 and "DL301" in result.stdout


def _age(*paths):
    """Make files look written a minute ago, so their time stamps can be trusted."""
    import os
    import time

    old = time.time_ns() - 60_000_000_000
    for path in paths:
        os.utime(path, ns=(old, old))


def test_unchanged_project_is_answered_without_reading_a_file(droplint, write, monkeypatch):

    from droplint import engine as engine_module

    paths = [write("a.py", ALWAYS_ON), write("b.py", CLEAN)]
    _age(*paths)
    first = droplint("check")
    second_pass_reads = []
    monkeypatch.setattr(engine_module, "_read_bytes", lambda p: second_pass_reads.append(p) or open(p, "rb").read())
    parses = _count_parses(monkeypatch)
    second = droplint("check")
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1
    assert parses == [] and second_pass_reads == []


def test_a_changed_file_invalidates_the_remembered_run(droplint, write, monkeypatch):
    path = write("a.py", ALWAYS_ON)
    _age(path)
    assert droplint("check").exit_code == 1
    write("a.py", CLEAN)
    _age(path)  # even with an old time stamp, the size differs
    parses = _count_parses(monkeypatch)
    assert droplint("check").exit_code == 0
    assert parses == ["a.py"]


def test_racy_files_are_read_again(droplint, write, monkeypatch):
    """A file written within a second of being read is checked by content, not time stamp."""
    path = write("a.py", ALWAYS_ON)
    droplint("check")
    path.write_text(ALWAYS_ON.replace("0.5", "0.7"))  # same size, same second
    parses = _count_parses(monkeypatch)
    result = droplint("check", "--format", "json")
    assert parses == ["a.py"]
    assert "0.7" in result.stdout


def test_selection_change_is_not_served_from_the_remembered_run(droplint, write):
    path = write("a.py", ALWAYS_ON)
    _age(path)
    assert droplint("check").exit_code == 1
    assert droplint("check", "--ignore", "DL301").exit_code == 0


def test_a_different_droplint_build_never_reads_old_entries(droplint, write, monkeypatch):
    from droplint import cache

    write("net.py", ALWAYS_ON)
    droplint("check", "net.py")
    monkeypatch.setattr(cache, "build_id", lambda: "another build")
    monkeypatch.setattr(engine, "build_id", lambda: "another build")
    parses = _count_parses(monkeypatch)
    droplint("check", "net.py")
    assert parses == ["net.py"]


def test_no_syntax_tree_outlives_its_file():
    """Workers process thousands of files: summaries, not trees, may outlive a file."""
    import gc

    from conftest import FIXTURES
    from droplint.context import FileContext

    for path in sorted(FIXTURES.rglob("*.py")):
        engine.process_file(str(path), path.read_bytes())
    gc.collect()
    assert [o for o in gc.get_objects() if type(o) is FileContext] == []


def test_a_run_over_one_file_reads_and_writes_only_its_folders_index(droplint, write, monkeypatch):
    from droplint.store import Store

    import os
    import time

    def write_old(relative, text):  # written long enough ago not to be "racy" (project.py)
        path = write(relative, text)
        os.utime(path, (time.time() - 10, time.time() - 10))

    for folder in ("a", "b", "c"):
        write_old(f"{folder}/net.py", ALWAYS_ON)
    droplint("check", ".")
    write_old("a/net.py", CLEAN)
    seen = {"read": [], "write": []}
    real_read, real_write = Store.read, Store.write

    def read(self, name, kind):
        seen["read"].append(name)
        return real_read(self, name, kind)

    def write_record(self, name, value):
        seen["write"].append(name)
        return real_write(self, name, value)

    monkeypatch.setattr(Store, "read", read)
    monkeypatch.setattr(Store, "write", write_record)
    assert droplint("check", "a/net.py").exit_code == 0
    index_reads = [n for n in seen["read"] if "/project-" in n]
    index_writes = [n for n in seen["write"] if "/project-" in n]
    assert len(set(index_reads)) == 1 and index_writes == index_reads[:1]
    # A whole run with one folder changed reads every folder's record, writes that one.
    seen["read"].clear(), seen["write"].clear()
    write_old("a/net.py", ALWAYS_ON + "\n# changed\n")
    droplint("check", ".")
    assert len({n for n in seen["read"] if "/project-" in n}) == 3
    assert [n for n in seen["write"] if "/project-" in n] == index_writes
