"""Linking: inlining blocks (also across files), binding rates, config defaults, roots."""

from __future__ import annotations

from graphs import GraphBuilder, bind, config, literal, param

from droplint.analysis.link import link
from droplint.ir import ConfigClass, FileSummary


def _summary(path, module, *classes, configs=(), extras=()):
    return FileSummary(path, module, tuple(classes), tuple(configs), extras=tuple(extras))


def _block(path="pkg/blocks.py"):
    # Block(dim, drop=0.3): fc -> dropout(drop) -> fc
    g = GraphBuilder(path)
    out = g.chain("weighted", "activation")
    out = g.add("dropout", out, rate=param("drop", 0.3))
    out = g.add("weighted", out)
    return g.summary("pkg.blocks.Block", [out], params=("dim", "drop"))


def _net(*bindings, path="pkg/net.py"):
    g = GraphBuilder(path)
    x = g.add("input")
    h = g.add("submodule", x, op="pkg.blocks.Block", bindings=bindings)
    h = g.add("submodule", h, op="pkg.blocks.Block", bindings=bindings)
    out = g.add("weighted", h)
    return g.summary("pkg.net.Net", [out])


def _models(*summaries):
    return {m.key: m for m in link(list(summaries))}


def test_block_in_another_file_is_inlined_with_fresh_ids_and_its_own_path():
    models = _models(_summary("pkg/net.py", "pkg.net", _net()), _summary("pkg/blocks.py", "pkg.blocks", _block()))
    net = models["pkg.net.Net"]
    assert net.root and not models["pkg.blocks.Block"].root
    kinds = [p.layer.kind for p in net.layers]
    assert kinds == ["weighted", "activation", "dropout", "weighted"] * 2 + ["weighted"]
    ids = [p.layer.id for p in net.layers]
    assert len(set(ids)) == len(ids)
    assert [p.layer.path for p in net.layers][:4] == ["pkg/blocks.py"] * 4
    assert net.layers[-1].layer.path == "pkg/net.py"
    # Data flow survives inlining: the second block's first layer reads the first block's last.
    assert net.layers[4].layer.inputs == (net.layers[3].layer.id,)
    assert net.outputs == (net.layers[-1].layer.id,)


def test_dropouts_are_placed_on_roots_only():
    models = _models(_summary("pkg/net.py", "pkg.net", _net()), _summary("pkg/blocks.py", "pkg.blocks", _block()))
    placed = [(p.position, round(p.depth, 2)) for p in models["pkg.net.Net"].layers if p.layer.kind == "dropout"]
    assert placed == [("hidden", 0.2), ("hidden", 0.6)]
    assert all(p.position is None for p in models["pkg.blocks.Block"].layers)


def test_parameter_default_is_kept_without_a_binding():
    net = _models(_summary("a.py", "a", _net(), _block("a.py")))["pkg.net.Net"]
    rates = [p.layer.rate for p in net.layers if p.layer.kind == "dropout"]
    assert [(r.value, r.source) for r in rates] == [(0.3, "default")] * 2


def test_keyword_and_positional_bindings_override_the_default():
    for binding in (bind("drop", literal(0.1)), bind(None, literal(0.1), index=1)):
        net = _models(_summary("a.py", "a", _net(binding), _block("a.py")))["pkg.net.Net"]
        rates = [p.layer.rate for p in net.layers if p.layer.kind == "dropout"]
        assert [(r.value, r.source) for r in rates] == [(0.1, "literal")] * 2


def test_config_attribute_resolves_from_the_config_class_of_the_folder():
    g = GraphBuilder("m/model.py")
    out = g.chain("weighted")
    out = g.add("dropout", out, rate=config("hidden_dropout_prob"))
    out = g.add("weighted", out)
    model = g.summary("m.model.Net", [out])
    here = ConfigClass("m.cfg.NetConfig", "NetConfig", "m/cfg.py", (("hidden_dropout_prob", 0.2),))
    elsewhere = ConfigClass("o.cfg.OtherConfig", "OtherConfig", "o/cfg.py", (("hidden_dropout_prob", 0.4),))
    net = _models(
        _summary("m/model.py", "m.model", model),
        _summary("m/cfg.py", "m.cfg", configs=[here]),
        _summary("o/cfg.py", "o.cfg", configs=[elsewhere]),
    )["m.model.Net"]
    (rate,) = [p.layer.rate for p in net.layers if p.layer.kind == "dropout"]
    assert (rate.value, rate.source, rate.text) == (0.2, "config", "config.hidden_dropout_prob")


def test_conflicting_configs_elsewhere_leave_the_rate_unknown():
    g = GraphBuilder("m/model.py")
    out = g.add("dropout", g.add("input"), rate=config("p"))
    model = g.summary("m.model.Net", [out])
    configs = [ConfigClass(f"{n}.C", "C", f"{n}/c.py", (("p", v),)) for n, v in (("x", 0.1), ("y", 0.2))]
    net = _models(_summary("m/model.py", "m.model", model), *(_summary(c.path, c.key, configs=[c]) for c in configs))
    (rate,) = [p.layer.rate for p in net["m.model.Net"].layers]
    assert (rate.value, rate.source) == (None, "null")


