"""The rules, and nothing else: one module per rule, each with its docs and examples.

What a rule is lives in `droplint.rulebook`; what rules share lives outside this package
(`droplint.facts`, `droplint.model_view`, `droplint.edits`), so no rule imports another.
"""
