"""Untrusted text on its way out: every reporter escapes through here.

Messages quote the linted source and name its files, and both are the repository's to
choose. Written raw, a newline followed by `::error file=...` becomes a GitHub workflow
command in a CI log, and an escape sequence (`ESC ] 52 ;` writes the clipboard) reaches
the terminal, even through a pipe. So control characters are shown as Python escapes,
and no line may start with `::`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 controls, DEL, C1 controls, and the invisible characters that reorder or break a
# line on screen: Unicode line and paragraph separators, bidirectional overrides and
# isolates ("Trojan Source"), and the byte-order mark.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def controls(text: str, keep: str = "") -> str:
    """`text` with every control or invisible character shown as an escape (`\\x1b`),
    except those in `keep` (a reporter that escapes them its own way)."""
    if not _UNSAFE.search(text):
        return text
    if keep:
        return _UNSAFE.sub(lambda match: match.group() if match.group() in keep else _shown(match), text)
    return _UNSAFE.sub(_shown, text)


def path(text: str) -> str:
    """A path at the start of an output line: escaped, and never read as `::command`."""
    text = controls(text)
    return "./" + text if text.startswith("::") else text


def html(text: str) -> str:
    """For an HTML page: controls shown as escapes, then markup escaped, once."""
    import html as markup

    return markup.escape(controls(text), quote=True)


def uri(text: str) -> str:
    """A relative POSIX path as a URI reference (SARIF `artifactLocation.uri`):
    percent-encoded, so a space, `%`, `#`, `?`, a leading `name:` (read as a scheme) or a
    newline stay part of the path."""
    return quote(text, safe="/-._~")
