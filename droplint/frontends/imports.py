"""Names resolved through a file's own import table, never by spelling alone.

This replaces libcst's QualifiedNameProvider, which costs several parses per file:
droplint only needs "what does this dotted name refer to", and a file's imports
answer that.
"""

from __future__ import annotations

import os

import libcst as cst

from droplint import modules
from droplint.syntax import dotted
from droplint.walk import statements

# Spellings of one library that mean the same API; the first match wins.
ALIASES = (
    ("tensorflow.keras", "keras"),
    ("tensorflow.compat.v1.keras", "keras"),
    ("tensorflow.python.keras", "keras"),
    ("tf_keras", "keras"),
    ("keras.src", "keras"),
    ("keras._tf_keras.keras", "keras"),
    ("torch.nn.modules.dropout", "torch.nn"),
    ("torch.nn.modules.linear", "torch.nn"),
    ("torch.nn.modules.module", "torch.nn"),
    ("torch.nn.modules.container", "torch.nn"),
)


def canonical(name: str) -> str:
    for prefix, replacement in ALIASES:
        if name == prefix or name.startswith(prefix + "."):
            return replacement + name[len(prefix) :]
    return name


def module_name(path: str, roots: tuple[str, ...] = ()) -> str:
    """Dotted module name of a file, as droplint.modules resolves it."""
    return modules.module_of(path, roots).name


class ImportTable:
    """Local name → qualified name, from every import statement in the file."""

    def __init__(self, module_name: str, is_package: bool = False):
        self.module_name = module_name
        self.is_package = is_package
        self.names: dict[str, str] = {}
        # Local definitions (classes, functions) qualify to this module.
        self.local: dict[str, str] = {}

    def add_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if full is None:
                continue
            if alias.asname is not None:
                local = dotted(alias.asname.name)
                if local:
                    self.names[local] = full
            else:
                head = full.split(".")[0]
                self.names.setdefault(head, head)

    def add_import_from(self, node: cst.ImportFrom) -> None:
        base = self._from_module(node)
        if base is None or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = dotted(alias.asname.name) if alias.asname else name
            if local:
                self.names[local] = f"{base}.{name}" if base else name

    def _from_module(self, node: cst.ImportFrom) -> str | None:
        module = dotted(node.module) if node.module is not None else ""
        if module is None:
            return None
        dots = len(node.relative)
        if dots == 0:
            return module
        importer = modules.Module(self.module_name, "", self.is_package)
        return modules.absolute(importer, "." * dots + module)

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified, canonical name of a dotted expression, or None."""
        name = dotted(node)
        if name is None:
            return None
        return self.qualify_name(name)

    def qualify_name(self, name: str) -> str | None:
        head, _, rest = name.partition(".")
        if head in self.local:
            base = self.local[head]
        elif head in self.names:
            base = self.names[head]
        else:
            return None
        return canonical(f"{base}.{rest}" if rest else base)


def build(module: cst.Module, path: str, roots: tuple[str, ...] = ()) -> ImportTable:
    """The import table of a module: imports anywhere in it, and its own top-level defs.

    `roots` are the project's declared import roots (droplint.modules)."""
    name = module_name(path, roots)
    table = ImportTable(name, is_package=os.path.basename(path) == "__init__.py")
    for statement in module.body:
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            table.local[statement.name.value] = f"{name}.{statement.name.value}"
    for statement in statements(module):
        if isinstance(statement, cst.Import):
            table.add_import(statement)
        elif isinstance(statement, cst.ImportFrom):
            table.add_import_from(statement)
    return table
