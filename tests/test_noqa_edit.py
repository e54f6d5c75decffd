"""`suppression.with_noqa`: the line "Disable DLxxx for this line" writes (editor quick fix)."""

from __future__ import annotations

from droplint.suppression import line_directives, suppressed, with_noqa

SOURCE = (
    "x = F.dropout(x)\n"  # 1: no comment
    "y = F.dropout(y)  # keep  # noqa: E501\n"  # 2: another tool's noqa after a comment
    "z = F.dropout(  # noqa: DL2\n"  # 3: droplint codes already there
    "    z)\n"
    "w = 1 + \\\n"  # 5: a line continuation: no comment may follow
    "    2\n"
    's = """F.dropout(\n'  # 7: ends inside a string
    '"""\n'
    "v = F.dropout(v)  # noqa\n"  # 9: a bare noqa silences everything already
)


def test_a_new_comment_is_added_after_the_code():
    assert with_noqa(SOURCE, 1, "DL301") == "x = F.dropout(x)  # noqa: DL301"


def test_codes_merge_into_the_lines_noqa():
    assert with_noqa(SOURCE, 2, "DL301") == "y = F.dropout(y)  # keep  # noqa: E501, DL301"
    assert with_noqa(SOURCE, 3, "DL301") == "z = F.dropout(  # noqa: DL2, DL301"


def test_nothing_where_a_comment_cannot_silence_the_code():
    assert with_noqa(SOURCE, 3, "DL201") is None  # DL2 already silences it
    assert with_noqa(SOURCE, 5, "DL301") is None
    assert with_noqa(SOURCE, 7, "DL301") is None
    assert with_noqa(SOURCE, 9, "DL301") is None
    assert with_noqa(SOURCE, 99, "DL301") is None


def test_the_edited_line_silences_the_code_and_keeps_crlf_endings():
    text = "a = 1\r\nb = F.dropout(b)\r\n"
    line = with_noqa(text, 2, "DL301")
    edited = text.replace("b = F.dropout(b)", line)
    assert edited == "a = 1\r\nb = F.dropout(b)  # noqa: DL301\r\n"
    assert suppressed("DL301", 2, line_directives(edited))
