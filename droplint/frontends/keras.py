"""Keras / TensorFlow frontend: Sequential, functional and subclassed models of one file.

Every model becomes a `ClassSummary` (framework "keras") whose `Graph` holds one node
per layer application, in source order, with data-flow inputs:

- a subclass of `keras.Model` / `keras.layers.Layer`: layers built in `__init__` or
  `build`, applied in `call` (helper methods and local functions inlined, loops once
  and marked `repeat`, both arms of an `if` kept);
- `Sequential([...])` and `Sequential()` + `.add(...)`: a chain, one node per element;
- the functional API: `x = layers.Dense(64)(x)` chains in a module or function body,
  traced back from `keras.Model(inputs, outputs)`; a model called like a layer is a
  `submodule` node that link inlines; a builder function's model is named by it;
- TF1 graph code: a function applying `tf.layers.*` and dropout to its arguments.

Dropout comes from the dropout layers, from dropout arguments of other layers
(`LSTM(dropout=, recurrent_dropout=)`, `MultiHeadAttention(dropout=)`) and from
`tf.nn.dropout`, `keras.random.dropout` and `tf.compat.v1.layers.dropout`; each
application records whether a training flag reaches it. The statement-by-statement
walk is the interpreter's (`interpreter`), with `keras_trace.Trace` as its semantics;
this module turns what it finds into summaries.

Names go through the file's import table, so `tf.keras`, `tensorflow.keras`,
`keras.src` and `tf_keras` all read as `keras`.
"""

from __future__ import annotations

import libcst as cst

from droplint.facts.classes import derives
from droplint.frontends import catalog, interpreter, keras_trace
from droplint.frontends.keras_trace import (
    MODEL,
    SEQUENTIAL,
    ModelRecord,
    Node,
    Tensor,
    Trace,
)
from droplint.frontends.resolve import (
    Resolver,
    Scope,
    class_attributes,
    function_scope,
    parameter_names,
    self_assignments,
)
from droplint.ir import ClassSummary, FileSummary, Framework, Graph, Layer, LayerKind

FRAMEWORK = name = Framework.KERAS  # `name` and `summarize`: a frontend (frontends.summarize.Frontend)
# Keras classes whose subclasses are models rather than blocks.
MODEL_BASES = frozenset({"Model", "Sequential", "Functional", "Backbone", "Task"})
# Packages whose classes are Keras layers and models (KerasHub backbones and tasks).
KERAS_FAMILY = ("keras.", "keras_hub.", "keras_nlp.", "keras_cv.")


def summarize(ctx) -> FileSummary:
    if not _mentions_keras(ctx):
        return FileSummary(path=ctx.path, module=ctx.imports.module_name)
    builder = _FileBuilder(ctx)
    return builder.build()


def _mentions_keras(ctx) -> bool:
    return any(
        name.split(".")[0] in ("keras", "tensorflow", "tf_keras")
        for name in ctx.imports.names.values()
    )


# -- one file --------------------------------------------------------------------------


