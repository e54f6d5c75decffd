"""Join per-file summaries into models: inline blocks, bind rates, find roots, place dropouts.

`link` is a pure function of the summaries it is given, so the engine may feed it cached
summaries of files it did not lint this run.

- A `submodule` node names a class by key (`pkg.blocks.Block`). It is replaced by that
  class's graph: the block's inputs become the call's inputs, the call's consumers read
  the block's outputs, and every node gets a fresh id, unique within the model.
- A rate written as a constructor parameter (`Rate.param`) takes the value the parent
  passes for it (`Block(dim, drop=0.1)`), else keeps its default.
- A rate written as `config.x` (`Rate.config_attr`) takes the default of field `x` from
  the project's config classes, or an argparse default of the same name.
- Roots are the model classes no other class uses as a submodule.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace

import msgspec

from droplint.analysis import binding, family, inherit, namespace
from droplint.analysis.depth import place
from droplint.ir import (
    ClassSummary,
    FileSummary,
    MODEL_KINDS,
    Layer,
    LayerKind,
    Model,
    PlacedLayer,
    Rate,
)
from droplint.modules import Layout

_ENCODER = msgspec.msgpack.Encoder(order="deterministic")

# Deeper nesting than this is a cycle the key check missed, or generated code.
MAX_BLOCK_NESTING = 40
# A model that would inline to more nodes than this is not checked, and the engine says
# so. Linking and the model rules are linear in the nodes, so this bounds their time
# (the same bound as the Keras tracer's).
MAX_NODES = 20_000


class _Index:
    """Every class and config of the project, by key and by simple name."""

    def __init__(self, summaries: list[FileSummary]):
        self.classes: dict[str, ClassSummary] = {}
        by_name: dict[str, list[ClassSummary]] = {}
        for summary in summaries:
            for cls in summary.classes:
                if cls.key not in self.classes:
                    self.classes[cls.key] = cls
                    by_name.setdefault(cls.name, []).append(cls)
        self.by_name = by_name
        self.sizes: dict[str, int] = {}  # class key -> layers its inlining emits
        # attribute -> [(folder, value)] from config classes and argparse defaults.
        self.fields: dict[str, list[tuple[str, float]]] = {}
        self.configs: dict[str, dict] = {}  # config class key -> its fields
        config_names: dict[str, list[str]] = {}
        seen = set()
        for summary in summaries:
            folder = os.path.dirname(summary.path)
            for config in summary.configs:
                if config.key in seen:
                    continue
                seen.add(config.key)
                self.configs[config.key] = dict(config.fields)
                config_names.setdefault(config.name, []).append(config.key)
                for name, value in config.fields:
                    self.fields.setdefault(name, []).append((folder, value))
        self.config_by_name = {name: keys[0] for name, keys in config_names.items() if len(keys) == 1}
        # (path, class name, qualified bases) of every class, summarised or not.
        self.class_bases = [(summary.path, decl.name, decl.bases) for summary in summaries for decl in summary.class_bases]
        # class key -> the project classes its first builder function passes for its
        # constructor parameters (files in path order, so the choice is stable).
        self.built_with: dict[str, tuple] = {}
        for summary in sorted(summaries, key=lambda s: s.path):
            for build in summary.builds:
                self.built_with.setdefault(build.key, build.bindings)
        self.extras: dict[str, list[tuple[str, float]]] = {}
        for summary in summaries:
            folder = os.path.dirname(summary.path)
            for name, value in summary.extras:
                self.extras.setdefault(name, []).append((folder, value))

    def find(self, key: str) -> ClassSummary | None:
        """The class a submodule key names (keys are project-wide: analysis.namespace)."""
        return self.classes.get(key)

    def config_fields(self, key: str | None) -> dict | None:
        if key is None:
            return None
        found = self.configs.get(key)
        if found is None:
            simple = self.config_by_name.get(key.rsplit(".", 1)[-1])
            found = self.configs.get(simple) if simple else None
        return found

    def config_value(self, attr: str, path: str, config_key: str | None = None,
                     argparse: bool = True) -> tuple[float | None, str] | None:
        """The default of config field `attr` and its rate source: from the configs of
        the file's own folder when they define it, else from the project's when they all
        agree; then argparse defaults the same way. None when nothing defines it;
        (None, "config") when the config defines it without a number (`= None`);
        (None, "null") when definitions disagree. The class's own config class
        (`config_key`, from its constructor's annotation) answers first. `argparse`: the
        argparse defaults of other files may answer (not for a read with a fallback of its
        own, `cfg.get("p", 0.2)`: parsed arguments always hold every option)."""
        own = self.config_fields(config_key)
        if own is not None and attr in own:
            return own[attr], "config"
        folder = os.path.dirname(path)
        tables = ((self.fields, "config"), (self.extras, "default")) if argparse else ((self.fields, "config"),)
        for table, source in tables:
            found = table.get(attr)
            if not found:
                continue
            near = {value for where, value in found if where == folder}
            if len(near) == 1:
                return near.pop(), source
            if near:
                return None, "null"
            values = {value for _, value in found}
            if len(values) == 1:
                return values.pop(), source
            return None, "null"
        return None


def link(summaries: list[FileSummary], roots_only: bool = False, layout: Layout | None = None,
         touching: set[str] | None = None) -> list[Model]:
    """Every model class of the project, roots first placed by depth, in source order.

    `roots_only` leaves out the blocks: checking needs only the roots (blocks are judged
    inlined in them), and inlining every block on its own costs time and memory.
    `layout` gives the project root and declared import roots (default: the working folder).
    `touching` (paths): only the models defined in those files or that may apply a layer
    of theirs are built (a pre-commit run reports on its changed files only)."""
    project = Project(summaries, layout)
    models = [project.model(cls, root) for cls, root in project.classes(roots_only, touching)]
    models.sort(key=lambda m: (not m.root, m.path, m.line, m.name))
    return models


class Project:
    """The summaries joined: every class by key, which are roots, and each model on demand."""

    def __init__(self, summaries: list[FileSummary], layout: Layout | None = None):
        if layout is not None:
            qualified = namespace.qualify(summaries, layout.project, layout.declared, layout.real)
        else:
            qualified = namespace.qualify(summaries)
        summaries, inherited = inherit.complete(qualified)
        self.index = _Index(family.type_attributes(summaries))
        self.used = _used(self.index, inherited)
        self._digests: dict[str, bytes] = {}
        self._tables: bytes | None = None

    def classes(self, roots_only: bool, touching: set[str] | None = None):
        """(class, is it a root) of the models to build, in the index's order."""
        wanted = None if touching is None else _reaching(self.index, touching)
        for cls in self.index.classes.values():
            root = cls.is_model and cls.key not in self.used
            if (root or not roots_only) and (wanted is None or cls.key in wanted):
                yield cls, root

    def model(self, cls: ClassSummary, root: bool) -> Model:
        return _model(cls, self.index, root)

    def digest(self, cls: ClassSummary, root: bool) -> str:
        """A digest of everything `model(cls, root)` reads: the class, the classes its
        inlining may reach (as linked: bases merged, names qualified), what a builder
        passes it, and the project's config tables. Equal digests, equal models."""
        digest = hashlib.blake2b(self._tables_digest(), digest_size=16)
        digest.update(_ENCODER.encode((cls.key, root, self.index.built_with.get(cls.key, ()))))
        for key in sorted(_reached(self.index, cls)):
            digest.update(self._class_digest(key))
        return digest.hexdigest()

    def _class_digest(self, key: str) -> bytes:
        found = self._digests.get(key)
        if found is None:
            encoded = _ENCODER.encode(self.index.classes[key])
            found = self._digests[key] = hashlib.blake2b(encoded, digest_size=16).digest()
        return found

    def _tables_digest(self) -> bytes:
        if self._tables is None:
            index = self.index
            tables = (sorted(index.fields.items()), sorted(index.extras.items()), sorted(index.configs.items()),
                      sorted(index.config_by_name.items()))
            self._tables = hashlib.blake2b(_ENCODER.encode(tables), digest_size=16).digest()
        return self._tables


def _used(index: _Index, inherited: dict[str, str]) -> set[str]:
    """The keys of the classes other classes use: blocks, never roots."""
    used = set()
    for cls in index.classes.values():
        for layer in cls.graph.layers:
            if layer.kind == LayerKind.SUBMODULE:
                target = index.find(layer.op)
                if target is not None and target.key != cls.key:
                    used.add(target.key)
        for key in getattr(cls, "constructs", ()):
            target = index.find(key)
            if target is not None and target.key != cls.key:
                used.add(target.key)
        used.update(b.block for layer in cls.graph.layers for b in layer.bindings if b.block and b.block != cls.key)
    # A class a builder function passes to a model's constructor is a block of that model.
    used.update(b.block for bindings in index.built_with.values() for b in bindings if b.block)
    used |= _renamed_blocks(index)
    # A class that only inherits a block's model is that block renamed (`class
    # ConditionalDetrMLP(DetrMLP): pass` in a modular file): a block too, never a root.
    used |= {key for key, source in inherited.items() if source in used}
    return used


def _inlined(index: _Index, cls: ClassSummary) -> set[str]:
    """The keys of the classes `cls`'s graph may inline: the submodules it applies and
    the blocks its bindings or its builder pass (which may replace any step)."""
    keys = {layer.op for layer in cls.graph.layers if layer.kind == LayerKind.SUBMODULE}
    keys.update(b.block for layer in cls.graph.layers for b in layer.bindings if b.block)
    keys.update(b.block for b in index.built_with.get(cls.key, ()) if b.block)
    found = (index.find(key) for key in keys)
    return {target.key for target in found if target is not None}


def _reached(index: _Index, cls: ClassSummary) -> set[str]:
    """`cls` and every class its inlining may reach (a superset: no depth limit)."""
    found = {cls.key}
    frontier = [cls]
    while frontier:
        for key in _inlined(index, frontier.pop()):
            if key not in found:
                found.add(key)
                frontier.append(index.classes[key])
    return found


def _reaching(index: _Index, paths: set[str]) -> set[str]:
    """The keys of the classes whose model may hold a layer of `paths`: a class of those
    files, or one whose graph applies such a class (as a submodule, or as the block a
    binding or a builder passes). A superset of what inlining reaches: it ignores the
    inliner's depth and node limits, so no model that touches `paths` is left out."""
    users: dict[str, set[str]] = {}  # class key -> keys of the classes that may inline it
    found = set()
    for cls in index.classes.values():
        if cls.path in paths or any(layer.path in paths for layer in cls.graph.layers):
            found.add(cls.key)
        for key in _inlined(index, cls):
            users.setdefault(key, set()).add(cls.key)
    frontier = list(found)
    while frontier:
        for user in users.get(frontier.pop(), ()):
            if user not in found:
                found.add(user)
                frontier.append(user)
    return found


def _renamed_blocks(index: _Index) -> set[str]:
    """Blocks a subclass takes over from its base under the subclass's own prefix.

    `class SeedOssDecoderLayer(LlamaDecoderLayer)` beside `class SeedOssMLP`: the base
    builds `LlamaMLP`, and the file defines the same block renamed (the convention of
    transformers' modular files, which a generator expands into full models). Such a
    class is a block of that layer, never a model on its own.
    """
    found: set[str] = set()
    for path, name, bases in index.class_bases:
        for base_key in bases:
            base = index.find(base_key)
            if base is None or base.name == name:
                continue
            suffix = _common_suffix(name, base.name)
            own, theirs = name[: len(name) - len(suffix)], base.name[: len(base.name) - len(suffix)]
            if not suffix or not own or not theirs:
                continue
            blocks = set(getattr(base, "constructs", ())) | {l.op for l in base.graph.layers if l.kind == LayerKind.SUBMODULE}
            for block in blocks:
                block_name = block.split("@", 1)[0].rsplit(".", 1)[-1]  # keys may end in @<root>
                if not block_name.startswith(theirs):
                    continue
                for candidate in index.by_name.get(own + block_name[len(theirs):], ()):
                    if candidate.path == path:
                        found.add(candidate.key)
    return found


def _common_suffix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size]:
        size += 1
    return a[len(a) - size :]


