"""Which TensorFlow version a call means: the one reading of `tf.nn.dropout(x, 0.9)`.

`tf.nn.dropout`'s second positional parameter is `keep_prob` in TensorFlow 1 and `rate`
in TensorFlow 2, so the version decides what a number means. The rules (DL202, DL203,
DL305) and the Keras frontend (the rate it records) all ask here.

The call's own name decides first (`tf.compat.v1.*` is TF1 whatever is installed,
`tf.compat.v2.*` TF2); then the `tf-version` setting; then what the file shows of the
installed version: Keras 3 (and Keras 2.13+, `keras.src`) needs TensorFlow 2, and
TF1-only APIs called outside `compat.v1` (`tf.placeholder`, `tf.Session`,
`tf.contrib`) need TensorFlow 1. Anything else is unknown: a file that imports
`tensorflow.compat.v1` beside plain `tensorflow` may run on TF 1.15 or on TF 2.
"""

from __future__ import annotations

# Modules that exist only with TensorFlow 2 installed.
TF2_ONLY_PREFIXES = ("keras.src.", "keras.ops.", "keras.random.", "keras.src", "keras.ops", "keras.random")
# Top-level TensorFlow 1 APIs that TensorFlow 2 removed (kept under compat.v1 only).
TF1_ONLY_PREFIXES = (
    "tensorflow.placeholder", "tensorflow.Session", "tensorflow.contrib.", "tensorflow.get_variable",
    "tensorflow.variable_scope", "tensorflow.global_variables_initializer", "tensorflow.train.Saver",
)


def tf_version(ctx, qualname: str | None = None) -> int | None:
    """The TensorFlow major version a call means: 1, 2, or None when nothing says."""
    if qualname and qualname.startswith("tensorflow.compat.v1."):
        return 1
    if qualname and qualname.startswith("tensorflow.compat.v2."):
        return 2
    configured = getattr(getattr(ctx, "settings", None), "tf_version", None)
    if configured in (1, 2):
        return configured
    return installed_version(ctx)


def installed_version(ctx) -> int | None:
    """The version the file's own imports and calls require, once per file."""
    shared = getattr(ctx, "shared", None)
    if shared is not None and "tf.installed" in shared:
        return shared["tf.installed"]
    names = set(ctx.imports.names.values())
    names.update(site.qualname for site in ctx.calls if site.qualname)
    version = None
    if any(name.startswith(TF2_ONLY_PREFIXES) for name in names):
        version = 2
    elif any(name.startswith(TF1_ONLY_PREFIXES) for name in names):
        version = 1
    if shared is not None:
        shared["tf.installed"] = version
    return version