class _FileBuilder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.module = ctx.imports.module_name
        self.resolver = Resolver(ctx)
        self.functions = {
            s.name.value: s for s in ctx.module.body if isinstance(s, cst.FunctionDef)
        }
        self.keras_classes = {info.name: info for info in ctx.classes if self._is_keras_class(info)}
        self.records: list[ModelRecord] = []
        self.references: list[str] = []
        self.pools: list[tuple[ModelRecord, list[Node]]] = []
        self._called: set[str] | None = None
        self._builders: dict[str, bool] = {}
        self._qualnames: dict[int, str | None] | None = None
        self.budget = interpreter.budget(ctx)

    # which classes are Keras layers or models (directly or through local bases)
    def _is_keras_class(self, info) -> bool:
        return derives(self.ctx, info, _has_keras_base)

    def _is_keras_model_class(self, info) -> bool:
        return derives(self.ctx, info, _has_keras_model_base)

    def builds_model(self, function: cst.FunctionDef) -> bool:
        """A module-level function that builds and returns a Sequential or functional model."""
        if function.name.value not in self._builders:
            self._builders[function.name.value] = any(
                site.function is function and catalog.keras_class(site.qualname) in (SEQUENTIAL | MODEL)
                for site in self.ctx.calls
            )
        return self._builders[function.name.value]

    def qualname(self, call: cst.Call) -> str | None:
        """A call's resolved name, from the context's index (resolved once per call)."""
        if self._qualnames is None:
            self._qualnames = {id(site.node): site.qualname for site in self.ctx.calls}
        return self._qualnames.get(id(call))

    def class_key(self, name: str) -> str:
        return f"{self.module}.{name}"

    def build(self) -> FileSummary:
        classes = [self._class_summary(info) for info in self.keras_classes.values()]
        classes = [c for c in classes if c is not None]
        class_methods = {
            id(m) for info in self.keras_classes.values() for m in info.methods.values()
        }
        self._trace_scope(self.ctx.module.body, scope="", function=None)
        functions = [f for f in self.ctx.functions if id(f) not in class_methods]
        # Functions that build models first: if a file exhausts the work bound, what
        # is left out is helpers traced on their own (they are inlined where called).
        functions.sort(key=lambda f: not self.builds_model(f))
        for function in functions:
            self._trace_scope(function.body.body, scope=function.name.value, function=function)
        classes.extend(self._record_summaries())
        return FileSummary(
            path=self.ctx.path,
            module=self.module,
            classes=tuple(classes),
            references=tuple(dict.fromkeys(self.references)),
        )

    # -- subclassed models and layers ------------------------------------------------
    def _class_summary(self, info) -> ClassSummary | None:
        init = info.methods.get("__init__")
        class_attrs = class_attributes(info.node)
        # `self.rate = rate` in __init__ or build: what `self.rate` means in any method.
        self_attrs: dict = {}
        init_scope = (function_scope(init, constructor=True, self_attrs=self_attrs, class_attrs=class_attrs)
                      if init is not None else Scope(constructor=True, self_attrs=self_attrs, class_attrs=class_attrs))
        scopes = {"__init__": init_scope}
        for method_name in ("__init__", "build"):
            method = info.methods.get(method_name)
            if method is None:
                continue
            scope = scopes.get(method_name) or function_scope(method, self_attrs=self_attrs, class_attrs=class_attrs)
            for name, expr in self_assignments(method).items():
                self_attrs.setdefault(name, (expr, scope))
            scopes[method_name] = scope
        attrs: dict[str, object] = {}
        functional = None
        for method_name in ("__init__", "build"):
            method = info.methods.get(method_name)
            if method is not None:
                builder = Trace(self, scopes[method_name], info=info, attrs=attrs, scope_name=info.name)
                builder.bind_params(method, tensors=False, injected=method_name == "__init__")
                builder.run(method.body.body)
                if method_name == "__init__" and builder.super_io is not None:
                    functional = builder
        call = info.methods.get("call") or info.methods.get("__call__")
        if call is None and functional is not None:
            # A functional subclass: __init__ builds the graph and hands it to
            # `super().__init__(inputs=..., outputs=...)` (KerasHub backbones do).
            inputs, outputs = functional.super_io
            graph = _subgraph(functional.nodes, outputs, inputs, self.ctx, self._op_key)
            return self._summary(info, init, graph)
        if call is None and isinstance(attrs.get(keras_trace.BASE_LAYER), keras_trace.LayerValue):
            # A subclass of a built-in layer that keeps its `call`: that layer, as built.
            return self._summary(info, init, self._base_layer_graph(info, attrs[keras_trace.BASE_LAYER]))
        if call is None:
            return None
        call_scope = function_scope(call, self_attrs=self_attrs, class_attrs=class_attrs)
        trace = Trace(self, call_scope, info=info, attrs=attrs, scope_name=info.name)
        trace.bind_params(call, tensors=True)
        trace.run(call.body.body)
        if all(n.kind == LayerKind.INPUT for n in trace.nodes):
            # A layer written with ops only (an activation, a scale): nothing to inline,
            # and where it is applied it shows as an opaque step.
            return None
        layers = tuple(_layer(n, self.ctx, self._op_key) for n in trace.nodes)
        return self._summary(info, init, Graph(layers, tuple(dict.fromkeys(trace.returned))))

    def _base_layer_graph(self, info, spec) -> Graph:
        trace = Trace(self, Scope(), info=info, scope_name=info.name)
        x = Tensor((trace.new_node(LayerKind.INPUT, "input", "input", info.node.name, ()),))
        out = trace.apply_spec(spec, x, spec.call, info.name)
        layers = tuple(_layer(n, self.ctx, self._op_key) for n in trace.nodes)
        return Graph(layers, tuple(out))

    def _summary(self, info, init, graph: Graph) -> ClassSummary:
        return ClassSummary(
            key=self.class_key(info.name),
            name=info.name,
            path=self.ctx.path,
            line=self.ctx.span(info.node.name).line,
            framework=FRAMEWORK,
            bases=info.bases,
            graph=_renumber(graph),
            params=parameter_names(init) if init is not None else (),
            is_model=self._is_keras_model_class(info),
        )

    # -- module and function bodies: Sequential and functional models ----------------
    def _trace_scope(self, body, scope: str, function) -> None:
        rates = function_scope(function) if function is not None else Scope()
        trace = Trace(self, rates, scope_name=scope, top=True)
        if function is not None:
            # Parameters without defaults may be tensors (`def tower(x, is_training)`).
            trace.bind_params(function, tensors=True)
        trace.run(body)
        for record in trace.records:
            if record.kind == "functional":
                self.pools.append((record, trace.nodes))
            self.records.append(record)
        if function is not None and not trace.records and self._graph_function(function, trace):
            # TF1-style graph code: a function that applies layers to its arguments and
            # returns the result is the model; it is named by the function.
            record = ModelRecord("functional", function, "", name=scope, returned=True,
                                  outputs=tuple(dict.fromkeys(trace.returned)))
            self.pools.append((record, trace.nodes))
            self.records.append(record)

    def _graph_function(self, function, trace) -> bool:
        """A top-level function that applies dropout to its inputs and is the top of its
        file's call graph (helpers called by other functions are inlined there)."""
        if function.name.value not in self.functions or not trace.returned:
            return False
        if not any(n.kind == LayerKind.DROPOUT for n in trace.nodes):
            return False
        return function.name.value not in self._called_names()

    def _called_names(self) -> set[str]:
        if self._called is None:
            self._called = {
                site.node.func.value for site in self.ctx.calls
                if isinstance(site.node.func, cst.Name) and site.function is not None
            }
        return self._called

    def _record_summaries(self) -> list[ClassSummary]:
        used: set[str] = set()
        for record in self.records:
            base = record.name or f"model_line_{self._line(record)}"
            if record.scope and not record.returned:
                base = f"{record.scope}.{base}"
            name, number = base, 2
            while name in used or name in self.keras_classes:
                name, number = f"{base}_{number}", number + 1
            used.add(name)
            record.name = name
            record.key = self.class_key(name)
        summaries = []
        for record in self.records:
            if record.kind == "sequential":
                graph = self._sequential_graph(record)
            else:
                pool = next(nodes for r, nodes in self.pools if r is record)
                graph = _subgraph(pool, record.outputs, record.inputs, self.ctx, self._op_key)
            bases = ("keras.Sequential",) if record.kind == "sequential" else ("keras.Model",)
            summaries.append(
                ClassSummary(
                    key=record.key,
                    name=record.name,
                    path=self.ctx.path,
                    line=self._line(record),
                    framework=FRAMEWORK,
                    bases=bases,
                    graph=_renumber(graph),
                )
            )
        return summaries

    def _line(self, record: ModelRecord) -> int:
        """Where a model is defined: its builder function when it is named by one."""
        if record.returned and record.scope in self.functions:
            return self.ctx.span(self.functions[record.scope].name).line
        if isinstance(record.call, cst.FunctionDef):
            return self.ctx.span(record.call.name).line
        return self.ctx.span(record.call).line

    def _sequential_graph(self, record: ModelRecord) -> Graph:
        trace = Trace(self, Scope(), scope_name=record.scope)
        children = list(record.spec.children) if record.spec else []
        if children and children[0].kind == LayerKind.INPUT:
            first = children.pop(0)
            current = Tensor((trace.new_node(LayerKind.INPUT, "keras.Input", "Input", first.call, ()),))
        else:
            current = Tensor((trace.new_node(LayerKind.INPUT, "keras.Input", "input", record.call, ()),))
        current = trace.apply_sequence(children, current)
        layers = tuple(_layer(n, self.ctx, self._op_key) for n in trace.nodes)
        return Graph(layers, tuple(current))

    def _op_key(self, op) -> str:
        if isinstance(op, ModelRecord):
            return op.key or "?"
        return op