def _model(cls: ClassSummary, index: _Index, root: bool) -> Model:
    inliner = _Inliner(index)
    size = _inlined_size(cls, index, index.sizes)
    if size > MAX_NODES:  # checking a part would report what the whole may contradict
        return Model(cls.key, cls.name, cls.path, cls.line, cls.framework, root, cut=size)
    # A root is profiled as the project's builder functions build it: the classes they
    # pass for its constructor parameters take the place of their defaults.
    blocks = binding.bind_blocks(cls.params, index.built_with.get(cls.key, ()), {}) if root else {}
    outputs = inliner.expand(cls, {}, False, (cls.key,), None, blocks=blocks)
    layers = inliner.layers
    placements = place(layers, outputs) if root else {}
    visible, through = _visible_inputs(layers)
    placed = []
    for layer in layers:
        if layer.kind not in MODEL_KINDS:
            continue
        placement = placements.get(layer.id)
        inputs = visible[layer.id]
        placed.append(
            PlacedLayer(
                layer=layer if inputs == layer.inputs else replace(layer, inputs=inputs),
                position=placement.position if placement else None,
                depth=placement.depth if placement else None,
                model_key=inliner.origin.get(layer.id),
            )
        )
    return Model(
        key=cls.key,
        name=cls.name,
        path=cls.path,
        line=cls.line,
        framework=cls.framework,
        root=root,
        layers=tuple(placed),
        outputs=tuple(dict.fromkeys(i for o in outputs for i in through.get(o, (o,)))),
        cut=size if len(inliner.layers) > MAX_NODES else 0,
    )


