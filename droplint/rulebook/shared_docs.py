"""Documentation text that more than one rule cites."""

from __future__ import annotations

# The reference for the rate bands, cited in the docs of the rules that judge them.
SRIVASTAVA_2014 = (
    "Srivastava et al. 2014, Dropout: A Simple Way to Prevent Neural Networks from Overfitting, "
    "JMLR 15 (https://jmlr.org/papers/v15/srivastava14a.html)."
)
BANDS_OPTION = (
    "`bands` in `[tool.droplint]`: `input`, `hidden`, `final-hidden`, each `[low, high]` "
    "(defaults [0.1, 0.3], [0.3, 0.5], [0.5, 0.7])."
)
