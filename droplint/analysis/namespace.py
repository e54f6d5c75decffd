"""Project-wide class keys: one module name under two import roots is two modules.

A frontend keys a class by its file's dotted module name (`blocks.Block`) and names the
classes a file uses as the file's imports qualify them. Two experiment folders that each
have `blocks.py` then both say `blocks.Block`. `qualify` rewrites every such name, as seen
from the file that wrote it, into the key of the class Python would import there:

- a class keeps its key under the project root, and gets `@<root>` appended under any
  other import root (a script folder, a `src/`, a declared root);
- a name is looked up first in the writer's own root, then in the shared roots (declared
  roots and `src/`, the project root, the roots of regular packages) as `sys.path`
  would be: the first root holding the name's top-level module decides;
- in that root, the exact class, else a class of that name in the named package (a
  re-export through `__init__.py`: `from pkg import Block`);
- else a class of that simple name, if only one, in the writer's own root;
- else the name stays as written: an opaque step.

A script folder's root is never searched from another root, so what one folder means does
not depend on what else is linted. The module of a summary is the one `droplint.modules`
gave it in the worker; its root is recovered from its path, so this stays a pure function
of the summaries.
"""

from __future__ import annotations

import os
from dataclasses import replace

from droplint.ir import ClassSummary, FileSummary, LayerKind


def qualify(summaries: list[FileSummary], project: str | None = None, declared: tuple[str, ...] = (),
            real=os.path.realpath) -> list[FileSummary]:
    """The summaries with every class key and class reference made project-wide.

    Roots are compared as places (droplint.modules): `project` and `declared` resolved,
    and each summary's root resolved by `real` (Layout passes its memoised `real`)."""
    names = _Names(summaries, real(project or os.getcwd()), tuple(real(d) for d in declared), real)
    return [names.rewrite(summary) for summary in summaries]


def root_of(summary: FileSummary, real=os.path.realpath) -> str:
    """The import root a summary's module name is relative to (its folder if they
    disagree), symbolic links resolved: as droplint.modules roots it."""
    path = os.path.abspath(summary.path)
    folder, filename = os.path.split(path)
    base = folder if filename.startswith("__init__.") else os.path.splitext(path)[0]
    parts = summary.module.split(".") if summary.module else []
    for part in reversed(parts):
        if os.path.basename(base) != part:
            return real(folder)
        base = os.path.dirname(base)
    return real(base)


class _Names:
    def __init__(self, summaries: list[FileSummary], project: str, declared: tuple[str, ...], real):
        self.project = project
        self.root = {id(s): root_of(s, real) for s in summaries}
        # root -> module names found there, and the top-level names they start with.
        self.modules: dict[str, set[str]] = {}
        self.tops: dict[str, set[str]] = {}
        # root -> simple class name -> [(module, key as written)]
        self.by_name: dict[str, dict[str, list[tuple[str, str]]]] = {}
        package_roots = set()
        for summary in summaries:
            root = self.root[id(summary)]
            self.modules.setdefault(root, set()).add(summary.module)
            self.tops.setdefault(root, set()).add(summary.module.split(".")[0])
            if "." in summary.module or os.path.basename(summary.path).startswith("__init__."):
                package_roots.add(root)
            names = self.by_name.setdefault(root, {})
            for key in _defined(summary):
                names.setdefault(key.rsplit(".", 1)[-1], []).append((summary.module, key))
        self.shared = tuple(dict.fromkeys([*declared, project, *sorted(package_roots)]))

    def key(self, root: str, name: str) -> str:
        return name if root == self.project else f"{name}@{root}"

    def resolve(self, name: str, root: str, own: frozenset, by_simple_name: bool = True) -> str:
        """The project-wide key `name` refers to from a file under `root`.

        A base class never falls back to its simple name: `keras.layers.Layer` is not the
        project's own `Layer`."""
        if name in own:
            return self.key(root, name)
        top = name.split(".")[0]
        for candidate in dict.fromkeys((root, *self.shared)):
            if top in self.tops.get(candidate, ()):
                found = self._in_root(name, candidate)
                if found is not None:
                    return found
                break
        matches = self.by_name.get(root, {}).get(name.rsplit(".", 1)[-1], []) if by_simple_name else []
        if len({key for _, key in matches}) == 1:
            return self.key(root, matches[0][1])
        return name

    def _in_root(self, name: str, root: str) -> str | None:
        simple = name.rsplit(".", 1)[-1]
        candidates = self.by_name.get(root, {}).get(simple, [])
        if any(key == name for _, key in candidates):
            return self.key(root, name)
        # Re-exported by a package: a class of that name in a module under the package.
        package = name.rsplit(".", 1)[0] if "." in name else ""
        inside = {key for module, key in candidates if module == package or module.startswith(package + ".")}
        if package and len(inside) == 1:
            return self.key(root, inside.pop())
        return None

    def rewrite(self, summary: FileSummary) -> FileSummary:
        root = self.root[id(summary)]
        own = frozenset(_defined(summary))
        cache: dict[tuple[str, bool], str] = {}

        def name(text: str | None, by_simple_name: bool = True) -> str | None:
            if text is None:
                return None
            if (text, by_simple_name) not in cache:
                cache[text, by_simple_name] = self.resolve(text, root, own, by_simple_name)
            return cache[text, by_simple_name]

        def base(text: str) -> str:
            return name(text, by_simple_name=False)

        classes = tuple(_rewrite_class(cls, name, base) for cls in summary.classes)
        builds = tuple(_changed(b, key=name(b.key), bindings=_rewrite_bindings(b.bindings, name)) for b in summary.builds)
        configs = tuple(_changed(c, key=name(c.key)) for c in summary.configs)
        return _changed(
            summary,
            classes=classes,
            configs=configs,
            references=tuple(dict.fromkeys(name(r) for r in summary.references)),
            builds=builds,
            class_bases=tuple(
                _changed(decl, key=name(decl.key), bases=tuple(base(b) for b in decl.bases)) for decl in summary.class_bases
            ),
        )


def _changed(record, **changes):
    """`record` with `changes`, or `record` itself when they change nothing. Most names
    are project-wide already (every file under the project root): a copy of every class
    and layer of every file cost a tenth of a cold run's linking."""
    if all(getattr(record, field) == value for field, value in changes.items()):
        return record
    return replace(record, **changes)


def _defined(summary: FileSummary):
    yield from (cls.key for cls in summary.classes)
    yield from (config.key for config in summary.configs)
    yield from (decl.key for decl in summary.class_bases)  # classes that are not models too


def _rewrite_bindings(bindings, name):
    if not any(b.block for b in bindings):
        return bindings
    return tuple(_changed(b, block=name(b.block)) if b.block else b for b in bindings)


def _rewrite_class(cls: ClassSummary, name, base) -> ClassSummary:
    graph = cls.graph
    if any(layer.kind == LayerKind.SUBMODULE for layer in graph.layers):
        layers = tuple(
            _changed(layer, op=name(layer.op), bindings=_rewrite_bindings(layer.bindings, name))
            if layer.kind == LayerKind.SUBMODULE else layer
            for layer in graph.layers
        )
        graph = _changed(graph, layers=layers)
    return _changed(
        cls,
        key=name(cls.key),
        bases=tuple(base(b) for b in cls.bases),
        graph=graph,
        config_class=name(cls.config_class),
        constructs=tuple(name(c) for c in cls.constructs),
        attributes=tuple((attr, name(key)) for attr, key in cls.attributes),
    )
