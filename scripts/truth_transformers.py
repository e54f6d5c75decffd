"""The transformers models scripts/truth_torch.py runs: every classification head it can build small.

Every `*ForSequenceClassification`, `*ForImageClassification` and `*ForAudioClassification`
class exported by transformers, built from its own config class with the defaults shrunk
(few layers, narrow widths) so that it runs on a CPU in a second. Dropout rates are left
at the config's defaults: those are what droplint resolves statically. Attention runs the
"eager" implementation: the dispatch to other kernels is a runtime setting that a
static reader cannot see, and eager is the code each modeling file writes out.
"""

from __future__ import annotations

import inspect

import torch
import transformers

PACKAGE = transformers
HEADS = ("ForSequenceClassification", "ForImageClassification", "ForAudioClassification")

# Config fields that set a model's size, and the small value each is shrunk to.
LAYERS = ("num_hidden_layers", "num_layers", "n_layer", "n_layers", "encoder_layers", "decoder_layers",
          "num_encoder_layers", "num_decoder_layers", "num_text_layers", "num_vision_layers")
WIDTHS = ("hidden_size", "d_model", "n_embd", "embed_dim", "dim", "hidden_dim", "word_embed_proj_dim")
HEAD_COUNTS = ("num_attention_heads", "n_head", "n_heads", "encoder_attention_heads",
               "decoder_attention_heads", "num_heads")
FEED_FORWARD = ("intermediate_size", "ffn_dim", "encoder_ffn_dim", "decoder_ffn_dim", "n_inner",
                "moe_intermediate_size", "shared_expert_intermediate_size")
SMALL = {**dict.fromkeys(LAYERS, 2), **dict.fromkeys(WIDTHS, 64), **dict.fromkeys(HEAD_COUNTS, 4),
         **dict.fromkeys(FEED_FORWARD, 128), "head_dim": 16, "num_experts": 4, "num_local_experts": 4,
         "n_routed_experts": 4}


def models():
    for name in sorted(dir(transformers)):
        if name.endswith(HEADS) and not name.startswith(("TF", "Flax", "Auto")):
            yield name, lambda name=name: build(name)


def build(name: str):
    """The model on its inputs: narrow and shallow if it allows that, else only shallow."""
    cls = getattr(transformers, name)
    failure = None
    for narrow in (True, False):
        config = cls.config_class()
        _shrink(config, narrow)
        config.num_labels = 3
        config._attn_implementation = "eager"
        torch.manual_seed(0)
        try:
            model = cls(config)
            inputs = _inputs(model, config)
            with torch.no_grad():
                model.train()(**inputs)  # a trial run: does this size work at all?
            return model, inputs, inspect.getsourcefile(cls)
        except Exception as exc:
            failure = exc
    raise failure


def _shrink(config, narrow: bool, seen=None) -> None:
    """Shrink a config and every sub-config it holds (text_config, vision_config, ...):
    fewer layers, and narrower ones when `narrow` (some architectures tie widths together
    in ways a generic shrink cannot follow)."""
    seen = seen if seen is not None else set()
    if id(config) in seen:
        return
    seen.add(id(config))
    heads = getattr(config, "num_attention_heads", None)
    key_value_heads = getattr(config, "num_key_value_heads", None)
    for field, small in SMALL.items():
        value = getattr(config, field, None)
        if not narrow and field not in LAYERS:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value > small:
            setattr(config, field, small)
    if narrow and isinstance(key_value_heads, int) and key_value_heads > 0:
        config.num_key_value_heads = 4 if key_value_heads == heads else min(key_value_heads, 2)
    depths = getattr(config, "depths", None)
    if isinstance(depths, (list, tuple)) and all(isinstance(d, int) for d in depths):
        config.depths = [1] * len(depths)
    for value in list(vars(config).values()):
        if isinstance(value, transformers.PretrainedConfig):
            _shrink(value, narrow, seen)


def _inputs(model, config) -> dict:
    main = getattr(model, "main_input_name", "input_ids")
    if main == "input_ids":
        vocab = getattr(config, "vocab_size", None) or getattr(getattr(config, "text_config", None), "vocab_size", 100)
        ids = torch.randint(3, min(int(vocab), 100), (1, 8))
        eos = getattr(config, "eos_token_id", None)
        if isinstance(eos, int) and 0 <= eos < int(vocab):
            ids[0, -1] = eos  # encoder-decoder heads classify at the end-of-sequence token
        return {"input_ids": ids}
    if main == "pixel_values":
        vision = getattr(config, "vision_config", None) or config
        size = getattr(vision, "image_size", 224)
        size = size if isinstance(size, int) else (size.get("height", 224) if isinstance(size, dict) else size[0])
        channels = getattr(vision, "num_channels", 3)
        return {"pixel_values": torch.randn(2, channels, size, size)}  # batch norm trains on > 1
    if main == "input_values" and getattr(config, "num_mel_bins", None) and getattr(config, "max_length", None):
        return {"input_values": torch.randn(1, config.max_length, config.num_mel_bins)}  # a spectrogram
    if main == "input_values":
        return {"input_values": torch.randn(2, 16000)}
    if main == "input_features":
        bins = getattr(config, "num_mel_bins", None) or getattr(config, "feature_size", 80)
        frames = 2 * getattr(config, "max_source_positions", 1500)
        return {"input_features": torch.randn(1, bins, frames)}
    raise ValueError(f"no input recipe for main input {main!r}")
