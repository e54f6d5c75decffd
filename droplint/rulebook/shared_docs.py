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
# The fix of the rules that hold a rate to its band (DL101, DL103).
BAND_FIX_SAFETY = (
    "Unsafe: sets the rate to the band's upper bound where it is written as a\n"
    "literal, which changes training. Not offered when the rate is a name, a\n"
    "default, a config value, or a literal shared with other dropouts."
)
