"""Which checkpoint architectures each Reward Lens preset accepts, and how its output is checked.

The preset names and output shapes are the contract with the TypeScript engine
(``src/``), which validates the ONNX I/O it is given:

=====================  =======================================  ===================
preset                 architecture (config.json)               ``logits``
=====================  =======================================  ===================
qwen2.5-math-prm       Qwen2ForProcessRewardModel               [B, S, 2]
trl-prm                *ForTokenClassification                  [B, S, num_labels]
skywork-o1-prm         Qwen2ForPrmModel                         [B, S] (raw value)
skywork-reward-v2      *ForSequenceClassification               [B, num_labels]
seq-cls                *ForSequenceClassification               [B, num_labels]
math-shepherd          *ForCausalLM (no KV cache)               [B, S, vocab]
rlhflow-prm            *ForCausalLM (no KV cache)               [B, S, vocab]
generator              *ForCausalLM (with KV cache)             [B, S, vocab] + present.*
=====================  =======================================  ===================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Head = Literal["prm-mlp", "value-head", "token-cls", "seq-cls", "causal-lm", "generator"]
Score = Literal["softmax", "sigmoid", "raw", "candidates"]


@dataclass(frozen=True)
class Preset:
    name: str
    head: Head
    architectures: str  # human-readable, for error messages
    score: Score  # how a probability is read from the logits, for the check
    gate: tuple[str, ...]  # which metrics must pass: "prob" (absolute) and/or "rel" (relative, raw logits)

    def fits(self, architecture: str) -> bool:
        if self.head == "prm-mlp":
            return architecture == "Qwen2ForProcessRewardModel"
        if self.head == "value-head":
            return architecture == "Qwen2ForPrmModel"
        if self.head == "token-cls":
            return architecture.endswith("ForTokenClassification")
        if self.head == "seq-cls":
            return architecture.endswith("ForSequenceClassification")
        return architecture.endswith("ForCausalLM")


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("qwen2.5-math-prm", "prm-mlp", "Qwen2ForProcessRewardModel", "softmax", ("prob",)),
        Preset("trl-prm", "token-cls", "*ForTokenClassification", "softmax", ("prob",)),
        Preset("skywork-o1-prm", "value-head", "Qwen2ForPrmModel", "sigmoid", ("prob", "rel")),
        Preset("skywork-reward-v2", "seq-cls", "*ForSequenceClassification", "raw", ("rel",)),
        Preset("seq-cls", "seq-cls", "*ForSequenceClassification", "raw", ("rel",)),
        Preset("math-shepherd", "causal-lm", "*ForCausalLM", "candidates", ("prob", "rel")),
        Preset("rlhflow-prm", "causal-lm", "*ForCausalLM", "candidates", ("prob", "rel")),
        Preset("generator", "generator", "*ForCausalLM", "raw", ("rel",)),
    )
}

# Tolerances of the ONNX-vs-PyTorch check, per exported file kind.
# int4 is compared with PyTorch running the file's own dequantized 4-bit weights, so its bound
# checks the graph (MatMulNBits accumulation order), not the quantization error; that error is
# reported separately ("vs_unquantized") and depends on the weights (large on random test weights).
TOLERANCE = {"fp32": 1e-4, "fp16": 2e-2, "int4": 1e-3}


def presets_for(architecture: str) -> list[str]:
    return [name for name, p in PRESETS.items() if p.fits(architecture)]


def describe_presets() -> str:
    return "\n".join(f"  {name:<18} {p.architectures}" for name, p in PRESETS.items())
