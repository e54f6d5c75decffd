"""The rule catalogue: one module per rule, each with its docs and examples."""