def _inlined_size(cls: ClassSummary, index: _Index, sizes: dict[str, int], stack: tuple = ()) -> int:
    """How many layers inlining `cls` emits, counted per class once and shared among its
    uses (twenty classes that each use the previous one twice: 2**20, in 20 steps)."""
    if cls.key in sizes:
        return sizes[cls.key]
    stack = stack + (cls.key,)
    total = 0
    for layer in cls.graph.layers:
        if layer.kind == LayerKind.INPUT:
            continue
        target = index.find(layer.op) if layer.kind == LayerKind.SUBMODULE else None
        if target is not None and target.key not in stack and len(stack) < MAX_BLOCK_NESTING:
            total += _inlined_size(target, index, sizes, stack)
        else:
            total += 1
    sizes[cls.key] = total
    return total


def _visible_inputs(layers: list[Layer]):
    """Each layer's inputs with input and merge nodes looked through (contract kinds only),
    and, for each looked-through node, the contract-kind layers it stands for."""
    through: dict[int, tuple[int, ...]] = {}
    kinds = {layer.id: layer.kind for layer in layers}
    visible: dict[int, tuple[int, ...]] = {}
    for layer in layers:
        sources: list[int] = []
        for source in layer.inputs:
            if kinds.get(source) in MODEL_KINDS:
                sources.append(source)
            else:
                sources.extend(through.get(source, ()))
        sources = list(dict.fromkeys(sources))
        visible[layer.id] = tuple(sources)
        if layer.kind not in MODEL_KINDS:
            through[layer.id] = tuple(sources)
    return visible, through


