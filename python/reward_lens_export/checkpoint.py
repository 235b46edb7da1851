"""Read a Hugging Face checkpoint folder and build the PyTorch module that gets exported.

Custom heads are rebuilt from the checkpoint's own weights, without remote code:

* Qwen2.5-Math-PRM (``Qwen2ForProcessRewardModel``): ``model.*`` is a Qwen2 backbone and
  ``score = Sequential(Linear(h, h), ReLU, Linear(h, 2))`` is applied to every token
  (keys ``score.0.weight|bias``, ``score.2.weight|bias``; vLLM ``qwen2_rm.py`` names them the same).
* Skywork-o1-Open-PRM (``Qwen2ForPrmModel``): a Qwen2 causal LM plus a TRL-style value head,
  ``v_head.summary = Linear(h, 1)`` on the last hidden state (keys ``v_head.summary.weight|bias``;
  SkyworkAI/skywork-o1-prm-inference ``model_utils/prm_model.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .errors import ExportError
from .presets import PRESETS, Preset, describe_presets, presets_for

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
OPTIONAL_FILES = ("chat_template.jinja", "generation_config.json", "special_tokens_map.json")


@dataclass
class Checkpoint:
    path: Path
    config: dict[str, Any]
    architecture: str
    preset: Preset


def inspect_checkpoint(hf_dir: Path, preset_name: str) -> Checkpoint:
    """Validate the folder and the preset/architecture pairing before any heavy work."""
    if not hf_dir.is_dir():
        raise ExportError(f"{hf_dir}: no such folder. Pass the Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer.json).")
    config_path = hf_dir / "config.json"
    if not config_path.is_file():
        raise ExportError(f"{config_path}: not found. HF_DIR must be a Hugging Face checkpoint folder with config.json next to the weights.")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ExportError(f"{config_path}: not valid JSON ({e}).") from e
    archs = config.get("architectures") or []
    if not archs:
        raise ExportError(f"{config_path}: has no \"architectures\" entry; add the model class name, e.g. [\"Qwen2ForCausalLM\"].")
    architecture = archs[0]
    fitting = presets_for(architecture)
    if not fitting:
        raise ExportError(
            f"{config_path}: architecture {architecture!r} is not covered by any preset. Presets and the architectures they take:\n"
            + describe_presets()
        )
    if preset_name not in PRESETS:
        raise ExportError(f"unknown preset {preset_name!r}. Presets:\n" + describe_presets())
    preset = PRESETS[preset_name]
    if not preset.fits(architecture):
        raise ExportError(
            f"preset {preset_name!r} expects {preset.architectures}, but {config_path} says {architecture!r}. "
            f"Presets that fit {architecture}: {', '.join(fitting)}."
        )
    for name in TOKENIZER_FILES:
        if not (hf_dir / name).is_file():
            raise ExportError(
                f"{hf_dir / name}: not found. Reward Lens tokenizes with the checkpoint's own tokenizer; copy {name} from the model's repository into {hf_dir}."
            )
    if preset.head == "seq-cls" and config.get("pad_token_id") is None:
        raise ExportError(
            f"{config_path}: pad_token_id is missing. Sequence classifiers pool the last non-pad token and the engine right-pads with it; "
            "set \"pad_token_id\" (e.g. the tokenizer's pad token id) in config.json."
        )
    return Checkpoint(hf_dir, config, architecture, preset)


def _weight_files(hf_dir: Path) -> list[Path]:
    index = hf_dir / "model.safetensors.index.json"
    if index.is_file():
        names = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        return [hf_dir / n for n in names]
    files = sorted(hf_dir.glob("*.safetensors"))
    if files:
        return files
    files = sorted(hf_dir.glob("pytorch_model*.bin"))
    if files:
        return files
    raise ExportError(f"{hf_dir}: no *.safetensors (or pytorch_model*.bin) weights found.")


def tensor_shapes(hf_dir: Path) -> dict[str, tuple[int, ...]]:
    """Key -> shape, read from the safetensors headers without loading the tensors."""
    from safetensors import safe_open

    shapes: dict[str, tuple[int, ...]] = {}
    for f in _weight_files(hf_dir):
        if f.suffix == ".bin":
            for k, v in torch.load(f, map_location="cpu", weights_only=True).items():
                shapes[k] = tuple(v.shape)
            continue
        with safe_open(str(f), framework="pt") as st:
            for k in st.keys():
                shapes[k] = tuple(st.get_slice(k).get_shape())
    return shapes


def load_state_dict(hf_dir: Path, prefix: str) -> dict[str, torch.Tensor]:
    """All tensors whose key starts with ``prefix``, with the prefix removed, as float32."""
    from safetensors import safe_open

    out: dict[str, torch.Tensor] = {}
    for f in _weight_files(hf_dir):
        if f.suffix == ".bin":
            for k, v in torch.load(f, map_location="cpu", weights_only=True).items():
                if k.startswith(prefix):
                    out[k[len(prefix):]] = v.float()
            continue
        with safe_open(str(f), framework="pt") as st:
            for k in st.keys():
                if k.startswith(prefix):
                    out[k[len(prefix):]] = st.get_tensor(k).float()
    return out


def _expect_shapes(ckpt: Checkpoint, expected: dict[str, tuple[int, ...]], fix: str) -> None:
    shapes = tensor_shapes(ckpt.path)
    for key, shape in expected.items():
        got = shapes.get(key)
        if got is None:
            raise ExportError(f"{ckpt.path}: weight {key!r} is missing (expected shape {list(shape)}). {fix}")
        if got != shape:
            raise ExportError(f"{ckpt.path}: weight {key!r} has shape {list(got)}, expected {list(shape)}. {fix}")


def _hf_config(config: dict[str, Any]):
    from transformers import CONFIG_MAPPING

    d = {k: v for k, v in config.items() if k != "auto_map"}
    cfg = CONFIG_MAPPING[d.pop("model_type")].from_dict(d)
    cfg._attn_implementation = "sdpa"
    return cfg


def _backbone(ckpt: Checkpoint) -> nn.Module:
    from transformers import AutoModel

    cfg = _hf_config(ckpt.config)
    backbone = AutoModel.from_config(cfg, dtype=torch.float32)
    state = load_state_dict(ckpt.path, "model.")
    missing, unexpected = backbone.load_state_dict(state, strict=False)
    missing = [k for k in missing if "rotary_emb" not in k]
    if missing or unexpected:
        raise ExportError(
            f"{ckpt.path}: backbone weights under 'model.' do not match {type(backbone).__name__}: "
            f"missing {missing[:5]}, unexpected {unexpected[:5]}."
        )
    return backbone.eval()


def positions(input_ids: torch.Tensor) -> torch.Tensor:
    """``position_ids`` as transformers defaults them (0..S-1 for every row), written out as [B, S]: traced from
    transformers' default they are [1, S], which onnxruntime's fused RotaryEmbedding rejects for batches."""
    return torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0).expand(input_ids.shape[0], -1)


class ProcessRewardMlp(nn.Module):
    """Qwen2ForProcessRewardModel: backbone + ``score`` MLP on every token -> [B, S, num_labels]."""

    def __init__(self, backbone: nn.Module, score: nn.Sequential):
        super().__init__()
        self.model = backbone
        self.score = score

    def forward(self, input_ids, attention_mask):
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=positions(input_ids), use_cache=False).last_hidden_state
        return self.score(hidden)


class ValueHead(nn.Module):
    """Qwen2ForPrmModel: backbone + ``v_head.summary`` -> raw value per token, [B, S]."""

    def __init__(self, backbone: nn.Module, summary: nn.Linear):
        super().__init__()
        self.model = backbone
        self.summary = summary

    def forward(self, input_ids, attention_mask):
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=positions(input_ids), use_cache=False).last_hidden_state
        return self.summary(hidden).squeeze(-1)


class LogitsOnly(nn.Module):
    """A stock transformers model, reduced to ``(input_ids, attention_mask) -> logits``."""

    def __init__(self, model: nn.Module, use_cache_kw: bool):
        super().__init__()
        self.m = model
        self.use_cache_kw = use_cache_kw

    def forward(self, input_ids, attention_mask):
        pos = positions(input_ids)
        if self.use_cache_kw:
            return self.m(input_ids=input_ids, attention_mask=attention_mask, position_ids=pos, use_cache=False).logits
        return self.m(input_ids=input_ids, attention_mask=attention_mask, position_ids=pos).logits


class DecoderWithPast(nn.Module):
    """Causal LM with an explicit KV cache: ``(ids, mask, pos, *past) -> (logits, *present)``."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.m = model
        self.num_layers = model.config.num_hidden_layers

    def forward(self, input_ids, attention_mask, position_ids, *past):
        from transformers import DynamicCache

        cache = DynamicCache(config=self.m.config)
        for i in range(self.num_layers):
            cache.update(past[2 * i], past[2 * i + 1], i)
        out = self.m(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
        )
        present = [t for layer in out.past_key_values.layers for t in (layer.keys, layer.values)]
        return (out.logits, *present)


