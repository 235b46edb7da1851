"""Independent PyTorch reference scores, written from each model card's own usage code.

Nothing here imports the exporter (except ``verify.dequantized`` for ``weights_from``): the tokenizer is transformers' AutoTokenizer on the
checkpoint folder, the model is an eager PyTorch forward of the checkpoint. Custom heads
(Qwen2.5-Math-PRM's ``score`` MLP, Skywork-o1's ``v_head``) are re-declared here the way the
model repositories declare them.

A request is ``{"prompt": str, "messages": [...] | null, "steps": [str], "response": str | null}``.
Output per request: ``{"ids": [...], "step_scores": [...]}`` (PRMs) or
``{"ids": [...], "sequence_score": x}`` (ORMs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

QWEN_PRM_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."
PRM_PRESETS = ("qwen2.5-math-prm", "math-shepherd", "rlhflow-prm", "skywork-o1-prm", "trl-prm")
ORM_PRESETS = ("skywork-reward-v2", "seq-cls")
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass
class Forward:
    """One forward pass and how to read scores from its logits (a [S, ...] tensor of one row).
    ``positions``: the token positions ``read`` looks at (the last one for pooled sequence classifiers)."""

    ids: list[int]
    read: Callable[[torch.Tensor], list[float]]
    positions: list[int] = field(default_factory=list)


def _safetensors(hf_dir: Path, prefix: str) -> dict[str, torch.Tensor]:
    from safetensors import safe_open

    out = {}
    for f in sorted(hf_dir.glob("*.safetensors")):
        with safe_open(str(f), framework="pt") as st:
            for k in st.keys():
                if k.startswith(prefix):
                    out[k[len(prefix):]] = st.get_tensor(k)
    return out


class QwenProcessRewardModel(nn.Module):
    """As modeling_qwen2_rm.Qwen2ForProcessRewardModel: Qwen2Model + score MLP, logits [B, S, 2]."""

    def __init__(self, hf_dir: Path, dtype):
        super().__init__()
        from transformers import Qwen2Model

        self.model = Qwen2Model.from_pretrained(str(hf_dir), dtype=dtype)
        h = self.model.config.hidden_size
        self.score = nn.Sequential(nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2)).to(dtype)
        self.score.load_state_dict(_safetensors(hf_dir, "score."))

    def forward(self, input_ids, attention_mask=None):
        return self.score(self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state)


class SkyworkPrm(nn.Module):
    """As skywork-o1-prm-inference PRM_MODEL: causal LM, v_head on hidden_states[-1], value squeezed."""

    def __init__(self, hf_dir: Path, dtype):
        super().__init__()
        from transformers import Qwen2ForCausalLM

        self.pretrained_model = Qwen2ForCausalLM.from_pretrained(str(hf_dir), dtype=dtype)
        h = self.pretrained_model.config.hidden_size
        self.v_head = nn.Module()
        self.v_head.summary = nn.Linear(h, 1).to(dtype)
        self.v_head.summary.load_state_dict(_safetensors(hf_dir, "v_head.summary."))

    def forward(self, input_ids, attention_mask=None):
        out = self.pretrained_model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return self.v_head.summary(out.hidden_states[-1]).squeeze(-1)


def load_model(hf_dir: Path, preset: str, dtype: str = "fp32") -> nn.Module:
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoModelForTokenClassification

    dt = DTYPES[dtype]
    if preset == "qwen2.5-math-prm":
        model = QwenProcessRewardModel(hf_dir, dt)
    elif preset == "skywork-o1-prm":
        model = SkyworkPrm(hf_dir, dt)
    elif preset == "trl-prm":
        model = AutoModelForTokenClassification.from_pretrained(str(hf_dir), dtype=dt)
    elif preset in ORM_PRESETS:
        model = AutoModelForSequenceClassification.from_pretrained(str(hf_dir), dtype=dt)
    elif preset in ("math-shepherd", "rlhflow-prm", "generator"):
        model = AutoModelForCausalLM.from_pretrained(str(hf_dir), dtype=dt)
    else:
        raise SystemExit(f"unknown preset {preset!r}")
    return model.eval()


def _logits(model: nn.Module, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    out = model(input_ids=ids, attention_mask=mask)
    return (out if isinstance(out, torch.Tensor) else out.logits).float()


def _chat_ids(tokenizer, conversation) -> list[int]:
    ids = tokenizer.apply_chat_template(conversation, tokenize=True)
    if hasattr(ids, "keys"):  # transformers 5 returns a BatchEncoding by default
        ids = ids["input_ids"]
    return list(ids)


def plan(tokenizer, preset: str, req: dict) -> tuple[list[int], list[Forward], str]:
    """(ids to report, forwards to run, "step_scores" | "sequence_score") for one request, per model card."""
    prompt, steps = req["prompt"], list(req.get("steps") or [])
    if preset == "qwen2.5-math-prm":
        # Qwen2.5-Math-PRM-7B card: system prompt, user query, steps joined and closed with <extra_0>.
        messages = [
            {"role": "system", "content": QWEN_PRM_SYSTEM},
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": "<extra_0>".join(steps) + "<extra_0>"},
        ]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
        ids = tokenizer.encode(text)
        sep = tokenizer.encode("<extra_0>")[0]
        marks = [i for i, t in enumerate(ids) if t == sep]
        return ids, [Forward(ids, lambda lg: F.softmax(lg, dim=-1)[marks, 1].tolist(), marks)], "step_scores"
    if preset == "math-shepherd":
        # math-shepherd-mistral-7b-prm card: f"{question} {output}", steps end with " ки".
        output = "\n".join(f"{s} ки" for s in steps)
        ids = tokenizer.encode(f"{prompt} {output}")
        candidates = tokenizer.encode("+ -")[1:]
        tag = tokenizer.encode("ки")[-1]
        marks = [i for i, t in enumerate(ids) if t == tag]
        return ids, [Forward(ids, lambda lg: F.softmax(lg[:, candidates], dim=-1)[marks, 0].tolist(), marks)], "step_scores"
    if preset == "rlhflow-prm":
        # RLHFlow PRM code: one conversation per prefix, score at position -3 over [+, -].
        plus, minus = tokenizer.encode("+")[-1], tokenizer.encode("-")[-1]
        conversation, forwards = [], []
        for k, step in enumerate(steps):
            conversation.append({"role": "user", "content": prompt + " " + step if k == 0 else step})
            conversation.append({"role": "assistant", "content": "+"})
            ids = _chat_ids(tokenizer, conversation)
            forwards.append(Forward(ids, lambda lg: [F.softmax(lg[-3, [plus, minus]], dim=-1)[0].item()], [len(ids) - 3]))
        return forwards[-1].ids if forwards else [], forwards, "step_scores"
    if preset == "skywork-o1-prm":
        # skywork-o1-prm-inference prepare_input: bos + problem + "\n", then each step + "\n" id.
        ids = tokenizer.encode(tokenizer.bos_token + prompt + "\n")
        newline = tokenizer.encode("\n")[-1]
        marks = []
        for step in steps:
            ids += (tokenizer.encode(step) if step != "" else []) + [newline]
            marks.append(len(ids) - 1)
        return ids, [Forward(ids, lambda lg: torch.sigmoid(lg[marks]).tolist(), marks)], "step_scores"
    if preset == "trl-prm":
        # ProcessBench run_eval_prm_trl / TRL docs: prefix sep.join([prompt, *steps[:k]]) + sep, LABEL_1 at the last token.
        sep, forwards = "\n", []
        for k in range(1, len(steps) + 1):
            ids = tokenizer(sep.join([prompt, *steps[:k]]) + sep)["input_ids"]
            forwards.append(Forward(list(ids), lambda lg: [F.softmax(lg[-1], dim=-1)[1].item()], [len(ids) - 1]))
        return forwards[-1].ids if forwards else [], forwards, "step_scores"
    if preset in ORM_PRESETS:
        # Skywork-Reward-V2 card: chat template, drop a duplicate leading bos, tokenizer(text), logits[0][0].
        response = req.get("response")
        conv = list(req.get("messages") or [{"role": "user", "content": prompt}])
        conv.append({"role": "assistant", "content": response if response is not None else "\n\n".join(steps)})
        text = tokenizer.apply_chat_template(conv, tokenize=False)
        if tokenizer.bos_token is not None and text.startswith(tokenizer.bos_token):
            text = text[len(tokenizer.bos_token):]
        ids = list(tokenizer(text)["input_ids"])
        return ids, [Forward(ids, lambda lg: [lg[0].item()], [len(ids) - 1])], "sequence_score"
    raise SystemExit(f"reference: preset {preset!r} has no scoring contract")


def _pad_id(model: nn.Module, tokenizer) -> int:
    pad = getattr(model.config, "pad_token_id", None) if hasattr(model, "config") else None
    if pad is None and hasattr(model, "model"):
        pad = model.model.config.pad_token_id
    if pad is None and hasattr(model, "pretrained_model"):
        pad = model.pretrained_model.config.pad_token_id
    return pad if pad is not None else (tokenizer.pad_token_id or 0)


def pad_right(rows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(input_ids, attention_mask)`` of token-id lists, right-padded with ``pad_id`` to the longest."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


@torch.no_grad()
def run_forwards(model: nn.Module, forwards: list[Forward], batched: bool, pad_id: int, pooled: bool) -> list[list[float]]:
    """Scores of each forward; alone (one pass each) or all together, right-padded.
    ``pooled``: the model returns one row per sequence (sequence classifiers), not one per token."""
    if not batched:
        out = []
        for f in forwards:
            ids = torch.tensor([f.ids])
            out.append(f.read(_logits(model, ids, torch.ones_like(ids))[0]))
        return out
    logits = _logits(model, *pad_right([f.ids for f in forwards], pad_id))
    return [f.read(logits[row] if pooled else logits[row, : len(f.ids)]) for row, f in enumerate(forwards)]


def reference(hf_dir: Path, preset: str, requests: list[dict], batched: bool = False, dtype: str = "fp32", weights_from: Path | None = None) -> list[dict]:
    """``weights_from``: an int4 ONNX file (MatMulNBits); its dequantized weights replace the model's
    Linear weights first (the exporter's ``verify.dequantized``), so the scores are those of the
    int4 file's weights computed by PyTorch."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(hf_dir))
    model = load_model(hf_dir, preset, dtype)
    if weights_from is not None:
        from ..verify import dequantized

        if not Path(weights_from).is_file():
            raise SystemExit(f"{weights_from}: no such file (--weights-from takes an int4 ONNX file, e.g. OUT/onnx/model_q4.onnx)")
        model = dequantized(model, Path(weights_from)).to(DTYPES[dtype])
    plans = [plan(tokenizer, preset, r) for r in requests]
    forwards = [f for _, fs, _ in plans for f in fs]
    scores = run_forwards(model, forwards, batched, _pad_id(model, tokenizer), preset in ORM_PRESETS) if forwards else []
    results, i = [], 0
    for ids, fs, key in plans:
        mine = [s for f_scores in scores[i : i + len(fs)] for s in f_scores]
        i += len(fs)
        results.append({"ids": ids, key: mine[0] if key == "sequence_score" else mine})
    return results


def load_requests(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))
