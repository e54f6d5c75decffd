"""Parse the closure, not the tree: which files a run needs to parse at all.

A finding is about a dropout: a dropout layer or function, a layer that takes a dropout
rate, an attention kernel's `dropout_p`, or a random mask made by hand. A file that
mentions none of these (the seeds) can still matter in two ways, and only these:

- downward: a seed's model uses a block, a base class or a config class defined there
  (droplint.follow reads those, as it does for any linted file);
- upward: it uses a class that reaches a dropout (a block, a base class), so its model
  decides whether that block is a root and where its dropout sits.

Everything else is never parsed: its result is `deferred` (nothing to say yet), and it
is parsed only when the closure reaches it. The seed test is a scan of the bytes; the
upward test reads a file's imports (through re-exporting packages, as droplint.follow
does) and its words.
"""

from __future__ import annotations

import io
import os
import re
import tokenize

from droplint import follow
from droplint.frontends import catalog
from droplint.ir import FileSummary, LayerKind
from droplint.modules import Layout, imported_names, read_or_empty


def _op_names() -> list[bytes]:
    """Simple names of the ops that carry a dropout without saying so in their name
    (`nn.TransformerEncoderLayer` drops at 0.1 by default, `flash_attn_func(q, k, v, 0.1)`),
    from the catalogue, so that a new op there is a seed word at once."""
    names: set[str] = set(catalog.KERAS_DROPOUT_ARGS)
    for table in (catalog.RATE_KEYWORD_LAYERS, catalog.ATTENTION_DROPOUT, catalog.FLASH_ATTENTION_DROPOUT,
                  catalog.KEEP_PROB_ARGS, catalog.TORCH_OWN_DROPOUT):
        names.update(qualname.rsplit(".", 1)[-1] for qualname in table)
    return sorted(name.encode() for name in names)


# Any spelling of dropout or a keep probability, and the Bernoulli draws: substrings of
# the lowered text (a search per word is many times faster than one case-blind regex).
_WORDS = (b"drop", b"keep_prob", b"keepprob", b"bernoulli", b"binomial")
# Layers and kernels with a dropout argument, by their exact names.
_OP_NAMES = _op_names()
_OPS = re.compile(rb"\b(?:" + b"|".join(_OP_NAMES) + rb")\b")
# A random mask made by hand: a uniform or normal draw on a line that compares or
# floors (`rand(*x.shape) < keep`, `keep + torch.rand(shape)` then `.floor_()`).
_DRAWS = (b"rand", b"uniform")
_MASK_TAIL = re.compile(rb"[<>]|floor")


def seeded(data: bytes) -> bool:
    """Whether a file's own text may hold a dropout: it names one, comments included."""
    return _mentions(data, None)


def seeded_in_code(data: bytes) -> bool:
    """Whether a file's code, not its comments, may hold a dropout: it is parsed whatever
    else happens. A word in a comment (`# rows are dropped`) makes no seed: a comment
    holds no code. Exact (Python's tokenizer tells the comments); see `may_be_code`."""
    if not seeded(data):
        return False
    code = _without_comments(data)
    return code is None or seeded(code)


def may_be_code(data: bytes) -> bool:
    """`seeded_in_code`, told without tokenizing, as the parent does for every file: True
    if a seed word, op or mask is on a line with no `#` before it. False may be wrong (a
    `#` in a string): such a file is handed to a worker, which asks the tokenizer."""
    return _mentions(data, _before_any_hash)


def _mentions(data: bytes, counts) -> bool:
    """A seed word, op or mask at a position that `counts(text, position)` (None: any)."""
    lowered = data.lower()
    for word in _WORDS:
        start = lowered.find(word)
        while start >= 0:
            if counts is None or counts(lowered, start):
                return True
            start = lowered.find(word, _line_end(lowered, start))  # the rest of the line does not count
    if any(name in data for name in _OP_NAMES):
        if any(counts is None or counts(data, match.start()) for match in _OPS.finditer(data)):
            return True
    return _masks(lowered, counts)


def _masks(lowered: bytes, counts) -> bool:
    """A draw with a comparison or a floor after it on its line (one pass per draw: a
    regular expression spanning the line would backtrack over every long line)."""
    for draw in _DRAWS:
        start = lowered.find(draw)
        while start >= 0:
            end = _line_end(lowered, start)
            if _MASK_TAIL.search(lowered, start + len(draw), end) and (counts is None or counts(lowered, start)):
                return True
            start = lowered.find(draw, end)
    return False


def _line_end(text: bytes, position: int) -> int:
    end = text.find(b"\n", position)
    return len(text) if end < 0 else end


def _before_any_hash(text: bytes, position: int) -> bool:
    return text.find(b"#", text.rfind(b"\n", 0, position) + 1, position) < 0


