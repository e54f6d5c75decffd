"""droplint.add_noqa.add: where a `# noqa` can go, and what it keeps."""

from __future__ import annotations

from droplint.add_noqa import add
from droplint.suppression import line_directives, suppressed


def test_keeps_crlf_line_endings_and_other_lines():
    text = "a = 1\r\nb = 2\r\nc = 3\r\n"
    added = add(text, {2: {"DL201"}})
    assert added.text == "a = 1\r\nb = 2  # noqa: DL201\r\nc = 3\r\n"
    assert added.directives == 1


def test_merges_into_a_noqa_written_without_spaces_and_sorts_new_codes():
    added = add("x = 1  # noqa:DL302\n", {1: {"DL301", "DL201"}})
    assert added.text == "x = 1  # noqa:DL302, DL201, DL301\n"
    assert all(suppressed(c, 1, line_directives(added.text)) for c in ("DL201", "DL301", "DL302"))


def test_bare_noqa_and_codes_already_there_are_left_alone():
    text = "x = 1  # noqa\ny = 2  # noqa: DL201\n"
    added = add(text, {1: {"DL301"}, 2: {"DL201"}})
    assert added.text == text and added.directives == 0


def test_refuses_backslash_continuations_and_string_insides():
    text = 'x = 1 + \\\n    2\ns = """\nnot code\n"""\n'
    added = add(text, {1: {"DL201"}, 4: {"DL201"}, 5: {"DL201"}})
    assert added.refused == [1, 4]
    assert added.text.splitlines()[4] == '"""  # noqa: DL201'


def test_last_line_without_a_newline():
    assert add("x = 1", {1: {"DL201"}}).text == "x = 1  # noqa: DL201"
