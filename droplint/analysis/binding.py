"""Constructor arguments bound to parameters: the rates a parent passes to a block.

A rate read from a constructor parameter remembers it (`Rate.param`). Where the class is
built with arguments (`Block(dim, drop=0.1)`, or a subclass's `super().__init__(...)`),
the rate takes the value passed, in the builder's own terms, so that a builder's own
parameter resolves one level further up.
"""

from __future__ import annotations

from dataclasses import replace

from droplint.ir import Binding, Graph, Rate


def substitute(rate: Rate | None, env: dict[str, Rate]) -> Rate | None:
    if rate is None or rate.param is None or rate.param not in env:
        return rate
    return env[rate.param]


def bind(params: tuple[str, ...], bindings: tuple[Binding, ...], env: dict[str, Rate]) -> dict[str, Rate]:
    """Parameters `params` bound to what the builder passes (`env` binds its own)."""
    return {name: substitute(binding.rate, env) for name, binding in _by_parameter(params, bindings)}


def bind_blocks(params: tuple[str, ...], bindings: tuple[Binding, ...], env: dict[str, str]) -> dict[str, str]:
    """Parameters `params` bound to the project classes the builder passes: a class it
    names, or one its own parameter was bound to (`attn_layer=attn_layer`)."""
    bound: dict[str, str] = {}
    for name, binding in _by_parameter(params, bindings):
        if binding.rate.param is not None and binding.rate.param in env:
            bound[name] = env[binding.rate.param]
        elif binding.block is not None:
            bound[name] = binding.block
    return bound


def rebind_graph(graph: Graph, env: dict[str, Rate]) -> Graph:
    """`graph` with its parameter rates bound by `env`. A parameter left unbound keeps
    its default and forgets its name: it is no longer a parameter of the new class."""

    def rate(value: Rate | None) -> Rate | None:
        if value is None or value.param is None:
            return value
        return env[value.param] if value.param in env else replace(value, param=None)

    layers = []
    for layer in graph.layers:
        bindings = tuple(replace(b, rate=rate(b.rate)) for b in layer.bindings)
        layers.append(replace(layer, rate=rate(layer.rate), bindings=bindings))
    return replace(graph, layers=tuple(layers))


def _by_parameter(params: tuple[str, ...], bindings: tuple[Binding, ...]):
    """Each binding with the parameter it sets: by keyword, else by position."""
    for binding in bindings:
        name = binding.name
        if name is None and 0 <= binding.index < len(params):
            name = params[binding.index]
        if name is not None:
            yield name, binding