def test_unknown_submodule_stays_as_an_opaque_step():
    g = GraphBuilder()
    out = g.chain("weighted", "dropout")
    out = g.add("submodule", out, op="lib.Head")
    model = g.summary("net.Net", [out])
    (net,) = link([_summary("net.py", "net", model)])
    assert [p.layer.kind for p in net.layers] == ["weighted", "dropout", "other"]
    assert net.layers[-1].layer.opaque == "module"
    # Unknown is not empty: the Head holds one weighted layer or more, so the dropout is
    # final-hidden or hidden, and which one it is stays unknown.
    assert [p.position for p in net.layers if p.layer.kind == "dropout"] == ["unknown"]


def test_self_referencing_class_does_not_recurse_forever():
    g = GraphBuilder()
    out = g.add("submodule", g.chain("weighted"), op="net.Net")
    (net,) = link([_summary("net.py", "net", g.summary("net.Net", [out]))])
    assert [p.layer.kind for p in net.layers] == ["weighted", "other"]


def test_repeat_of_a_loop_over_blocks_marks_inlined_layers():
    g = GraphBuilder("a.py")
    out = g.add("submodule", g.add("input"), op="pkg.blocks.Block", repeat=True)
    net = _models(_summary("a.py", "a", g.summary("a.Net", [out]), _block("a.py")))["a.Net"]
    assert all(p.layer.repeat for p in net.layers)


def test_argparse_defaults_of_another_file_reach_a_finding_through_the_link():
    # The frontends' parts are merged field by field (frontends.summarize.merge): the
    # argparse defaults a file declares (`FileSummary.extras`) reach the linker, which
    # reads `args.dropout` in the model's file from them.
    from droplint.testing import lint_snippet

    model = (
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self, args):\n        super().__init__()\n"
        "        self.fc = nn.Linear(8, 8)\n        self.drop = nn.Dropout(args.dropout)\n        self.out = nn.Linear(8, 2)\n"
        "    def forward(self, x):\n        return self.out(self.drop(self.fc(x)))\n"
    )
    train = "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--dropout', type=float, default=0.9)\n"
    result = lint_snippet(model, files=[("train.py", train)])
    (drop,) = [p.layer for m in result.models for p in m.layers if p.layer.kind == "dropout"]
    assert (drop.rate.value, drop.rate.source) == (0.9, "default")
    assert [(d.code, d.path) for d in result.diagnostics] == [("DL103", "example.py")]


def test_a_block_binds_each_argument_of_its_call_to_its_own_parameter():
    # Block(a, b): a -> fc -> dropout -> out, b unused; the call passes b by keyword the
    # output of two weighted layers and a the raw input.
    g = GraphBuilder("pkg/blocks.py")
    a = g.add("input", name="a")
    g.add("input", name="b")
    out = g.add("weighted", g.add("dropout", g.add("weighted", a), rate=literal(0.1)))
    block = g.summary("pkg.blocks.Block", [out])
    n = GraphBuilder("pkg/net.py")
    x = n.add("input")
    deep = n.add("weighted", n.add("weighted", x))
    call = n.add("submodule", x, deep, op="pkg.blocks.Block", arguments=(("b", (deep,)), ("0", (x,))))
    net = n.summary("pkg.net.Net", [call])
    placed = _models(_summary("pkg/net.py", "pkg.net", net), _summary("pkg/blocks.py", "pkg.blocks", block))
    drop = next(p for p in placed["pkg.net.Net"].layers if p.layer.kind == "dropout")
    assert (drop.position, drop.depth) == ("final-hidden", 0.5)


def test_names_already_project_wide_are_not_copied(tmp_path):
    # qualify copies only what it renames: a summary under the project root whose names
    # are all project-wide comes back as the very same object (linking a large project
    # copied every class and layer of every file).
    from droplint.analysis.namespace import qualify

    blocks, net = _block(), _net()
    project = str(tmp_path)
    summaries = [_summary(f"{project}/pkg/blocks.py", "pkg.blocks", blocks), _summary(f"{project}/pkg/net.py", "pkg.net", net)]
    qualified = qualify(summaries, project)
    assert [a is b for a, b in zip(qualified, summaries)] == [True, True]
    elsewhere = qualify(summaries, str(tmp_path / "other"))  # another root: every key gets `@<root>`
    assert all(a is not b for a, b in zip(elsewhere, summaries))
    assert elsewhere[1].classes[0].key.startswith("pkg.net.Net@")


def test_the_model_rules_share_one_view_of_a_model():
    # Each model rule asks for the view of the model in turn: it is built once.
    from droplint.model_view import View

    models = link([_summary("pkg/blocks.py", "pkg.blocks", _block()), _summary("pkg/net.py", "pkg.net", _net())])
    net, block = (next(m for m in models if m.key == key) for key in ("pkg.net.Net", "pkg.blocks.Block"))
    view = View.of(net)
    assert View.of(net) is view
    assert View.of(block).model is block
    again = View.of(net)
    assert again.model is net and again.by_id == view.by_id and again.consumers == view.consumers
