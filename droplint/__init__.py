"""droplint: a static linter for dropout in neural-network model definitions."""

__version__ = "0.1.0"
