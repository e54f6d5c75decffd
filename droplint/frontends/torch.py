"""PyTorch frontend: model classes, their layers and forward graphs, from one file.

For each `nn.Module` class (bases resolved through imports, also through classes of the
same file), two passes over its own code:

1. `_Builder` reads `__init__` in statement order into `Spec`s: what each `self.x` holds
   (an op, an `nn.Sequential`, a `ModuleList` / `ModuleDict`, a block class defined in
   linted code, or something unknown), following local lists, `add_module`, helper
   methods and module-level factory functions.
2. `_Forward` walks `forward` (and the helper methods and module-level functions it
   calls, also through local variables) and emits one `Layer` per application, with
   data flow as def-use of local names: both arms of an `if`, loop bodies once
   (marked `repeat`), residual adds and concatenations as `merge` nodes.

Blocks defined in linted code become `submodule` nodes that `analysis.link` inlines.
Models built outside classes (`net = nn.Sequential(...)` at module level, or returned by
a function) are summarised too, keyed by their variable or function name.

Every walk is over the class's own statements, each visited a bounded number of times:
the cost stays linear in the file. No metadata providers; positions only for emitted nodes.
"""

from __future__ import annotations

import builtins
import re
import sys
from dataclasses import dataclass, replace

import libcst as cst

from droplint.context import argument, literal_number
from droplint.facts import training as training_facts
from droplint.frontends import branches, catalog, configs, packaging
from droplint.frontends.base_init import call_bindings
from droplint.frontends.imports import dotted
from droplint.frontends.sites import Sites
from droplint.frontends.resolve import (
    Resolver,
    Scope,
    class_attributes,
    function_scope,
    parameter_names,
    self_assignments,
    simple_statements,
)
from droplint.ir import Binding, ClassSummary, Construction, FileSummary, Graph, Layer, Rate, Span

