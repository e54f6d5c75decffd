"""What an attribute holds where its class builds it with a factory: the family says.

A task head written once for every backbone builds the backbone with a library factory,
`setattr(self, self.base_model_prefix, AutoModel.from_config(config))`, and applies it as
`getattr(self, self.base_model_prefix)(x)`. What the factory returns is decided at run
time, so the frontend can only keep it as an opaque step. The classes that share a base
with the class say it statically: an instance attribute belongs to the instances of a
whole class hierarchy, and where another class of the family builds the same attribute
itself (`self.model = LlamaModel(config)` in `LlamaForCausalLM(LlamaPreTrainedModel)`),
that is the class the attribute holds in this family (the way a type checker gives an
attribute one declared type across a hierarchy).

For a class K and an opaque step of K applied as attribute A, in K's method resolution
order after K, base by base (nearest first): the family of a base is the other classes
written directly on it (its direct subclasses). A subclass of one of those refines it for
a model of its own (`class MistralForCausalLM(LlamaForCausalLM)` in another file, building
`self.model = MistralModel(config)`), which says nothing of the base's other subclasses.
When the family builds A as exactly one class of the project, the step is that class
(inlined by link); when it builds A as several, the evidence disagrees and the step stays
opaque; a family that never builds A passes the question on to the next base.

`getattr(self, self.X)` reads the attribute named by the class attribute `X` as the
instance's class defines it, so A is looked up in K's order (a subclass may rename the
backbone: `base_model_prefix = "transformer"`). A step handed in from outside (a
constructor parameter, op "?") is the caller's choice, not the family's: left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace

from droplint.analysis.inherit import Linearisation
from droplint.ir import ClassSummary, FileSummary, Layer, LayerKind

_SELF_ATTRIBUTE = re.compile(r"self\.(\w+)")
_NAMED_BY_CLASS_ATTRIBUTE = re.compile(r"getattr\(\s*self\s*,\s*self\.(\w+)\s*\)")


def type_attributes(summaries: list[FileSummary]) -> list[FileSummary]:
    """The summaries, with each opaque attribute the class's family builds as one class
    of the project made a block of that class."""
    families = _Families(summaries)
    if not families.built:
        return summaries
    completed = []
    for summary in summaries:
        classes = tuple(families.complete(cls) for cls in summary.classes)
        changed = any(new is not old for new, old in zip(classes, summary.classes))
        completed.append(replace(summary, classes=classes) if changed else summary)
    return completed


class _Families:
    def __init__(self, summaries: list[FileSummary]):
        decls = {decl.key: decl for s in summaries for decl in s.class_bases}
        self.strings = {key: dict(decl.strings) for key, decl in decls.items()}
        self.order = Linearisation({key: decl.bases for key, decl in decls.items()})
        # (attribute, class built there) for every summarised class.
        self.built: dict[str, dict[str, str]] = {}
        for summary in summaries:
            for cls in summary.classes:
                if cls.attributes:
                    self.built.setdefault(cls.key, dict(cls.attributes))
        # base -> the classes that name it among their bases (built on first use).
        self.members: dict[str, list[str]] | None = None
        self.decls = decls

    def complete(self, cls: ClassSummary) -> ClassSummary:
        layers = cls.graph.layers
        if not any(_candidate(layer) for layer in layers):
            return cls
        changed = False
        typed = []
        for layer in layers:
            key = self._built_class(cls.key, layer) if _candidate(layer) else None
            if key is not None and key != cls.key:
                layer = replace(layer, kind=LayerKind.SUBMODULE, op=key, opaque=None, bindings=())
                changed = True
            typed.append(layer)
        return replace(cls, graph=replace(cls.graph, layers=tuple(typed))) if changed else cls

    def _built_class(self, key: str, layer: Layer) -> str | None:
        order = self.order.mro(key) or [key]
        attribute = self._attribute(layer.name, order)
        if attribute is None:
            return None
        for base in order[1:]:
            found = {self.built[m][attribute] for m in self._family(base) if m != key and attribute in self.built.get(m, {})}
            if len(found) == 1:
                return found.pop()
            if found:
                return None  # the family builds it as several classes: no single answer
        return None

    def _attribute(self, name: str, order: list[str]) -> str | None:
        named = _NAMED_BY_CLASS_ATTRIBUTE.fullmatch(name)
        if named is not None:
            return next((self.strings[k][named.group(1)] for k in order if named.group(1) in self.strings.get(k, {})), None)
        plain = _SELF_ATTRIBUTE.fullmatch(name)
        return plain.group(1) if plain else None

    def _family(self, base: str) -> list[str]:
        if self.members is None:
            self.members = {}
            for key, decl in self.decls.items():
                for parent in dict.fromkeys(decl.bases):
                    self.members.setdefault(parent, []).append(key)
        return self.members.get(base, [])


def _candidate(layer: Layer) -> bool:
    """An opaque step built by a call this project does not define (a factory), applied
    as an attribute of the class."""
    return layer.opaque is not None and layer.op != "?" and layer.name.startswith(("self.", "getattr("))