def _without_comments(data: bytes) -> bytes | None:
    """The file with its comments blanked, as Python's tokenizer tells them (None: it
    cannot be tokenized, so every word counts)."""
    text = data.decode("utf-8", "surrogateescape")
    lines = io.StringIO(text).readlines()  # the tokenizer's lines: split at "\n" only
    try:
        comments = [token for token in tokenize.generate_tokens(io.StringIO(text).readline)
                    if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    for token in comments:  # a comment ends its line: the columns before it stay right
        row, column = token.start
        line = lines[row - 1]
        lines[row - 1] = line[:column] + line[token.end[1]:]
    return "".join(lines).encode("utf-8", "surrogateescape")


def reaching(summaries: list[FileSummary]) -> dict[str, set[str]]:
    """Per file (real path), the simple names of its classes that reach a dropout: their
    own layers hold one, or a layer, base or built class of theirs is such a class.

    By simple name, across files: a coincidence of names only parses a file more."""
    classes = [(s.path, c.name, _uses(c)) for s in summaries for c in s.classes]
    classes += [(s.path, d.name, {_simple(b) for b in d.bases}) for s in summaries for d in s.class_bases]
    reach = {c.name for s in summaries for c in s.classes if _drops(c)}
    grew = True
    while grew:
        grew = False
        for _, name, uses in classes:
            if name not in reach and not uses.isdisjoint(reach):
                reach.add(name)
                grew = True
    found: dict[str, set[str]] = {}
    reals: dict[str, str] = {}  # a file has many classes: resolve its path once
    for path, name, _ in classes:
        if name in reach:
            real = reals.get(path) or reals.setdefault(path, os.path.realpath(path))
            found.setdefault(real, set()).add(name)
    return found


def _drops(cls) -> bool:
    return any(layer.kind == LayerKind.DROPOUT or layer.rate is not None for layer in cls.graph.layers)


def _uses(cls) -> set[str]:
    names = {_simple(layer.op) for layer in cls.graph.layers}
    names.update(_simple(b) for b in cls.bases)
    names.update(_simple(c) for c in cls.constructs)
    return names


def _simple(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class Upward:
    """Which unparsed files use a class that reaches a dropout, asked again as the
    closure grows; each file's imports and words are read once.

    Linking resolves more than the file system does (a package's root found from its
    summaries, a unique simple name in the writer's root: droplint.analysis.namespace),
    so an import is matched three ways, each enough: the file it resolves to, a class
    name it ends in, a module name it passes through."""

    def __init__(self, layout: Layout, known: set[str], texts: dict[str, bytes]):
        self.layout = layout
        self.known = known  # real paths of the run's files: parsed, deferred or followed
        self.texts = texts  # real path -> bytes, for files given as text (stdin, fixes)
        self._imports: dict[str, tuple[set[str], set[str]]] = {}
        self._identifiers: dict[str, set[bytes]] = {}
        self._reach: dict | None = None
        self._reals: dict[str, str] = {}
        self._names: set[str] = set()  # every class name that reaches a dropout
        self._modules: dict[str, set[str]] = {}  # module word -> its such classes

    def uses(self, path: str, reach: dict[str, set[str]]) -> bool:
        """`path` imports a class that reaches a dropout (or the module holding one, and
        names it), or imports a project file the run knows nothing of (a partial run)."""
        files, parts = self.imports_of(path)
        if not parts:
            return False
        if reach is not self._reach:  # the closure grew: index its names once
            self._reach, self._names, self._modules = reach, set(), {}
            for file, names in reach.items():
                self._names.update(names)
                self._modules.setdefault(_module_word(file), set()).update(names)
        if not self._names.isdisjoint(parts):
            return True
        for file in files:
            if file not in self.known or (reach.get(file) and _named(reach[file], self._words(path))):
                return True
        return any(self._modules.get(part) and _named(self._modules[part], self._words(path)) for part in parts)

    def _real(self, path: str) -> str:
        found = self._reals.get(path)
        if found is None:
            found = self._reals[path] = os.path.realpath(path)
        return found

    def _data(self, path: str) -> bytes:
        data = self.texts.get(self._real(path))
        return read_or_empty(path) if data is None else data

    def imports_of(self, path: str) -> tuple[set[str], set[str]]:
        """The project files `path` imports, and every part of the names it imports."""
        found = self._imports.get(path)
        if found is None:
            files: set[str] = set()
            parts: set[str] = set()
            for name in imported_names(self._data(path)):
                files.update(self._real(file) for file in follow.files(self.layout, path, name))
                parts.update(part for part in name.split(".") if part)
            files.discard(self._real(path))
            found = self._imports[path] = (files, parts)
        return found

    def _words(self, path: str) -> set[bytes]:
        """The identifiers of a file, read only when an import of it leads somewhere."""
        found = self._identifiers.get(path)
        if found is None:
            found = self._identifiers[path] = set(re.findall(rb"[A-Za-z_]\w*", self._data(path)))
        return found


def _named(names: set[str] | None, words: set[bytes]) -> bool:
    return bool(names) and any(name.encode() in words for name in names)


def _module_word(path: str) -> str:
    """The last part of a file's module name: its stem, or its folder for a package."""
    folder, filename = os.path.split(path)
    stem = filename.rsplit(".", 1)[0]
    return os.path.basename(folder) if stem == "__init__" else stem