# How deep helper methods and functions are inlined into one forward.
MAX_CALL_DEPTH = 8
# How many aliases (`block = blocks[0]`, `cls = partial(Block)`) lead to one class.
_MAX_ALIAS_STEPS = 6
# Tensor attributes that are metadata, not data: `x.shape` does not carry x onwards.
METADATA_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim", "is_cuda", "requires_grad", "training"})
# Tensor methods that are activations, applied as `x.relu()`.
ACTIVATION_METHODS = frozenset({"relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "silu"})
# Libraries whose capitalised callables are never blocks of the project.
NOT_PROJECT = ("torch", "numpy", "math", "typing", "collections", "functools", "dataclasses", "einops")


@dataclass(frozen=True)
class Spec:
    """What a module attribute holds, as far as the constructor shows.

    kind: "op" (a known layer; `layer_kind` says which), "seq" (applied in order:
    nn.Sequential), "list" / "dict" (ModuleList / ModuleDict: applied one by one),
    "sub" (a class of linted code: `op` is its key), "unknown".
    """

    kind: str
    op: str = ""
    layer_kind: str = "other"
    node: cst.CSTNode | None = None  # where it is written (a Sequential element's span)
    rate: Rate | None = None
    items: tuple[tuple[str, Spec], ...] = ()
    repeat: bool = False  # one element standing for many (comprehension, loop)
    bindings: tuple[Binding, ...] = ()
    # For kind "unknown": "module" or "deep" when what it holds cannot be resolved but
    # is a module (a constructor parameter, a library model, an unresolved class).
    opaque: str | None = None
    # The constructor parameter that built ("sub", `attn_layer(dim)`) or holds
    # ("unknown", `self.head = head`) it: a builder may pass another class for it.
    param: str | None = None


UNKNOWN = Spec("unknown", "?")
NONE = Spec("unknown", "None")
# A module handed in from outside (a constructor parameter): assumed to carry weights.
INJECTED = Spec("unknown", "?", opaque="module")
# Graph inputs are not written anywhere a span could point to.
_NO_SPAN = Span(0, 0, 0, 0)


def summarize(ctx) -> FileSummary:
    resolver = Resolver(ctx, dropout_rate_arg=lambda call: _module_rate_arg(ctx, call))
    functions = {s.name.value: s for s in ctx.module.body if isinstance(s, cst.FunctionDef)}
    classes = []
    references = []
    for info in ctx.classes:
        mixin = _is_forward_mixin(info)
        if not (mixin or ctx.is_torch_module(info)):
            continue
        summary = _summarize_class(ctx, info, resolver, functions)
        if summary is not None and mixin:
            summary = replace(summary, is_model=False)  # a model only as a base (analysis.inherit)
        if summary is not None:
            classes.append(summary)
            references.extend(layer.op for layer in summary.graph.layers if layer.kind == "submodule")
    classes.extend(_module_level_models(ctx, resolver, functions))
    return FileSummary(
        builds=_builds(ctx, resolver, functions),
        path=ctx.path,
        module=ctx.imports.module_name,
        classes=tuple(classes),
        configs=configs.config_classes(ctx, resolver),
        references=tuple(dict.fromkeys(references)),
        extras=resolver.argparse_extras(),
    )


# -- classes ------------------------------------------------------------------


def _is_forward_mixin(info) -> bool:
    """A class of no base that writes a forward pass: a task head written once for every
    backbone (`class GenericForSequenceClassification:`), which models list first among
    their bases. Summarised as a block; the classes deriving from it inherit its model."""
    return "forward" in info.methods and all(base == "object" for base in info.bases)



def _class_chain(ctx, info):
    """The class and its bases defined in this file, most derived first."""
    chain, seen = [info], {info.name}
    queue = list(info.bases)
    while queue:
        base = ctx.class_named(queue.pop(0).rsplit(".", 1)[-1])
        if base is not None and base.name not in seen:
            seen.add(base.name)
            chain.append(base)
            queue.extend(base.bases)
    return chain


def _summarize_class(ctx, info, resolver, functions) -> ClassSummary | None:
    chain = _class_chain(ctx, info)
    init = next((c.methods["__init__"] for c in chain if "__init__" in c.methods), None)
    forward = next((c.methods["forward"] for c in chain if "forward" in c.methods), None)
    methods = {}
    for cls in reversed(chain):
        methods.update(cls.methods)
    class_attrs = {}
    for cls in reversed(chain):
        class_attrs.update(class_attributes(cls.node))
    init_scope = function_scope(init, constructor=True, class_attrs=class_attrs) if init else Scope(class_attrs=class_attrs)
    self_attrs = {}
    for method in [m for m in methods.values() if m is not init] + ([init] if init else []):
        scope = init_scope if method is init else function_scope(method, class_attrs=class_attrs)
        for name, expr in self_assignments(method).items():
            self_attrs[name] = (expr, scope)
    init_scope.self_attrs = self_attrs
    builder = _Builder(ctx, resolver, functions, methods, info)
    builder.inits = [c.methods["__init__"] for c in chain if "__init__" in c.methods]
    if init is not None:
        builder.read(init, init_scope)
    for name, (expr, scope) in self_attrs.items():
        if name not in builder.attrs:
            # Assigned outside __init__ (`reset_classifier`, a lazy `build`, a setter):
            # what it builds, else a module from elsewhere (opaque, never empty).
            if isinstance(expr, cst.Call):
                builder.attrs[name] = builder.spec(expr, scope, {})
            elif isinstance(expr, cst.Name) and expr.value != "None":
                builder.attrs[name] = INJECTED
    is_sequential = any(b in ("torch.nn.Sequential",) for c in chain for b in c.bases)
    forward_graph = None
    if forward is not None:
        forward_graph = _Forward(ctx, resolver, functions, methods, builder.attrs, self_attrs, class_attrs,
                                 builder.registered).build(forward)
    elif is_sequential and builder.registered:
        forward_graph = _sequence_graph(ctx, builder.registered)
    if forward_graph is None:
        return None
    return ClassSummary(
        key=ctx.imports.local.get(info.name, f"{ctx.imports.module_name}.{info.name}"),
        name=info.name,
        path=ctx.path,
        line=ctx.span(info.node.name).line,
        framework="torch",
        bases=info.bases,
        graph=forward_graph,
        params=parameter_names(init) if init else (),
        config_class=(_config_annotation(ctx, init) if init else None) or _class_config_annotation(ctx, chain),
        constructs=_constructed_blocks(builder.attrs.values()),
        attributes=tuple((name, spec.op) for name, spec in builder.attrs.items() if spec.kind == "sub"),
    )


def _constructed_blocks(specs) -> tuple[str, ...]:
    """Keys of the block classes among constructor attributes, containers included."""
    found: dict[str, None] = {}
    stack = list(specs)
    while stack:
        spec = stack.pop()
        if spec.kind == "sub":
            found[spec.op] = None
        stack.extend(item for _, item in spec.items)
    return tuple(found)


def _config_annotation(ctx, init: cst.FunctionDef) -> str | None:
    """The qualified class of the constructor's config parameter (`config: BertConfig`)."""
    p = init.params
    for param in (*p.params, *p.kwonly_params):
        if param.annotation is None or not _is_config_name(param.name.value):
            continue
        annotation = param.annotation.annotation
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            return ctx.imports.qualify_name(text) if isinstance(text, str) and text.isidentifier() else None
        return ctx.qualify(annotation)
    return None


def _class_config_annotation(ctx, chain) -> str | None:
    """`config: BertConfig` in the body of the class or a base in this file."""
    for info in chain:
        body = info.node.body.body if isinstance(info.node.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == "config":
                        return ctx.qualify(small.annotation.annotation)
    return None


def _is_config_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("config", "cfg", "conf", "args", "hparams") or lowered.endswith(("config", "_cfg"))


def _sequence_graph(ctx, items, name="self") -> Graph:
    forward = _Forward(ctx, None, {}, {}, {}, {}, {})
    x = forward.emit("input", "input", "input", None, ())
    out = forward.apply_spec(Spec("seq", items=tuple(items)), name, (x,), None)
    return Graph(tuple(forward.layers), out)


def _module_level_models(ctx, resolver, functions) -> list[ClassSummary]:
    """`net = nn.Sequential(...)` at module level, and functions that return one."""
    found = []
    builder = _Builder(ctx, resolver, functions, {}, None)
    # Functions outside classes that build an nn.Sequential: one pass over the calls.
    builders = {id(site.function) for site in ctx.calls
                if site.cls is None and site.function is not None and site.qualname == "torch.nn.Sequential"}
    for statement in ctx.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    if _is_sequential_call(ctx, small.value):
                        spec = builder.spec(small.value, Scope(), {})
                        found.append(_standalone(ctx, small.targets[0].target.value, small, spec))
        elif isinstance(statement, cst.FunctionDef) and id(statement) in builders:
            spec = builder.call_factory(statement, {}, Scope(), {})
            if spec is not None and spec.kind == "seq":
                found.append(_standalone(ctx, statement.name.value, statement.name, spec))
    return found


def _builds(ctx, resolver, functions) -> tuple[Construction, ...]:
    """Classes of the project built, in functions outside any class, with a project class
    as an argument (`return FCN(backbone, FCNHead(2048, classes))`): how the project's
    builder functions assemble a model whose constructor receives its modules."""
    builder = _Builder(ctx, resolver, functions, {}, None)
    found = []
    for function in functions.values():
        scope = None
        for small in simple_statements(function.body):
            value = getattr(small, "value", None) if isinstance(small, (cst.Return, cst.Assign, cst.Expr)) else None
            if not _builds_instance(ctx, value):
                continue
            key = builder._block_class(value, ctx.qualify(value.func))
            if key is None:
                continue
            scope = scope or function_scope(function)
            bindings = builder._bindings(value, scope)
            if any(b.block for b in bindings):
                found.append(Construction(key, bindings))
    return tuple(found)


def _standalone(ctx, name, node, spec) -> ClassSummary:
    graph = _sequence_graph(ctx, spec.items, name)
    return ClassSummary(
        key=f"{ctx.imports.module_name}.{name}",
        name=name,
        path=ctx.path,
        line=ctx.span(node).line,
        framework="torch",
        bases=("torch.nn.Sequential",),
        graph=graph,
    )


def _is_sequential_call(ctx, node) -> bool:
    return isinstance(node, cst.Call) and ctx.qualify(node.func) == "torch.nn.Sequential"


def _module_rate_arg(ctx, call: cst.Call):
    """(argument expression or None, default) of a dropout module constructor call."""
    qualname = ctx.qualify(call.func)
    spec = catalog.TORCH_DROPOUT_MODULES.get(qualname)
    if spec is None:
        return None
    arg = argument(call, spec.keyword, spec.index)
    return (arg.value if arg is not None else None), spec.default


# -- constructor: what each attribute holds --------------------------------------


class _Builder:
    """Reads a constructor (and the helpers it calls) into `attrs`: name -> Spec."""

    def __init__(self, ctx, resolver, functions, methods, info):
        self.ctx = ctx
        self.resolver = resolver
        self.functions = functions
        self.methods = methods
        self.info = info
        self.attrs: dict[str, Spec] = {}
        self.registered: list[tuple[str, Spec]] = []  # add_module / super().__init__ order
        self.reading: set[int] = set()  # local values being read for the class they build
        self.depth = 0
        # Constructors of the class and its bases in this file, most derived first;
        # `super().__init__(...)` in inits[level] runs inits[level + 1].
        self.inits: list[cst.FunctionDef] = []
        self.level = 0

    def read(self, function: cst.FunctionDef, scope: Scope) -> None:
        local: dict[str, Spec] = {}
        self._block(function.body, scope, local, False, [])

    # statements
    def _block(self, body, scope, local, in_loop, returns) -> None:
        statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
        for statement in statements:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in statement.body:
                    self._small(small, scope, local, in_loop, returns)
            elif isinstance(statement, cst.If):
                self._block(statement.body, scope, local, in_loop, returns)
                orelse = statement.orelse
                while orelse is not None:
                    self._block(orelse.body, scope, local, in_loop, returns)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            elif isinstance(statement, (cst.For, cst.While)):
                self._block(statement.body, scope, local, True, returns)
            elif isinstance(statement, cst.With) or isinstance(statement, cst.Try):
                self._block(statement.body, scope, local, in_loop, returns)

    def _small(self, small, scope, local, in_loop, returns) -> None:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            if small.value is None:
                return
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            spec = self.spec(small.value, scope, local)
            for target in targets:
                if _is_self_attr(target):
                    self._set(target.attr.value, spec)
                elif isinstance(target, cst.Name):
                    local[target.value] = spec
                elif isinstance(target, cst.Subscript):
                    self._store_item(target, spec, local, in_loop)
        elif isinstance(small, cst.AugAssign):
            # `layers += [Block()]`, `self.layers += [...]`: the list grows as `extend` grows it.
            found = self._container(small.target, local)
            added = self.spec(small.value, scope, local)
            if found is not None and found[1].kind in ("list", "seq") and added.kind in ("list", "seq"):
                name, current = found
                self._store(name, replace(current, items=current.items + _loop(_relabel(added.items, len(current.items)), in_loop)), local)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            self._call_statement(small.value, scope, local, in_loop)
        elif isinstance(small, cst.Return) and small.value is not None:
            returns.append(self.spec(small.value, scope, local))

    def _store_item(self, target: cst.Subscript, spec, local, in_loop) -> None:
        """`layers[f"block{i}"] = Block(...)`: an item added to a dict (or list) of layers
        that is later given to `nn.Sequential` / `nn.ModuleDict`, as `append` adds one."""
        found = self._container(target.value, local)
        if found is None or len(target.slice) != 1:
            return
        name, current = found
        index = target.slice[0].slice
        key = _string(index.value) if isinstance(index, cst.Index) else None
        items = ((key or str(len(current.items)), spec),)
        self._store(name, replace(current, items=current.items + _loop(items, in_loop)), local)

    def _store(self, name, spec, local) -> None:
        """A grown container back where `_container` found it (`self.x` or a local)."""
        if name.startswith("self."):
            self.attrs[name[5:]] = spec
        else:
            local[name] = spec

    def _set(self, name, spec) -> None:
        old = self.attrs.get(name)
        # `self.drop = nn.Dropout(p) if p else nn.Identity()` in two statements: keep the layer.
        if old is not None and old.kind != "unknown" and _is_identity(spec):
            return
        self.attrs[name] = spec

    def _call_statement(self, call, scope, local, in_loop) -> None:
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            owner = func.value
            args = [a for a in call.args if a.keyword is None and not a.star]
            # self.add_module("fc", nn.Linear(...)) / self.register_module(...)
            if method in ("add_module", "register_module") and _is_self(owner) and len(args) == 2:
                self._register(args[0].value, args[1].value, scope, local, in_loop)
                return
            # layers.append(...) / self.blocks.append(...) / .extend([...])
            if method in ("append", "extend") and args:
                target = self._container(owner, local)
                if target is not None:
                    name, current = target
                    added = self.spec(args[0].value, scope, local)
                    items = ((str(len(current.items)), added),) if method == "append" else _relabel(added.items, len(current.items))
                    self._store(name, replace(current, items=current.items + _loop(items, in_loop)), local)
                return
            # super().__init__(nn.Linear(...), ...) in an nn.Sequential subclass
            if method == "__init__" and isinstance(owner, cst.Call) and dotted(owner.func) == "super":
                if self.level + 1 < len(self.inits):
                    self._base_init(self.inits[self.level + 1], call, scope)
                    return
                for index, arg in enumerate(call.args):
                    if arg.keyword is None:
                        spec = self.spec(arg.value, scope, local)
                        if arg.star and spec.kind in ("list", "seq"):
                            self.registered.extend(_as_modules(spec.items))
                        elif not arg.star:
                            self.registered.append((str(index), _modules_in(spec)))
                return
        # setattr(self, f"layer{i}", Block(...)): stored under the name's pattern
        if isinstance(func, cst.Name) and func.value == "setattr" and len(call.args) == 3 and _is_self(call.args[0].value):
            name = _class_attribute_string(call.args[1].value, scope.class_attrs) or call.args[1].value
            self._register(name, call.args[2].value, scope, local, in_loop)
            return
        # A helper method called for its side effects: self._build_layers(...)
        if isinstance(func, cst.Attribute) and _is_self(func.value) and func.attr.value in self.methods:
            self._inline_method(self.methods[func.attr.value], call, scope, local)

    def _register(self, name_node, value, scope, local, in_loop) -> None:
        """`add_module(name, m)` / `setattr(self, name, m)`; an f-string name in a loop
        stores one attribute standing for many (`layer{i}`), applied by `getattr`."""
        pattern = _name_pattern(name_node)
        if pattern is None:
            return
        spec = self.spec(value, scope, local)
        if in_loop and not isinstance(name_node, cst.SimpleString):
            spec = replace(spec, repeat=True)
        self._set(pattern[0], spec)
        self.registered.append((pattern[0], spec))

    def _base_init(self, base_init, call, scope) -> None:
        """The base class's constructor, with what the subclass passes bound to its
        parameters (a subclass parameter passed on stays a constructor parameter)."""
        bound = self._bound(base_init, call, scope)
        inner = function_scope(base_init, constructor=True, bound=bound, self_attrs=scope.self_attrs,
                               class_attrs=scope.class_attrs, passed=_passed(base_init, call, scope))
        self.level += 1
        try:
            self._block(base_init.body, inner, {}, False, [])
        finally:
            self.level -= 1

    def _container(self, owner, local):
        if isinstance(owner, cst.Name) and owner.value in local and local[owner.value].kind in ("list", "seq", "dict"):
            return owner.value, local[owner.value]
        if _is_self_attr(owner) and owner.attr.value in self.attrs and self.attrs[owner.attr.value].kind in ("list", "seq", "dict"):
            return "self." + owner.attr.value, self.attrs[owner.attr.value]
        return None

    # expressions
    def spec(self, expr, scope, local) -> Spec:
        if isinstance(expr, cst.Call):
            return self._call_spec(expr, scope, local)
        if isinstance(expr, cst.Name):
            if expr.value in local:
                return local[expr.value]
            if expr.value == "None":
                return NONE
            if expr.value in scope.params and not branches.literal_default(scope.params[expr.value]):
                # `self.backbone = backbone`: a module from the caller, unknown but not empty.
                return replace(INJECTED, param=_own_parameter(expr, scope))
            return UNKNOWN
        if _is_self_attr(expr):
            return self.attrs.get(expr.attr.value, UNKNOWN)
        if isinstance(expr, (cst.List, cst.Tuple)):
            items = []
            for element in expr.elements:
                inner = self.spec(element.value, scope, local)
                if isinstance(element, cst.StarredElement) and inner.kind in ("list", "seq"):
                    items.extend(inner.items)
                else:
                    items.append((str(len(items)), inner))
            return Spec("list", items=tuple(items))
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
            return Spec("list", items=(("0", self.spec(expr.elt, scope, local)),), repeat=True)
        if isinstance(expr, cst.DictComp):
            return Spec("dict", items=(("*", self.spec(expr.value, scope, local)),), repeat=True)
        if isinstance(expr, cst.Dict):
            items = []
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    key = _string(element.key) or str(len(items))
                    items.append((key, self.spec(element.value, scope, local)))
            return Spec("dict", items=tuple(items))
        if isinstance(expr, cst.IfExp):
            body = self.spec(expr.body, scope, local)
            orelse = self.spec(expr.orelse, scope, local)
            return orelse if _is_identity(body) or body.kind == "unknown" and orelse.kind != "unknown" else body
        return UNKNOWN

    def _call_spec(self, call, scope, local) -> Spec:
        ctx = self.ctx
        written = call  # spans point at the source, never at a rewritten node
        chosen = self._dispatched_class(call.func)
        if chosen is not None:
            # `ATTENTION_CLASSES[config.impl](config)`: the table's first (default) entry.
            call = call.with_changes(func=chosen)
        else:
            call = self._through_aliases(call, scope, local)
        qualname = ctx.qualify(call.func)
        if catalog.wraps_module(qualname) and call.args:
            # `weight_norm(nn.Conv1d(...))`: the wrapped module is what runs.
            return self.spec(call.args[0].value, scope, local)
        if qualname == "torch.nn.Sequential":
            return Spec("seq", qualname, node=written, items=self._sequential_items(call, scope, local))
        if qualname == "torch.nn.ModuleList":
            if not call.args:
                return Spec("list", qualname)
            inner = self.spec(call.args[0].value, scope, local)
            return replace(_modules_in(inner), kind="list", op=qualname) if inner.kind in ("list", "seq") else Spec("list", qualname)
        if qualname == "torch.nn.ModuleDict":
            if not call.args:
                return Spec("dict", qualname)
            inner = self.spec(call.args[0].value, scope, local)
            return replace(_modules_in(inner), kind="dict", op=qualname) if inner.kind in ("dict", "list") else Spec("dict", qualname)
        if qualname == "collections.OrderedDict":
            return self._ordered_dict(call, scope, local) if call.args else Spec("dict", qualname)
        kind = catalog.torch_module_kind(qualname)
        if kind is not None:
            return Spec("op", qualname, kind, node=written, rate=self._layer_rate(call, qualname, scope))
        if isinstance(call.func, cst.Attribute) and _is_self(call.func.value) and call.func.attr.value in self.methods:
            found = self._inline_method(self.methods[call.func.attr.value], call, scope, local)
            return found or UNKNOWN
        if isinstance(call.func, cst.Name) and call.func.value in self.functions and self.ctx.class_named(call.func.value) is None:
            function = self.functions[call.func.value]
            found = self.call_factory(function, self._bound(function, call, scope), scope, local, call)
            return found or UNKNOWN
        block = self._block_class(call, qualname)
        param = _own_parameter(written.func, scope)
        if block is not None:
            return Spec("sub", block, "submodule", node=written, bindings=self._bindings(call, scope, local), param=param)
        built = self._alternate_constructor(call.func)
        if built is not None:
            return Spec("sub", built, "submodule", node=written)
        return Spec("unknown", qualname or (dotted(call.func) or "?"), node=written, opaque=_opaque(qualname, call.func), param=param)

    def _through_aliases(self, call, scope, local) -> cst.Call:
        """The call with its callee resolved to the class it names: a parameter that
        defaults to a class (`block_fn=Block`), `functools.partial(Block, ...)` (its
        arguments come first), a local alias (`block = (blocks or [Block])[0]`,
        `cls = A if cross else B`: the arm the defaults select, else the first)."""
        func, extra, where = call.func, [], scope
        for _ in range(_MAX_ALIAS_STEPS):
            step = self._class_of(func, where, local if where is scope else {})
            if step is None or step[0] is func:
                break
            target, where = step
            if isinstance(target, cst.Call) and self.ctx.qualify(target.func) == "functools.partial" and target.args:
                extra = list(target.args[1:]) + extra
                target = target.args[0].value
            func = target
        if func is call.func or not isinstance(func, (cst.Name, cst.Attribute)) or dotted(func) == "None":
            return call
        args = [*extra, *call.args]
        ordered = [a for a in args if a.keyword is None and not a.star] + [a for a in args if a.keyword is not None or a.star]
        return call.with_changes(func=func, args=ordered)

    def _class_of(self, expr, scope, local, depth=0):
        """One step from an expression towards the class it stands for, with the scope
        to read it in (a caller's, for an argument it passed), or None. `depth` bounds
        subscripts of subscripts (`x = x[0]` reads itself without end)."""
        if isinstance(expr, cst.Name):
            if expr.value in local and _holds_layers(local[expr.value]):
                return None  # a layer built earlier, not a class
            if expr.value in scope.values:
                return scope.values[expr.value], scope
            if expr.value in scope.passed:
                return scope.passed[expr.value]
            if expr.value in scope.params and scope.params[expr.value] is not None and expr.value not in scope.bound:
                return scope.params[expr.value], scope
            return None
        if isinstance(expr, cst.IfExp):
            decided = branches.truth(expr.test, scope)
            return (expr.orelse if decided is False else expr.body), scope
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            # `blocks or [Block]`: the left side when it is set, else the default.
            left = branches.truth(expr.left, scope)
            return (expr.left if left is True else expr.right), scope
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            if depth >= _MAX_ALIAS_STEPS:
                return None
            inner, where = expr.value, scope
            for _ in range(_MAX_ALIAS_STEPS):
                if isinstance(inner, (cst.List, cst.Tuple)):
                    break
                stepped = self._class_of(inner, where, local if where is scope else {}, depth + 1)
                if stepped is None or stepped[0] is inner:
                    return None
                inner, where = stepped
            if not isinstance(inner, (cst.List, cst.Tuple)) or not inner.elements:
                return None
            number = literal_number(expr.slice[0].slice.value)
            index = number if isinstance(number, int) and not isinstance(number, bool) else 0
            if -len(inner.elements) <= index < len(inner.elements):
                return inner.elements[index].value, where
            return None
        return None

    def _dispatched_class(self, func) -> cst.BaseExpression | None:
        """The first class of a module-level dict of classes indexed by configuration."""
        if not (isinstance(func, cst.Subscript) and isinstance(func.value, cst.Name) and self.resolver is not None):
            return None
        table = self.resolver.constants.get(func.value.value)
        if not isinstance(table, cst.Dict):
            return None
        for element in table.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.value, (cst.Name, cst.Attribute)):
                return element.value
        return None

    def _block_class(self, call, qualname) -> str | None:
        """The key of a class of the project (this file or an import) called here."""
        name = dotted(call.func)
        # A class by convention: capitalised, also when private (`_Prenet`).
        if name is None or not name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper():
            return None
        local = self.ctx.class_named(name)
        if local is not None:
            if self.ctx.is_torch_module(local) or _derives_from_elsewhere(local):
                return self.ctx.imports.local.get(name)
            return None
        if qualname is None or qualname.split(".")[0] in NOT_PROJECT:
            return None
        return qualname

    def _alternate_constructor(self, func) -> str | None:
        """`Encoder._from_config(cfg)` / `Encoder.from_pretrained(...)` for a module class of
        this file: a classmethod named `from_*` builds an instance of the class it is
        called on (the convention of `dict.fromkeys`, `int.from_bytes`). Its arguments are
        not the constructor's, so nothing is bound."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        if not func.attr.value.lstrip("_").startswith("from"):
            return None
        local = self.ctx.class_named(func.value.value)
        if local is None or not self.ctx.is_torch_module(local):
            return None
        return self.ctx.imports.local.get(func.value.value)

    def _sequential_items(self, call, scope, local):
        items = []
        for arg in call.args:
            if arg.keyword is not None:
                continue
            inner = self.spec(arg.value, scope, local)
            if arg.star or (len(call.args) == 1 and inner.kind == "dict" and not inner.repeat):
                items.extend(inner.items)
            else:
                items.append((str(len(items)), inner))
        return _as_modules(items)

    def _ordered_dict(self, call, scope, local) -> Spec:
        items = []
        value = call.args[0].value
        if isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                pair = element.value
                if isinstance(pair, cst.Tuple) and len(pair.elements) == 2:
                    key = _string(pair.elements[0].value) or str(len(items))
                    items.append((key, self.spec(pair.elements[1].value, scope, local)))
        return Spec("dict", "collections.OrderedDict", items=tuple(items))

    def _layer_rate(self, call, qualname, scope) -> Rate | None:
        rate_arg = catalog.TORCH_DROPOUT_MODULES.get(qualname) or catalog.TORCH_OWN_DROPOUT.get(qualname)
        if rate_arg is None or self.resolver is None:
            return None
        arg = argument(call, rate_arg.keyword, rate_arg.index)
        default = None if arg is None and any(a.star for a in call.args) else rate_arg.default
        return self.resolver.rate(arg.value if arg else None, scope, default)

    def _bindings(self, call, scope, local=None) -> tuple[Binding, ...]:
        return call_bindings(call, scope, self.resolver, lambda expr: self.block_of(expr, scope, local or {}))

    def block_of(self, expr, scope, local) -> str | None:
        """The project class an argument names (`attn_layer=Attention3d`, `partial(Block,
        ...)`) or holds built (`classifier` after `classifier = Head(...)`), else None."""
        if isinstance(expr, cst.Name) and expr.value in local and _holds_layers(local[expr.value]):
            built = local[expr.value]
        elif isinstance(expr, cst.Name) and _builds_instance(self.ctx, scope.values.get(expr.value)):
            value = scope.values[expr.value]
            if id(value) in self.reading:
                return None  # `backbone = Wrapper(backbone)`: the name read inside its own value
            self.reading.add(id(value))
            try:
                built = self.spec(value, scope, {})
            finally:
                self.reading.discard(id(value))
        elif _builds_instance(self.ctx, expr):
            built = self.spec(expr, scope, local)
        else:
            if isinstance(expr, cst.Call) and self.ctx.qualify(expr.func) == "functools.partial" and expr.args:
                expr = expr.args[0].value
            if not isinstance(expr, (cst.Name, cst.Attribute)):
                return None
            # A class named: what calling it builds (aliases and defaults followed).
            call = self._through_aliases(cst.Call(func=expr), scope, local)
            name = dotted(call.func)
            if name is None or not name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper():
                return None
            return self._block_class(call, self.ctx.qualify(call.func))
        return built.op if built.kind == "sub" else None

    def _bound(self, function, call, scope) -> dict[str, Rate]:
        """Rates of the arguments of `call`, by parameter name of `function`."""
        return {name: self.resolver.rate(value, scope) for name, value in _by_parameter(function, call).items()}

    def _inline_method(self, method, call, scope, local) -> Spec | None:
        bound = self._bound(method, call, scope)
        inner = function_scope(method, bound=bound, self_attrs=scope.self_attrs, class_attrs=scope.class_attrs,
                               passed=_passed(method, call, scope))
        return self._run(method, inner)

    def call_factory(self, function, bound, scope, local, call=None) -> Spec | None:
        inner = function_scope(function, bound=bound, passed=_passed(function, call, scope) if call is not None else {})
        return self._run(function, inner)

    def _run(self, function, scope) -> Spec | None:
        if self.depth >= MAX_CALL_DEPTH:
            return None
        self.depth += 1
        try:
            returns: list[Spec] = []
            self._block(function.body, scope, {}, False, returns)
        finally:
            self.depth -= 1
        known = [r for r in returns if r.kind != "unknown"]
        return known[0] if known else (returns[0] if returns else None)


# -- forward: the graph -----------------------------------------------------------


class _Forward:
    """Emits the layers applied by `forward`, with data flow between them."""

    def __init__(self, ctx, resolver, functions, methods, attrs, self_attrs, class_attrs, registered=()):
        self.ctx = ctx
        self.resolver = resolver
        self.functions = functions
        self.methods = methods
        self.attrs = attrs
        self.self_attrs = self_attrs
        self.class_attrs = class_attrs
        # What a container subclass's constructor gave its base: `for m in self.values()`.
        self.registered = tuple(registered)
        self.layers: list[Layer] = []
        self.loop_depth = 0
        self.returning = 0  # > 0 while a `return` value is evaluated
        self.call_stack: list[str] = []

    def build(self, forward: cst.FunctionDef) -> Graph:
        env: dict[str, object] = {}
        p = forward.params
        for param in (*p.posonly_params, *p.params, *p.kwonly_params):
            name = param.name.value
            if name == "self":
                continue
            env[name] = (self.emit("input", "input", name, None, ()),)
        scope = function_scope(forward, self_attrs=self.self_attrs, class_attrs=self.class_attrs)
        self.call_stack.append("forward")
        returns: list[tuple[int, ...]] = []
        self.block(forward.body, env, scope, returns)
        outputs = tuple(dict.fromkeys(i for r in returns for i in r))
        return Graph(tuple(self.layers), outputs)

    def emit(self, kind, op, name, node, inputs, rate=None, bindings=(), training=None, repeat=False, site=None, opaque=None,
             param=None, arguments=()) -> int:
        span = self.ctx.span(node) if node is not None else _NO_SPAN
        layer = Layer(
            id=len(self.layers),
            kind=kind,
            op=op,
            name=name,
            path=self.ctx.path,
            span=span,
            inputs=tuple(dict.fromkeys(inputs)),
            rate=rate,
            repeat=repeat or self.loop_depth > 0,
            bindings=bindings,
            training=training,
            site=site,
            opaque=opaque,
            param=param,
            arguments=arguments,
        )
        self.layers.append(layer)
        return layer.id

    # statements
    def block(self, body, env, scope, returns) -> None:
        statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
        for statement in statements:
            self.statement(statement, env, scope, returns)

    def statement(self, statement, env, scope, returns) -> None:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in statement.body:
                self.small(small, env, scope, returns)
        elif isinstance(statement, cst.If):
            chosen = branches.chosen_arm(statement, scope, self.attribute_truth)
            if chosen is not None:
                # Defaults (or the layers the class builds) decide: that arm alone runs.
                if chosen != ():
                    self.block(chosen, env, scope, returns)
                return
            # Both arms are kept: a name holds afterwards what either arm left in it.
            arms = []
            node = statement
            while True:
                self.value(node.test, env, scope)
                arm = dict(env)
                self.block(node.body, arm, scope, returns)
                arms.append(arm)
                orelse = node.orelse
                if isinstance(orelse, cst.If):
                    node = orelse
                    continue
                arm = dict(env)
                if isinstance(orelse, cst.Else):
                    self.block(orelse.body, arm, scope, returns)
                arms.append(arm)
                break
            _join(env, dict(env), arms)
        elif isinstance(statement, cst.For):
            iterable = statement.iter
            before = dict(env)
            self.bind_loop(statement.target, iterable, env, scope)
            self.loop_depth += 1
            try:
                self.block(statement.body, env, scope, returns)
            finally:
                self.loop_depth -= 1
            _join(env, before, [env.copy(), before])
        elif isinstance(statement, cst.While):
            before = dict(env)
            self.loop_depth += 1
            try:
                self.block(statement.body, env, scope, returns)
            finally:
                self.loop_depth -= 1
            _join(env, before, [env.copy(), before])
        elif isinstance(statement, cst.With):
            for item in statement.items:
                self.value(item.item, env, scope)
            self.block(statement.body, env, scope, returns)
        elif isinstance(statement, cst.Try):
            self.block(statement.body, env, scope, returns)
            if statement.orelse is not None:
                self.block(statement.orelse.body, env, scope, returns)
            if statement.finalbody is not None:
                self.block(statement.finalbody.body, env, scope, returns)

    def small(self, small, env, scope, returns) -> None:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            if small.value is None:
                return
            value = self.value(small.value, env, scope)
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for target in targets:
                self.assign(target, value, small.value, env)
        elif isinstance(small, cst.AugAssign):
            right = _flow(self.value(small.value, env, scope))
            if isinstance(small.target, cst.Name):
                left = _flow(env.get(small.target.value))
                env[small.target.value] = self.merge(left, right, small)
        elif isinstance(small, cst.Expr):
            self.value(small.value, env, scope)
        elif isinstance(small, cst.Return) and small.value is not None:
            self.returning += 1
            try:
                returns.append(_flow(self.value(small.value, env, scope)))
            finally:
                self.returning -= 1

    def attributes_named(self, name) -> _Callable | None:
        """The attributes `getattr(self, name)` may read: a string names one, an f-string
        (`f"layer{i}"`) every attribute its pattern matches, in their natural order."""
        pattern = _name_pattern(name)
        if pattern is None:
            return None
        found = [(key, spec) for key, spec in self.attrs.items() if key == pattern[0] or pattern[1].fullmatch(key)]
        if not found:
            return None
        if len(found) == 1:
            return _Callable(found[0][1], f"self.{found[0][0]}")
        found.sort(key=lambda item: _natural(item[0]))
        return _Callable(Spec("seq", items=tuple(found)), "self")

    def assign(self, target, value, expr, env) -> None:
        if isinstance(target, cst.Name):
            env[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.assign(element.value, _flow(value), expr, env)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and isinstance(env.get(target.value.value, ()), tuple):
            # `out[name] = x`: a local container carries what is stored in it onwards.
            env[target.value.value] = _union_flows([env.get(target.value.value, ()), _flow(value)])

    def bind_loop(self, target, iterable, env, scope) -> None:
        """`for layer in self.layers` binds `layer` to the list's layers; other loops
        bind their variables to whatever data the iterable carries."""
        if isinstance(iterable, cst.Call) and dotted(iterable.func) == "enumerate" and iterable.args:
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                # `for i, (embed, blocks) in enumerate(zip(...))`: the index is no layer.
                self.bind_loop(target.elements[1].value, iterable.args[0].value, env, scope)
                return
        zipped = self.zipped_specs(iterable, target, env)
        if zipped is not None:
            # `for embed, blocks in zip(self.embeds, self.blocks)`: each name its list's layers.
            for element, (spec, name) in zip(target.elements, zipped):
                if isinstance(element.value, cst.Name):
                    env[element.value.value] = _Callable(spec, name)
            return
        spec = self.iterated_spec(iterable, env)
        if spec is not None:
            if isinstance(target, cst.Name):
                env[target.value] = _Callable(spec, dotted(iterable) or "layer")
                return
            if isinstance(target, cst.Tuple) and target.elements:
                # enumerate(self.layers) / self.blocks.items(): the layer is the last element
                last = target.elements[-1].value
                if isinstance(last, cst.Name):
                    env[last.value] = _Callable(spec, dotted(iterable) or "layer")
                return
        flow = _flow(self.value(iterable, env, scope))
        self.assign(target, flow, iterable, env)

    def zipped_specs(self, iterable, target, env) -> list[tuple[Spec, str]] | None:
        """The layer lists of `zip(self.a, self.b)` unpacked into as many names, else None."""
        if not (isinstance(iterable, cst.Call) and dotted(iterable.func) == "zip" and isinstance(target, cst.Tuple)):
            return None
        if len(iterable.args) != len(target.elements) or any(a.star or a.keyword for a in iterable.args):
            return None
        specs = [self.iterated_spec(arg.value, env) for arg in iterable.args]
        if any(spec is None for spec in specs):
            return None
        return [(spec, dotted(arg.value) or "layer") for spec, arg in zip(specs, iterable.args)]

    def iterated_spec(self, iterable, env=None) -> Spec | None:
        if isinstance(iterable, cst.Call):
            name = dotted(iterable.func)
            if name in ("enumerate", "reversed") and iterable.args:
                return self.iterated_spec(iterable.args[0].value, env)
            if isinstance(iterable.func, cst.Attribute) and iterable.func.attr.value in ("values", "items", "children", "modules"):
                return self.iterated_spec(iterable.func.value, env)
        if isinstance(iterable, cst.Subscript):
            return self.iterated_spec(iterable.value, env)
        if _is_self(iterable) and self.registered:
            # `for name, module in self.items()` in a ModuleDict subclass: its own items.
            return Spec("seq", items=self.registered)
        if isinstance(iterable, cst.Name) and env is not None and isinstance(env.get(iterable.value), _Callable):
            # `for block in blocks` where `blocks` is itself a list of layers (a list of lists).
            inner = env[iterable.value].spec
            return inner if inner.kind in ("list", "dict", "seq") else None
        if _is_self_attr(iterable):
            spec = self.attrs.get(iterable.attr.value)
            if spec is not None and spec.kind in ("list", "dict", "seq"):
                return spec
        return None

    # expressions: each returns the ids whose values flow out of it
    def value(self, expr, env, scope):
        if isinstance(expr, cst.Name):
            if expr.value not in env and expr.value in self.functions:
                return _Functions((self.functions[expr.value],))
            return env.get(expr.value, ())
        if isinstance(expr, cst.Call):
            return self.call(expr, env, scope)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in METADATA_ATTRIBUTES or _is_self(expr.value):
                if _is_self_attr(expr) and expr.attr.value in self.attrs:
                    return _Callable(self.attrs[expr.attr.value], dotted(expr))
                return ()
            return _flow(self.value(expr.value, env, scope))
        if isinstance(expr, cst.Subscript):
            inner = self.value(expr.value, env, scope)
            if isinstance(inner, _Callable):
                return inner.element(expr)
            for element in expr.slice:
                if isinstance(element.slice, cst.Index):
                    self.value(element.slice.value, env, scope)
            return _flow(inner)
        if isinstance(expr, cst.BinaryOperation):
            left = _flow(self.value(expr.left, env, scope))
            right = _flow(self.value(expr.right, env, scope))
            return self.merge(left, right, expr)
        if isinstance(expr, cst.UnaryOperation):
            return _flow(self.value(expr.expression, env, scope))
        if isinstance(expr, (cst.Tuple, cst.List)):
            flows = [_flow(self.value(e.value, env, scope)) for e in expr.elements]
            return tuple(dict.fromkeys(i for f in flows for i in f))
        if isinstance(expr, cst.Dict):
            # {"logits": x, "hidden": h}: packaging, each value passes through.
            flows = [_flow(self.value(e.value, env, scope)) for e in expr.elements]
            return _union_flows(flows)
        if isinstance(expr, cst.IfExp):
            decided = branches.truth(expr.test, scope, self.attribute_truth)
            if decided is not None:
                return self.value(expr.body if decided else expr.orelse, env, scope)
            self.value(expr.test, env, scope)
            body = _flow(self.value(expr.body, env, scope))
            orelse = _flow(self.value(expr.orelse, env, scope))
            return tuple(dict.fromkeys(body + orelse))
        if isinstance(expr, (cst.Comparison, cst.BooleanOperation, cst.Lambda)):
            return ()
        if isinstance(expr, cst.Await):
            return self.value(expr.expression, env, scope)
        return ()

    def attribute_truth(self, name: str) -> bool | None:
        """`if self.norm`: true where the constructor builds a layer there, false for None."""
        spec = self.attrs.get(name)
        if spec is None or spec.opaque is not None:
            return None
        if spec.kind in ("op", "sub", "seq") or spec.kind in ("list", "dict") and spec.items:
            return True
        return False if spec is NONE or spec.op == "None" else None

    def merge(self, left, right, node):
        if left and right and set(left) != set(right):
            return (self.emit("merge", "+", self.ctx.code(node)[:40], node, left + right),)
        return left or right

    def call(self, call: cst.Call, env, scope):
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "forward" and self._is_module(func.value, env):
            func = func.value  # `layer.forward(x)` runs what `layer(x)` runs (without hooks)
        # self.fc(x), self.blocks[0](x), layer(x) inside `for layer in self.layers`
        target = None
        if _is_self_attr(func):
            name = func.attr.value
            if name in self.attrs:
                target = _Callable(self.attrs[name], "self." + name)
            elif name in self.methods and name not in self.call_stack:
                return self.inline(self.methods[name], call, env, scope, method=True)
            elif name not in self.methods:
                # Something this file never assigns (a base class defined elsewhere
                # provides it: a module, or a method such as a loss function): applied
                # here, so two dropouts around it are not neighbours; what it holds is the
                # base's business (followed across files where the project resolves it).
                inputs = self.arguments(call, env, scope)
                if inputs:
                    return (self.emit("other", "?", "self." + name, call, inputs),)
        elif _is_getattr_self(func):
            # getattr(self, f"layer{i}")(x): every attribute the name pattern matches, in order.
            named = func.args[1].value
            target = self.attributes_named(_class_attribute_string(named, self.class_attrs) or named)
            if target is not None and _is_self_attr(named):
                # Named by a class attribute, which a subclass may set otherwise: the name
                # stays as written, and link reads it per class (analysis.family).
                target = replace(target, name=self.ctx.code(func).strip())
        elif isinstance(func, cst.Subscript) or (isinstance(func, cst.Name) and func.value in env):
            found = self.value(func, env, scope)
            if isinstance(found, _Callable):
                target = found
            elif isinstance(found, _Functions):
                return self.inline_any(found.functions, call, env, scope)
        if target is not None:
            by_argument = self.argument_map(call, env, scope)
            inputs = _union_flows(flow for _, flow in by_argument)
            return self.apply_spec(target.spec, target.name, inputs, call, target.repeat, applied=True, arguments=by_argument)
        qualname = self.ctx.qualify(func)
        if isinstance(func, cst.Name) and func.value in self.functions and func.value not in self.call_stack:
            if self.ctx.class_named(func.value) is None:
                return self.inline(self.functions[func.value], call, env, scope, method=False)
        if packaging.is_packaging(self.ctx, call, qualname, self.returning > 0, env):
            # Outputs leave in containers: each value passes through unchanged.
            return _union_flows(self.argument_flows(call, env, scope))
        rate_arg = catalog.TORCH_DROPOUT_FUNCTIONS.get(qualname) if qualname else None
        kind = catalog.torch_function_kind(qualname)
        if kind is None:
            # A dispatch that picks a function of this file: `get_interface(..., eager_attention)`.
            named = [a.value.value for a in call.args if isinstance(a.value, cst.Name) and a.value.value in self.functions and a.value.value not in env]
            if named:
                return _Functions(tuple(self.functions[n] for n in named))
            applied = self.higher_order(call, env, scope)
            if applied is not None:
                return applied
        # Each argument is evaluated once: evaluating emits the layers it applies.
        flows = self.argument_flows(call, env, scope)
        inputs = tuple(dict.fromkeys(i for f in flows for i in f))
        if rate_arg is not None:
            return self.functional_dropout(call, qualname, rate_arg, flows, inputs, scope)
        if kind == "merge" or kind is None:
            return self.combine(call, flows, inputs)
        return (self.emit(kind, qualname, dotted(func) or qualname, call, inputs),)

    def _is_module(self, expr, env) -> bool:
        """A layer of the class, or a name bound to one (`for layer in self.layers`)."""
        if _is_self_attr(expr):
            return expr.attr.value in self.attrs
        if isinstance(expr, cst.Subscript):
            return self._is_module(expr.value, env)
        return isinstance(expr, cst.Name) and isinstance(env.get(expr.value), _Callable)

    def higher_order(self, call, env, scope):
        """`apply_chunking_to_forward(self.ff_chunk, size, dim, x)`, `checkpoint(self.block,
        x)`: an unknown function handed one of this class's methods applies it to its
        trailing data arguments, as many as the method takes. None for any other call."""
        positional = [a for a in call.args if a.keyword is None and not a.star]
        for index, arg in enumerate(positional):
            value = arg.value
            if not (_is_self_attr(value) and value.attr.value in self.methods and value.attr.value not in self.call_stack):
                continue
            method = self.methods[value.attr.value]
            params = [q for q in (*method.params.posonly_params, *method.params.params) if q.default is None]
            wanted = len([q for q in params if q.name.value not in ("self", "cls")])
            trailing = positional[index + 1:][-wanted:] if wanted else []
            others = [a for a in positional[:index] + positional[index + 1:] if a not in trailing]
            for other in others:  # evaluated once, as a call evaluates its arguments
                self.value(other.value, env, scope)
            applied = cst.Call(func=value, args=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in trailing])
            return self.inline(method, applied, env, scope, method=True)
        return None

    def combine(self, call, flows, inputs):
        """An op we do not know (or a known merge): its data flows on; two or more
        distinct sources merge. `flows` are the arguments' flows, receiver first."""
        func = call.func
        if self._has_receiver(func) and func.attr.value in ACTIVATION_METHODS and flows and flows[0]:
            return (self.emit("activation", f"torch.Tensor.{func.attr.value}", dotted(func) or func.attr.value, call, flows[0]),)
        distinct = {frozenset(f) for f in flows if f}
        if len(distinct) > 1:
            name = dotted(func) or (func.attr.value if isinstance(func, cst.Attribute) else "?")
            return (self.emit("merge", self.ctx.qualify(func) or name, name, call, inputs),)
        return inputs

    def _has_receiver(self, func) -> bool:
        """`x.view(...)`: a method of a value, not `torch.cat` or `self.helper`."""
        return isinstance(func, cst.Attribute) and not _is_self(func.value) and self.ctx.qualify(func) is None

    def argument_flows(self, call, env, scope):
        flows = []
        if self._has_receiver(call.func):
            flows.append(_flow(self.value(call.func.value, env, scope)))
        for arg in call.args:
            if isinstance(arg.value, (cst.List, cst.Tuple)) and not arg.star:
                flows.extend(_flow(self.value(e.value, env, scope)) for e in arg.value.elements)
            else:
                flows.append(_flow(self.value(arg.value, env, scope)))
        return flows

    def arguments(self, call, env, scope) -> tuple[int, ...]:
        return _union_flows(flow for _, flow in self.argument_map(call, env, scope))

    def argument_map(self, call, env, scope) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """Each argument's flow, by keyword or position ("0", "1", ...; "*" when unpacked)."""
        found, index = [], 0
        for arg in call.args:
            flow = _flow(self.value(arg.value, env, scope))
            if arg.star:
                found.append(("*", flow))
            elif arg.keyword is not None:
                found.append((arg.keyword.value, flow))
            else:
                found.append((str(index), flow))
                index += 1
        return tuple(found)

    def functional_dropout(self, call, qualname, rate_arg, flows, inputs, scope):
        arg = argument(call, rate_arg.keyword, rate_arg.index)
        if qualname.endswith("scaled_dot_product_attention"):
            # Attention with dropout on its weights: a dropout site only when dropout_p is set.
            if arg is None or literal_number(arg.value) == 0:
                return self.combine(call, flows, inputs)
            rate = self.resolver.rate(arg.value, scope)
            training = None
        else:
            # `F.dropout(x, *args)`: the rate may be among the unpacked ones; no default guess.
            default = None if arg is None and any(a.star for a in call.args) else rate_arg.default
            rate = self.resolver.rate(arg.value if arg else None, scope, default)
            flag = argument(call, "training", catalog.TORCH_TRAINING_INDEX)
            # No argument: F.dropout's default (training=True) is on whatever the mode.
            training = training_facts.training_argument(flag.value) if flag is not None else "missing"
        site = Sites.of(self.ctx).functional(call) if rate_arg.keyword == "p" and self.loop_depth == 0 else None
        return (self.emit("dropout", qualname, dotted(call.func) or qualname, call, inputs, rate=rate, training=training, site=site),)

    def apply_spec(self, spec: Spec, name: str, inputs, node, repeat=False, applied=False, arguments=()):
        """Apply what an attribute holds to `inputs`; return the output ids.

        `applied`: `node` is this very layer's application (`self.drop(x)`), not the call
        of a container it sits in, so a fix may rewrite that call. `arguments`: the call's
        flows by argument, which a block binds to its own parameters (link); in a
        container they reach its first element only, the others read what it returns."""
        repeat = repeat or spec.repeat
        if spec.kind == "op":
            where = node or spec.node
            site = None
            # A layer applied in a loop stands for many applications: no single edit moves it.
            if spec.layer_kind in ("dropout", "norm") and not repeat and self.loop_depth == 0:
                sites = Sites.of(self.ctx)
                site = sites.application(where) if applied else sites.element(where)
            return (self.emit(spec.layer_kind, spec.op, name, where, inputs, rate=spec.rate, repeat=repeat, site=site),)
        if spec.kind == "sub":
            return (self.emit("submodule", spec.op, name, node or spec.node, inputs, bindings=spec.bindings, repeat=repeat,
                              param=spec.param, arguments=arguments),)
        if spec.kind in ("seq", "list", "dict"):
            out = inputs
            for index, (label, item) in enumerate(spec.items):
                label_name = f"{name}[{label}]" if label.isdigit() else f"{name}[{label!r}]"
                # Elements of a Sequential are applied where they are written.
                where = (item.node or node) if spec.kind == "seq" else node
                out = self.apply_spec(item, label_name, out, where, repeat, arguments=arguments if index == 0 else ())
            return out
        return (self.emit("other", spec.op, name, node or spec.node, inputs, repeat=repeat, opaque=spec.opaque, param=spec.param),)

    def inline(self, function, call, env, scope, method):
        """Inline a helper method or module-level function: its return value is the call's."""
        if len(self.call_stack) >= MAX_CALL_DEPTH:
            flows = self.argument_flows(call, env, scope)
            return self.combine(call, flows, tuple(dict.fromkeys(i for f in flows for i in f)))
        names = parameter_names(function)
        inner: dict[str, object] = {}
        bound: dict[str, Rate] = {}
        index = 0
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                key = arg.keyword.value
            else:
                key = names[index] if index < len(names) else None
                index += 1
            if key is None:
                continue
            inner[key] = self.value(arg.value, env, scope)
            if self.resolver is not None:
                bound[key] = self.resolver.rate(arg.value, scope)
        inner_scope = function_scope(function, bound=bound, self_attrs=self.self_attrs, class_attrs=self.class_attrs)
        self.call_stack.append(function.name.value)
        returns: list[tuple[int, ...]] = []
        try:
            self.block(function.body, inner, inner_scope, returns)
        finally:
            self.call_stack.pop()
        return tuple(dict.fromkeys(i for r in returns for i in r))

    def inline_any(self, functions, call, env, scope):
        outs = []
        for function in functions:
            if function.name.value not in self.call_stack:
                outs.extend(self.inline(function, call, env, scope, method=False))
        return tuple(dict.fromkeys(outs))


@dataclass(frozen=True)
class _Callable:
    """A value in forward that is a module: `self.fc`, or `layer` in `for layer in self.layers`."""

    spec: Spec
    name: str
    repeat: bool = False

    def element(self, subscript: cst.Subscript) -> _Callable:
        """`self.blocks[0]`, `self.heads["cls"]`, `self.layers[i]` (any: the whole list)."""
        spec = self.spec
        if spec.kind not in ("list", "dict", "seq") or not spec.items:
            return self
        key = None
        if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
            index = subscript.slice[0].slice.value
            number = literal_number(index)
            if isinstance(number, int) and not isinstance(number, bool):
                if spec.kind != "dict" and -len(spec.items) <= number < len(spec.items):
                    key = spec.items[number][0]
            else:
                key = _string(index)
        if spec.repeat:
            return _Callable(spec.items[0][1], f"{self.name}[{key or 'i'}]", True)
        for label, item in spec.items:
            if label == key:
                shown = label if spec.kind != "dict" else repr(label)
                return _Callable(item, f"{self.name}[{shown}]")
        return self


@dataclass(frozen=True)
class _Functions:
    functions: tuple


def _flow(value) -> tuple[int, ...]:
    return value if isinstance(value, tuple) else ()


def _join(env, before, arms) -> None:
    """After branches: a name holds what any arm left in it (the shared join of
    `branches`, which the Keras trace uses too)."""
    env.update(branches.join(before, arms, lambda v: isinstance(v, tuple), _union_flows))


def _union_flows(values) -> tuple[int, ...]:
    return tuple(dict.fromkeys(i for v in values for i in v))


def _relabel(items, start: int):
    """Items added to a list after `start` others: numbered on from there."""
    return tuple((str(start + i) if label.isdigit() else label, spec) for i, (label, spec) in enumerate(items))


def _loop(items, in_loop):
    return tuple((label, replace(spec, repeat=True)) for label, spec in items) if in_loop else tuple(items)


def _class_attribute_string(node, class_attrs) -> cst.SimpleString | None:
    """`self.base_model_prefix` where the class body says `base_model_prefix = "model"`:
    the string, as `getattr(self, self.base_model_prefix)` reads it."""
    if _is_self_attr(node) and _string(class_attrs.get(node.attr.value)) is not None:
        return class_attrs[node.attr.value]
    return None

def _by_parameter(function, call) -> dict[str, cst.BaseExpression]:
    """The arguments of `call` as written, by parameter name of `function`."""
    names = parameter_names(function)
    found = {}
    index = 0
    for arg in call.args:
        if arg.star:
            continue
        if arg.keyword is None:
            if index < len(names):
                found[names[index]] = arg.value
            index += 1
        else:
            found[arg.keyword.value] = arg.value
    return found


def _passed(function, call, scope) -> dict:
    """The arguments of `call` with the caller's scope, to read a class handed on."""
    return {name: (value, scope) for name, value in _by_parameter(function, call).items()}


def _as_modules(items) -> tuple:
    """Items given to a module container (`nn.Sequential`, `nn.ModuleDict`, a container
    subclass's constructor) are modules: one droplint could not resolve (a loop variable
    over another module's children) is an opaque module, never an empty step."""
    return tuple((label, replace(spec, opaque="module") if spec == UNKNOWN or spec == replace(UNKNOWN, repeat=True) else spec)
                 for label, spec in items)


def _modules_in(spec: Spec) -> Spec:
    return replace(spec, items=_as_modules(spec.items)) if spec.kind in ("list", "dict", "seq") else spec


def _holds_layers(spec: Spec) -> bool:
    """Whether a local holds built layers, not classes: `blocks = [Conv, Inception]`
    is a list of classes (what each element builds is unknown until it is called)."""
    if spec.kind in ("list", "dict"):
        return any(item.kind != "unknown" or item.opaque is not None for _, item in spec.items)
    return spec.kind != "unknown"


def _own_parameter(expr, scope) -> str | None:
    """The constructor parameter `expr` names, when the class's builder may set it (not
    one a subclass's constructor already passed)."""
    if not (scope.constructor and isinstance(expr, cst.Name) and expr.value in scope.params):
        return None
    return None if expr.value in scope.passed or expr.value in scope.bound else expr.value


def _builds_instance(ctx, expr) -> bool:
    """`Head(...)`: a call of a class (by convention capitalised), not `partial(Head)`."""
    if not isinstance(expr, cst.Call) or ctx.qualify(expr.func) == "functools.partial":
        return False
    name = dotted(expr.func)
    return name is not None and name.rsplit(".", 1)[-1].lstrip("_")[:1].isupper()


def _derives_from_elsewhere(info) -> bool:
    """A class of this file whose base is another file's class of the project (`class
    MLPBlock(MLP)`, MLP in a package module): a block when link finds a model for it
    (analysis.inherit), else an opaque module."""
    roots = [base.split(".")[0] for base in info.bases if "." in base]
    return any(root not in NOT_PROJECT + ("keras", "tensorflow") and root not in sys.stdlib_module_names for root in roots)


def _is_getattr_self(func) -> bool:
    return (isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr"
            and len(func.args) >= 2 and _is_self(func.args[0].value))


def _name_pattern(node):
    """(key, regex) of an attribute name written as a string or an f-string: the key is
    the text as the constructor's `setattr` / `add_module` stores it."""
    text = _string(node)
    if text is not None:
        return text, re.compile(re.escape(text))
    if isinstance(node, cst.FormattedString):
        key, regex = "", ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                key += part.value
                regex += re.escape(part.value)
            else:
                key += "{" + (dotted(part.expression) or "?") + "}"
                regex += ".+"
        return key, re.compile(regex)
    return None


def _natural(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _opaque(qualname: str | None, func) -> str | None:
    """What an unresolved constructor call builds: a whole library model ("deep"), a
    module from outside the known libraries ("module"), or nothing opaque (an unknown
    helper of torch itself, or of the standard library: not a module with weights)."""
    if catalog.is_model_zoo(qualname or dotted(func)):
        return "deep"
    if qualname is not None and qualname.split(".")[0] in NOT_PROJECT + ("builtins",):
        return None
    if isinstance(func, cst.Name) and hasattr(builtins, func.value):
        return None
    name = dotted(func) or qualname or ""
    # A class builds a module (assumed to carry weights); a function returns one that may
    # as well be an activation (`get_act_layer(name)()`): how many weights, unknown.
    return "module" if name.rsplit(".", 1)[-1][:1].isupper() else "call"


def _is_self(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _is_self_attr(node) -> bool:
    return isinstance(node, cst.Attribute) and _is_self(node.value)


def _is_identity(spec: Spec) -> bool:
    return spec.op in ("torch.nn.Identity",) or spec.kind == "unknown" and spec.op in ("?", "None")


def _string(node) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None