# -- helpers ---------------------------------------------------------------------------


def _layer(node: Node, ctx, op_key) -> Layer:
    return Layer(
        id=node.id, kind=node.kind, op=op_key(node.op), name=node.name, path=ctx.path, span=ctx.span(node.where),
        inputs=node.inputs, rate=node.rate, repeat=node.repeat, bindings=node.bindings, training=node.training,
        rewrite=node.rewrite() if node.rewrite is not None else None, opaque=node.opaque,
    )


def _subgraph(pool: list[Node], outputs, inputs, ctx, op_key) -> Graph:
    """The nodes a functional model's outputs depend on (and its declared inputs)."""
    by_id = {n.id: n for n in pool}
    keep, stack = set(), [*outputs, *inputs]
    while stack:
        current = stack.pop()
        if current in keep or current not in by_id:
            continue
        keep.add(current)
        stack.extend(by_id[current].inputs)
    layers = tuple(_layer(n, ctx, op_key) for n in pool if n.id in keep)
    return Graph(layers, tuple(outputs))


def _renumber(graph: Graph) -> Graph:
    """Ids 0..n-1 in source order, so each summary stands on its own."""
    mapping = {layer.id: index for index, layer in enumerate(graph.layers)}
    layers = tuple(
        Layer(
            id=mapping[l.id], kind=l.kind, op=l.op, name=l.name, path=l.path, span=l.span,
            inputs=tuple(mapping[i] for i in l.inputs if i in mapping), rate=l.rate, repeat=l.repeat,
            bindings=l.bindings, training=l.training, rewrite=l.rewrite, opaque=l.opaque,
        )
        for l in graph.layers
    )
    return Graph(layers, tuple(mapping[o] for o in graph.outputs if o in mapping))


def _has_keras_base(info) -> bool:
    return any(catalog.keras_class(base) or base.startswith(KERAS_FAMILY) for base in info.bases)


def _has_keras_model_base(info) -> bool:
    return any(base.startswith(KERAS_FAMILY) and base.rsplit(".", 1)[-1] in MODEL_BASES for base in info.bases)