class _Inliner:
    """Copies a class's graph with fresh ids, inlining the blocks it applies."""

    def __init__(self, index: _Index):
        self.index = index
        self.layers: list[Layer] = []
        self.origin: dict[int, str] = {}  # new id -> key of the class it came from

    def _emit(self, layer: Layer, origin: str, config_key: str | None, **changes) -> int:
        """Append `layer` with `changes`, a fresh id and its `config.x` rate resolved, as
        one copy: linking a large project emits hundreds of thousands of layers, and a
        copy per change was a fifth of the parent's time in a cold run. `config_key`:
        the config class its `config.x` rates read (the block's own, else that of the
        class that builds it, which passes its config down)."""
        new_id = len(self.layers)
        changes["rate"] = _resolve_config(changes.get("rate", layer.rate), layer.path, self.index, config_key)
        self.layers.append(replace(layer, id=new_id, **changes))
        self.origin[new_id] = origin
        return new_id

    def expand(self, cls: ClassSummary, env: dict[str, Rate], repeat: bool, stack: tuple, call_inputs, config_key=None,
               blocks: dict[str, str] | None = None, call_arguments=()) -> tuple[int, ...]:
        """Emit `cls`'s graph; return the new ids of its outputs.

        `call_inputs` are the ids feeding the call of this block (None for the model
        itself, whose inputs stay input nodes), `call_arguments` the same by argument
        (bound to the block's parameters where given); `env` binds constructor parameters'
        rates, `blocks` the project classes passed for them.
        """
        blocks = blocks or {}
        config_key = cls.config_class or config_key
        passed = _passed(cls, call_arguments)
        mapping: dict[int, tuple[int, ...]] = {}
        for layer in cls.graph.layers:
            if len(self.layers) > MAX_NODES:
                break
            inputs = _gather(mapping, layer.inputs)
            if layer.kind == LayerKind.INPUT and call_inputs is not None:
                mapping[layer.id] = passed.get(layer.id, call_inputs)
                continue
            if layer.param in blocks:
                layer = _passed_block(layer, blocks[layer.param])
            if layer.kind == LayerKind.SUBMODULE:
                target = self.index.find(layer.op)
                if target is not None and target.key not in stack and len(stack) < MAX_BLOCK_NESTING:
                    bound = _bind(target, layer.bindings, env)
                    inner = binding.bind_blocks(target.params, layer.bindings, blocks)
                    arguments = tuple((key, _gather(mapping, ids)) for key, ids in layer.arguments)
                    outs = self.expand(target, bound, repeat or layer.repeat, stack + (target.key,), inputs, config_key,
                                       inner, arguments)
                    mapping[layer.id] = outs or inputs
                    continue
                # A class we cannot see: it is applied, and unknown is not empty: a
                # module is assumed to carry weights (an opaque step, see depth).
                opaque = {"kind": LayerKind.OTHER, "bindings": (), "opaque": layer.opaque or "module"}
            else:
                opaque = {}
            new_id = self._emit(layer, cls.key, config_key, inputs=inputs, rate=_substitute(layer.rate, env),
                                repeat=layer.repeat or repeat, **opaque)
            mapping[layer.id] = (new_id,)
        return tuple(dict.fromkeys(i for output in cls.graph.outputs for i in mapping.get(output, ())))