def kv_geometry(config: dict[str, Any]) -> tuple[int, int, int]:
    """(layers, kv_heads, head_dim) of a decoder config."""
    layers = config["num_hidden_layers"]
    heads = config["num_attention_heads"]
    kv = config.get("num_key_value_heads") or heads
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    return layers, kv, head_dim


def build_module(ckpt: Checkpoint) -> nn.Module:
    """The eval-mode float32 module whose forward is exported."""
    head = ckpt.preset.head
    hidden = ckpt.config.get("hidden_size")
    if head == "prm-mlp":
        labels = 2
        _expect_shapes(
            ckpt,
            {
                "score.0.weight": (hidden, hidden),
                "score.0.bias": (hidden,),
                "score.2.weight": (labels, hidden),
                "score.2.bias": (labels,),
            },
            "Qwen2ForProcessRewardModel's head is score = Sequential(Linear(hidden, hidden), ReLU, Linear(hidden, 2)); "
            "check that this is a Qwen2.5-Math-PRM checkpoint and that all weight shards are present.",
        )
        score = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, labels))
        score.load_state_dict(load_state_dict(ckpt.path, "score."))
        return ProcessRewardMlp(_backbone(ckpt), score).eval()
    if head == "value-head":
        _expect_shapes(
            ckpt,
            {"v_head.summary.weight": (1, hidden), "v_head.summary.bias": (1,)},
            "Qwen2ForPrmModel's head is v_head.summary = Linear(hidden, 1); check that this is a Skywork-o1-Open-PRM checkpoint.",
        )
        summary = nn.Linear(hidden, 1)
        summary.load_state_dict(load_state_dict(ckpt.path, "v_head.summary."))
        return ValueHead(_backbone(ckpt), summary).eval()

    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoModelForTokenClassification

    auto = {
        "token-cls": AutoModelForTokenClassification,
        "seq-cls": AutoModelForSequenceClassification,
        "causal-lm": AutoModelForCausalLM,
        "generator": AutoModelForCausalLM,
    }[head]
    if head in ("token-cls", "seq-cls") and "score.weight" in tensor_shapes(ckpt.path):
        labels = len(ckpt.config.get("id2label") or {}) or ckpt.config.get("num_labels") or 2
        _expect_shapes(
            ckpt,
            {"score.weight": (labels, hidden)},
            f"{ckpt.architecture} has score = Linear(hidden, num_labels={labels}); make config.json's id2label/num_labels match the checkpoint.",
        )
    try:
        model = auto.from_pretrained(str(ckpt.path), dtype=torch.float32, attn_implementation="sdpa")
    except (ValueError, RuntimeError, OSError) as e:
        raise ExportError(f"{ckpt.path}: transformers could not load it as {auto.__name__} ({e}).") from e
    model.eval()
    if head == "generator":
        return DecoderWithPast(model).eval()
    return LogitsOnly(model, use_cache_kw=head == "causal-lm").eval()
