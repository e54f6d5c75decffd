"""The data droplint passes between its stages, in one place.

Everything here is a small frozen dataclass made of plain values, so that per-file
summaries can be built in worker processes (pickled between them, in memory only) and
stored in the cache, where msgspec writes them as msgpack and decodes them back into
these very classes, checking every field's type (see `droplint.store`): a cache file
is data, never code.

Flow: a frontend turns one file into a `FileSummary` (classes, their forward graphs,
configs, file-rule findings). `analysis.link` joins summaries into root `Model`s;
`analysis.depth` gives every dropout on a model its `position` and `depth`; model
rules turn those into `Diagnostic`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from sys import intern


def record(cls):
    """A small frozen dataclass with slots that pickles as (class, field values).

    Summaries are pickled between worker processes (never to disk); the default
    pickling of slotted dataclasses runs a Python-level __setstate__ per object, which
    made sending results back from the workers three times slower. A record is rebuilt
    with its plain values shared (`_shared`).
    """
    cls = dataclass(frozen=True, slots=True)(cls)
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):
        return (_shared, (cls, tuple(getattr(self, name) for name in names)))

    cls.__reduce__ = __reduce__
    return cls


def _shared(cls, values: tuple):
    """A record as unpickled in the process that receives it (the parent, which holds
    every file's summary at once), its plain values one shared copy each.

    The same names, numbers and small tuples recur across files (kinds, op names, paths,
    bases, layer inputs `(3,)`, line numbers): with a copy per field, transformers + keras
    took 87 MiB of summaries; with strings interned, 41 MiB. Sharing also the strings
    inside tuples, the ints and the tuples of plain values saves a third of what is left
    (docs/performance.md, "Memory"). Written inline: it runs for every record of every
    file the workers send back."""
    return cls(*[
        intern(value) if (kind := type(value)) is str
        else _ints.setdefault(value, value) if kind is int
        else _share_tuple(value) if kind is tuple and value
        else value if not issubclass(kind, tuple)
        else _share_tuple(value) if value else ()
        for value in values
    ])


# What is shared so far in this process: each value is its own key. Kept while results
# arrive; `forget_shared` empties them once they are all in (what was shared stays so).
_ints: dict[int, int] = {}
_tuples: dict[tuple, tuple] = {}
# The types a shared tuple may hold: equal values of these are interchangeable (no
# bool, whose True equals 1, nor float, whose -0.0 equals 0.0 and 1.0 equals 1).
_ATOMS = frozenset((str, int, type(None)))
_PLAIN = _ATOMS | {tuple}


def _share_tuple(items: tuple) -> tuple:
    """The one copy of a tuple of plain values (strings, ints, tuples of them); a tuple of
    records (a graph's layers) as it is: each record was shared as it was rebuilt. A tuple
    subclass (the interpreter's `Flow`) becomes a plain tuple, as the cache's round trip
    makes it."""
    if type(items[0]) not in _PLAIN:
        return items if type(items) is tuple else tuple(items)
    items = tuple([
        intern(item) if (kind := type(item)) is str
        else _ints.setdefault(item, item) if kind is int
        else item if not issubclass(kind, tuple)
        else _share_tuple(item) if item else ()
        for item in items
    ])
    kinds = set(map(type, items))
    if kinds <= _ATOMS or kinds <= _PLAIN and all(
            type(item) is not tuple or not item or _tuples.get(item) is item for item in items):
        return _tuples.setdefault(items, items)
    return items


def forget_shared() -> None:
    """Empty the tables of shared values (what they shared stays shared): called once a
    run has every result, so that they do not outlive it (nor weigh on linking)."""
    _ints.clear()
    _tuples.clear()


class StrEnum(str, Enum):
    """A set of names whose members are their own string values (`enum.StrEnum` is 3.11+).

    A member equals, hashes, formats and serialises (JSON, msgpack) as its value, so the
    JSON, profile and SARIF outputs and the cache read the same as with plain strings.
    """

    __str__ = str.__str__
    __format__ = str.__format__


class Framework(StrEnum):
    """The framework a model is written for."""

    TORCH = "torch"
    KERAS = "keras"


class LayerKind(StrEnum):
    """What a node of a forward graph is."""

    # The kinds of the profile contract (`LAYER_KINDS`).
    WEIGHTED = "weighted"
    # A weighted layer that only looks a token up (`nn.Embedding`, `layers.Embedding`):
    # dropout after embeddings alone is input dropout (analysis.depth). The profile
    # reports it as "weighted" (`contract_kind`).
    EMBEDDING = "embedding"
    DROPOUT = "dropout"
    NORM = "norm"
    ACTIVATION = "activation"
    POOL = "pool"
    OTHER = "other"
    # Graph-only kinds a frontend may emit, gone from a linked model.
    INPUT = "input"  # a model input (forward parameter, keras.Input)
    SUBMODULE = "submodule"  # an application of a class defined in linted code: inlined by link
    MERGE = "merge"  # a multi-input step: residual add, concatenation


class Position(StrEnum):
    """Where a dropout sits between a model's input and output (analysis.depth)."""

    INPUT = "input"
    HIDDEN = "hidden"
    FINAL_HIDDEN = "final-hidden"
    OUTPUT = "output"
    UNKNOWN = "unknown"


class TrainingState(StrEnum):
    """Whether a dropout call drops, as the call and the code around it say (`Layer.training`).

    None on a layer: nothing at the call decides it, and the module follows the model's
    mode by itself (`nn.Dropout`, a Keras layer called without `training=`).
    """

    GATED = "gated"  # the training flag reaches it: `training=training`, or inside `if training:`
    FORCED = "forced"  # `training=True`: it drops at inference too
    # No flag reaches an op that drops unless told otherwise (`F.dropout(x)`,
    # `tf.nn.dropout(x)` outside any training branch): it drops at inference too.
    UNGATED = "ungated"
    # `training=False`, or no flag reaches an op that drops only when told to
    # (`tf.compat.v1.layers.dropout(x)`): it never drops.
    OFF = "off"


# The layer kinds of the profile contract.
LAYER_KINDS = (LayerKind.WEIGHTED, LayerKind.DROPOUT, LayerKind.NORM, LayerKind.ACTIVATION, LayerKind.POOL,
               LayerKind.OTHER)
# The kinds that carry weights, and the kinds a linked model keeps (the graph-only ones go).
WEIGHTED_KINDS = (LayerKind.WEIGHTED, LayerKind.EMBEDDING)
MODEL_KINDS = LAYER_KINDS + (LayerKind.EMBEDDING,)


def contract_kind(kind: LayerKind) -> LayerKind:
    """The kind the profile reports (one of LAYER_KINDS): an embedding is a weighted layer."""
    return LayerKind.WEIGHTED if kind == LayerKind.EMBEDDING else kind

RATE_SOURCES = ("literal", "constant", "default", "config", "null")
POSITIONS = tuple(Position)
# How many weighted layers an opaque step (one droplint cannot see into) may hold:
# "module" (a module or layer from elsewhere: assumed to carry weights, one or more),
# "deep" (a whole library model: two or more) and "call" (what an unresolved function
# returns, `get_act_layer(name)()`: a module whose weights, if any, are not known: zero
# or more).
OPAQUE = ("module", "deep", "call")


@record
class Span:
    """A source range: 1-based lines, 1-based columns, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@record
class Edit:
    """Replace the text in `span` with `content`."""

    span: Span
    content: str


@record
class Fix:
    applicability: str  # "safe" | "unsafe"
    message: str
    edits: tuple[Edit, ...]


@record
class Diagnostic:
    path: str
    span: Span
    code: str
    name: str
    severity: str
    message: str
    model: str | None = None
    fix: Fix | None = None
    # Other lines of the same file whose `# noqa` also silences this finding: the line that
    # builds the layer, where its fix may edit (the finding is where the layer is applied).
    noqa_lines: tuple[int, ...] = ()

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


@record
class FileError:
    """A file droplint could not read or parse; reported, and the run goes on.

    `line` and `column` (1-based) say where, when the problem has a place (a syntax error).
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def located_message(self) -> str:
        """The message with its place in words, for output that has no place field."""
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"


@record
class Rate:
    """A dropout rate as written, with what could be resolved of it.

    `param` names the parameter of the enclosing class's constructor that this rate
    comes from (`def __init__(self, p=0.5): ... nn.Dropout(p)`): a parent that builds
    the class with `Block(p=0.1)` overrides it at link time. `config_attr` names the
    attribute of a config object (`config.hidden_dropout_prob`) to resolve from the
    project's config classes at link time.
    """

    value: float | None
    source: str  # one of RATE_SOURCES
    text: str  # the expression as written
    param: str | None = None
    config_attr: str | None = None
    # What the rate is when the config leaves `config_attr` unset (None in the config, or
    # not defined): `config.classifier_dropout if ... is not None else config.hidden_dropout_prob`,
    # `getattr(config, "x", 0.1)`.
    fallback: "Rate | None" = None
    # Where the rate is written as a literal at the dropout's construction (or binding)
    # site, so a fix can rewrite it: the file and the span of the literal. None when the
    # value comes from anywhere else (a name, a default, a config).
    path: str | None = None
    span: Span | None = None

    @staticmethod
    def unknown(text: str) -> "Rate":
        return Rate(None, "null", text)


@record
class Binding:
    """An argument a parent passes when it constructs a submodule: `Block(drop=0.1)`."""

    name: str | None  # keyword, or None for a positional argument
    index: int  # position among positional arguments (-1 for keywords)
    rate: Rate  # the argument's value as far as it could be resolved
    # The project class the argument names or holds built (`attn_layer=Attention3d`,
    # `classifier` after `classifier = Head(...)`): it takes the place of the block a
    # constructor parameter builds or holds (`Layer.param`).
    block: str | None = None


@record
class Rewrite:
    """How a fix may move or remove one layer application, as its frontend saw it.

    shape "call": a module applied to one tensor (`self.drop(x)`, `layers.Dropout(0.5)(x)`,
    also with keyword flags such as `training=`); `part` is the callee, so two calls can
    trade layers by trading callees. shape "element": an element of a Sequential list;
    `part` is the element, and `container` the list, so only neighbours of one list trade.
    `removal` takes the application off the forward path: the call becomes its input,
    the element leaves the list.
    """

    shape: str  # "call" | "element"
    part: Span
    text: str  # the source of `part`
    removal: Edit | None = None
    container: Span | None = None
    # For `self.drop(x)`: the statement that builds the layer (`self.drop = nn.Dropout(p)`)
    # when the file has exactly one, and `unbuild`, the edit that deletes that statement,
    # when nothing but this application uses the attribute (a removal would orphan it).
    construction: Span | None = None
    unbuild: Edit | None = None


@record
class Layer:
    """One application of a layer or op on a forward path: a node of the graph.

    `inputs` are the ids of the nodes whose outputs feed this one (data flow);
    `path`/`span` are where it is applied (the call in forward/call, the element of a
    Sequential list), not where it is constructed.
    """

    id: int
    kind: LayerKind
    op: str  # qualified op name (torch.nn.Dropout) or, for a submodule, its class key
    name: str  # as written: self.drop, F.dropout, layers.Dense
    path: str
    span: Span
    inputs: tuple[int, ...] = ()
    rate: Rate | None = None
    repeat: bool = False
    # For kind == "submodule": constructor arguments, to bind the class's `param` rates.
    bindings: tuple[Binding, ...] = ()
    # Whether the call drops in training only, always or never; None where the op follows
    # the module's mode by itself.
    training: TrainingState | None = None
    # For fixes that move or remove this application; None where the frontend could not
    # tell how to do so safely.
    rewrite: Rewrite | None = None
    # One of OPAQUE for a step that cannot be resolved (a constructor parameter, a library
    # model, an unresolved class): never counted as empty. None for everything else.
    opaque: str | None = None
    # For a submodule or opaque step a constructor parameter builds or holds
    # (`self.attn = attn_layer(dim)`, `self.head = head`): that parameter, so that link
    # puts the class a builder passes for it in its place.
    param: str | None = None
    # For kind == "submodule": the flows of each argument of the call, by keyword or by
    # position ("0", "1", ...; "*" for an unpacked one), which link binds to the block's
    # own inputs by name. Empty where the frontend does not tell them apart: every input
    # of the block then reads every input of the call.
    arguments: tuple[tuple[str, tuple[int, ...]], ...] = ()


@record
class Graph:
    layers: tuple[Layer, ...] = ()
    outputs: tuple[int, ...] = ()  # ids whose values are returned


@record
class ClassSummary:
    """A model (or a block used by one) as one file sees it.

    Usually a class; a model built at module or function level (`net = nn.Sequential(...)`,
    `model = keras.Sequential([...])`, a function returning `keras.Model(...)`) is one
    too, keyed and named by its variable or function.
    """

    key: str  # module-qualified name, e.g. "pkg.blocks.Block"
    name: str
    path: str
    line: int
    framework: Framework
    bases: tuple[str, ...]  # qualified base names, resolved through the file's imports
    graph: Graph
    params: tuple[str, ...] = ()  # constructor parameter names, in order (without self)
    is_model: bool = True  # False for blocks known not to be models on their own
    # Qualified name of the config class its constructor takes (`config: BertConfig`):
    # its `config.x` rates resolve from that class first.
    config_class: str | None = None
    # Keys of the blocks its constructor builds (`self.mlp = Block(...)`), applied or not:
    # a class built inside another is part of it, never a root, even when it is applied
    # in ways the forward graph cannot show (a bound method handed to a helper).
    constructs: tuple[str, ...] = ()
    # (attribute, block key) for each attribute its constructor sets to a block of the
    # project (`self.model = LlamaModel(config)`): the classes of one family tell what an
    # attribute holds where a member builds it with a factory (analysis.family).
    attributes: tuple[tuple[str, str], ...] = ()


@record
class ConfigClass:
    """A configuration class whose field defaults resolve `config.x` rates."""

    key: str
    name: str
    path: str
    # (name, default); None where the field is defined without a number (`x = None`),
    # so a `... if config.x is not None else ...` takes its other arm.
    fields: tuple[tuple[str, float | None], ...]


@record
class ClassDecl:
    """A class statement of a file, summarised as a model or not: what it derives from.

    Link reads it to give a class that writes no model of its own (`class Clf(Base): pass`)
    the model of its bases, in method resolution order, across files."""

    name: str
    key: str  # module-qualified, as ClassSummary.key
    bases: tuple[str, ...]  # qualified through the file's imports
    line: int
    # Which of `__init__`, `forward`, `call` the class writes itself.
    defines: tuple[str, ...] = ()
    # Class attributes that hold a string (`base_model_prefix = "model"`): what
    # `getattr(self, self.base_model_prefix)` reads in an instance of this class.
    strings: tuple[tuple[str, str], ...] = ()
    # Its constructor's parameters, and what that constructor passes to
    # `super().__init__` (None: no such call), for a class that writes a constructor but
    # no forward pass: it runs its base's model, bound to these arguments.
    params: tuple[str, ...] = ()
    base_init: tuple[Binding, ...] | None = None


@record
class FileSummary:
    """Everything one file says on its own. Plain data: cached and built in workers."""

    path: str
    module: str  # dotted module name used for class keys
    classes: tuple[ClassSummary, ...] = ()
    configs: tuple[ConfigClass, ...] = ()
    # Class keys this file refers to but does not define (for linking across files).
    references: tuple[str, ...] = ()
    # Model-level argparse defaults and constants a frontend could not use itself.
    extras: tuple[tuple[str, float], ...] = ()
    # Every class of the file, summarised or not, with its qualified bases: link reads
    # which classes take over a base's blocks under their own prefix, and which inherit
    # their model from bases in other files.
    class_bases: tuple[ClassDecl, ...] = ()
    # Classes of the project built with a project class as an argument in functions
    # outside any class (`return FCN(backbone, FCNHead(...))` in a builder function):
    # how the project builds a model whose constructor receives its modules.
    builds: tuple[Construction, ...] = ()


@record
class Construction:
    """One call of a class's constructor in a builder function, by class key."""

    key: str
    bindings: tuple[Binding, ...] = ()


@record
class FileResult:
    """What a worker returns for one file."""

    path: str
    digest: str
    summary: FileSummary | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    error: FileError | None = None
    skipped: bool = False  # file-level `# droplint: noqa`, or filtered by the prefilter
    # Outside the closure so far (droplint.closure): not parsed, nothing known of it yet.
    deferred: bool = False
    # `# noqa` comments: (line, codes); no codes means every code on that line.
    noqa: tuple[tuple[int, tuple[str, ...]], ...] = ()


@record
class PlacedLayer:
    """A layer of a linked root model, in forward order, with its dropout position."""

    layer: Layer
    position: Position | None = None  # for dropouts of roots
    depth: float | None = None
    model_key: str | None = None  # class key of the block it was inlined from


@record
class Model:
    key: str
    name: str
    path: str
    line: int
    framework: Framework
    root: bool
    layers: tuple[PlacedLayer, ...] = field(default=())
    # Ids (of `layers`) whose values the model returns; `Layer.inputs` of every placed
    # layer name other placed layers only (inputs and merges are looked through).
    outputs: tuple[int, ...] = ()
    # Layers the fully inlined model would have, when that is more than linking inlines
    # (analysis/link.py's MAX_NODES: blocks that use blocks twice double at every level);
    # such a model has no layers and is not checked. 0 otherwise. Counted as a number,
    # never by copying.
    cut: int = 0


@dataclass
class LintResult:
    """What a run found: the engine's answer, and what the last-run memo stores."""

    files: int
    diagnostics: list[Diagnostic]
    errors: list[FileError]
    models: list[Model] = field(default_factory=list)
    results: dict[str, FileResult] = field(default_factory=dict)  # display path -> FileResult
    checked: int | None = None  # files read and analysed (or passed over) without an error
    parsed: int = 0  # files analysed by this run; the others were served from the cache