def _gather(mapping: dict[int, tuple[int, ...]], sources: tuple[int, ...]) -> tuple[int, ...]:
    """The new ids `sources` were mapped to, in order, each once. Every value of
    `mapping` is such a tuple already, so one source (most layers) needs no merging."""
    if len(sources) == 1:
        return mapping.get(sources[0], ())
    return tuple(dict.fromkeys(i for source in sources for i in mapping.get(source, ())))


def _passed(cls: ClassSummary, arguments) -> dict[int, tuple[int, ...]]:
    """What the call passes to each input (parameter) of the block, by the input's id:
    positional arguments in order, keywords by name; an input the call does not pass
    holds nothing (its default). Empty when the call's arguments are not told apart; an
    unpacked argument (`*args`, `**kwargs`) may pass any input the others leave."""
    if not arguments:
        return {}
    inputs = [layer for layer in cls.graph.layers if layer.kind == LayerKind.INPUT]
    by_name = {layer.name: layer.id for layer in inputs}
    unpacked = any(key == "*" for key, _ in arguments)
    passed: dict[int, tuple[int, ...]] = {} if unpacked else {layer.id: () for layer in inputs}
    for key, ids in arguments:
        if key.isdigit() and int(key) < len(inputs):
            passed[inputs[int(key)].id] = ids
        elif key in by_name:
            passed[by_name[key]] = ids
    return passed


def _resolve_config(rate: Rate | None, path: str, index: _Index, config_key=None, steps: int = 0) -> Rate | None:
    """A `config.x` rate with the project's default for x, else its fallback, else as is."""
    if rate is None or rate.config_attr is None or steps > 8:
        return rate
    found = index.config_value(rate.config_attr, path, config_key, argparse=rate.fallback is None)
    if found is not None and found[0] is not None:
        return replace(rate, value=found[0], source=found[1], fallback=None)
    if found is not None and found[1] == "null":
        return replace(rate, value=None, source="null", fallback=None)  # ambiguous: no guess
    if rate.fallback is not None:
        fallback = _resolve_config(rate.fallback, path, index, config_key, steps + 1)
        return replace(fallback, text=rate.text)
    return rate


def _passed_block(layer: Layer, key: str) -> Layer:
    """The step a constructor parameter builds or holds, as the class a builder passed
    for it: a block to inline in place of the default class or the opaque module."""
    if layer.kind == LayerKind.SUBMODULE:
        return replace(layer, op=key)
    return replace(layer, kind=LayerKind.SUBMODULE, op=key, opaque=None, bindings=())


def _substitute(rate: Rate | None, env: dict[str, Rate]) -> Rate | None:
    return binding.substitute(rate, env)


def _bind(target: ClassSummary, bindings, env: dict[str, Rate]) -> dict[str, Rate]:
    """Constructor parameters of `target` bound to what the parent passes (in the
    parent's own terms, so a parent's parameter resolves through `env`)."""
    return binding.bind(target.params, bindings, env)
