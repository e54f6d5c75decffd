"""What the fuzzer checks, and the inputs it draws: shared by tests/test_fuzz.py (small,
deterministic, in CI) and scripts/fuzz.py (long runs).

For any source text, `droplint check`, `droplint profile` (every format) and
`droplint check --fix --unsafe-fixes` must not raise and must not report an internal
error; every fixed file must parse; and fixing a second time must change nothing.
Inputs: valid Python from hypothesmith's grammar, and every fixture under fixtures/
mutated line by line and token by token (most mutants no longer parse; they must still
be reported cleanly).
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import hypothesmith
from click.testing import CliRunner
from hypothesis import strategies as st

from droplint.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_TEXTS = sorted(
    (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    for path in (ROOT / "fixtures").rglob("*.py")
)

# Values a rate or a size may be mutated into: the edges where parsing a number is hard.
NUMBERS = ("0", "1", "0.5", "-0.1", "2", "256", "1e400", "-1e400", "1" * 401, "0." + "1" * 400,
           "float('nan')", "float('inf')", "True", "None", "0x10", "1_0.5", "10**400", "1j")
# Statements a mutation may insert: dropout in every spelling droplint reads.
SNIPPETS = (
    "x = F.dropout(x, p=0.5)", "x = self.drop(x)", "self.drop = nn.Dropout(0.7)",
    "mask = torch.rand(x.shape) > p", "x = x * mask / (1 - p)", "x = x * mask",
    "return self.fc(x)", "x = tf.nn.dropout(x, 0.5)", "layers.Dropout(0.9)(x)",
    "keep_prob = 0.8", "model.add(Dropout(rate))", "if self.training:", "pass",
    "class Net(nn.Module):", "def forward(self, x):", "self.layers = nn.ModuleList([Block() for _ in range(3)])",
)


class Failure(AssertionError):
    """A property droplint broke on one input."""


def check_source(code: str) -> None:
    """Every property for one source text; raises Failure (with the reason) if one breaks."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "example.py"
        path.write_text(code, encoding="utf-8", errors="surrogatepass")
        # A cache of the example's own: `check` analyses the text, the profiles and the
        # fix passes read its result back (the cache's round trip is fuzzed too), and
        # only a fixed text is analysed again. Half the processor time per example.
        cache = ["--cache-dir", str(Path(folder) / "cache")]
        args = [*cache, "--select", "ALL", str(path)]
        _expect(runner, ["check", *args], "check")
        for output_format in ("text", "json", "html"):
            _expect(runner, ["profile", *cache, "--format", output_format, str(path)], f"profile {output_format}")
        _expect(runner, ["check", "--fix", "--unsafe-fixes", *args], "fix")
        fixed = path.read_bytes()
        if fixed != code.encode("utf-8", "surrogatepass"):
            try:
                ast.parse(fixed)
            except (SyntaxError, ValueError) as exc:
                raise Failure(f"fixed output does not parse: {exc}") from None
        _expect(runner, ["check", "--fix", "--unsafe-fixes", *args], "second fix")
        if path.read_bytes() != fixed:
            raise Failure("fixing twice differs from fixing once")


def _expect(runner: CliRunner, args: list[str], what: str) -> None:
    result = runner.invoke(main, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise Failure(f"{what} raised {type(result.exception).__name__}: {result.exception}") from result.exception
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exit_code == 2 or "internal error" in output:
        raise Failure(f"{what} exited {result.exit_code}: {output[-2000:]}")


def valid_python():
    """Syntactically valid modules from Python's grammar."""
    return hypothesmith.from_grammar()


@st.composite
def mutated_fixture(draw):
    """A fixture with a few line or token edits."""
    _, text = draw(st.sampled_from(FIXTURE_TEXTS))
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(_edit(lines))
    return "\n".join(lines) + "\n"


@st.composite
def _edit(draw, lines: list[str]):
    if not lines:
        return [draw(st.sampled_from(SNIPPETS))]
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(("delete", "duplicate", "swap", "number", "insert", "indent", "splice", "truncate")))
    lines = list(lines)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "number":
        tokens = lines[i].split("0.", 1)
        number = draw(st.sampled_from(NUMBERS))
        lines[i] = (tokens[0] + number + tokens[1][1:]) if len(tokens) == 2 and tokens[1] else lines[i] + " " + number
    elif kind == "insert":
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines.insert(i, indent + draw(st.sampled_from(SNIPPETS)))
    elif kind == "indent":
        lines[i] = draw(st.sampled_from(("", "    ", "\t", "        "))) + lines[i].lstrip()
    elif kind == "splice":
        at = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + draw(st.text(alphabet="()[]{}:,.=+-*/\\'\"#@ \t\nx0", max_size=4)) + lines[i][at:]
    else:
        lines = lines[: i + 1]
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    return lines

