"""Check an exported ONNX file against the PyTorch module it came from.

Inputs of different shapes are run through both: batch 1, and batch 2 right-padded with
``pad_token_id`` to different lengths (the engine right-pads). Only real (mask = 1)
positions are compared. For the generator, a prefill with an empty past and a decode step
fed the ONNX ``present.*`` as past are compared, logits and present tensors both.

Metrics, over every compared value:
* ``prob``: max |Δ| of the probability the preset reads (softmax over the 2 classes,
  sigmoid of the value head, softmax over the [+, -] candidate tokens for causal-LM PRMs).
* ``rel``: max |Δ| of the raw logits divided by max(1, max |reference|).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .checkpoint import Checkpoint, DecoderWithPast, kv_geometry
from .onnx_io import past_names


@dataclass
class CheckResult:
    file: str
    kind: str  # fp32 | fp16 | int4
    bound: float
    gate: tuple[str, ...]
    prob: float = 0.0
    rel: float = 0.0
    abs_logits: float = 0.0
    cases: list[str] = field(default_factory=list)
    quantization: dict | None = None  # int4 only: distance from the unquantized model (informational)

    @property
    def passed(self) -> bool:
        return all(getattr(self, g) <= self.bound for g in self.gate)

    def summary(self) -> dict:
        return {
            "file": self.file,
            "kind": self.kind,
            "cases": self.cases,
            "max_abs_prob_delta": self.prob,
            "max_rel_logit_delta": self.rel,
            "max_abs_logit_delta": self.abs_logits,
            "gate": list(self.gate),
            "bound": self.bound,
            "passed": self.passed,
            **({"reference": "PyTorch with the file's dequantized int4 weights", "vs_unquantized": self.quantization} if self.quantization else {}),
        }


def _candidate_ids(ckpt: Checkpoint) -> list[int] | None:
    if ckpt.preset.score != "candidates":
        return None
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(ckpt.path / "tokenizer.json"))
    if ckpt.preset.name == "math-shepherd":
        return tok.encode("+ -").ids[-2:]  # the card's tokenizer.encode("+ -")[1:]
    return [tok.encode("+").ids[-1], tok.encode("-").ids[-1]]


def _probs(logits: np.ndarray, score: str, candidates: list[int] | None) -> np.ndarray:
    x = logits.astype(np.float64)
    if score == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if score == "candidates":
        x = x[..., candidates]
    elif score == "raw":
        return x
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def _token_ids(config: dict, rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
    vocab = config["vocab_size"]
    pad = config.get("pad_token_id")
    ids = rng.integers(3, min(vocab, 30000), size=(batch, length))
    if pad is not None:
        ids[ids == pad] = pad + 1
    return ids.astype(np.int64)


def _compare(result: CheckResult, ref: np.ndarray, got: np.ndarray, valid: np.ndarray | None, score: str, candidates) -> None:
    ref = ref.astype(np.float64)
    got = got.astype(np.float64)
    if valid is not None:  # token-level output: keep real positions only
        ref, got = ref[valid], got[valid]
    diff = np.abs(ref - got).max(initial=0.0)
    result.abs_logits = max(result.abs_logits, float(diff))
    result.rel = max(result.rel, float(diff / max(1.0, np.abs(ref).max(initial=0.0))))
    if score != "raw":
        pd = np.abs(_probs(ref, score, candidates) - _probs(got, score, candidates)).max(initial=0.0)
        result.prob = max(result.prob, float(pd))


def dequantized(module: torch.nn.Module, q4_path: Path) -> torch.nn.Module:
    """A copy of ``module`` whose Linear weights are the int4 weights of ``q4_path``, dequantized.

    Comparing the int4 graph against this isolates the graph from the quantization error:
    each ``MatMulNBits`` node's (B, scales[, zero_points]) is unpacked and given to the
    Linear of the same shape whose float weight it is closest to."""
    import copy

    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(q4_path))
    inits = {t.name: t for t in model.graph.initializer}
    module = copy.deepcopy(module)
    linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    for node in model.graph.node:
        if node.op_type != "MatMulNBits":
            continue
        a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
        k, n, block = a["K"], a["N"], a["block_size"]
        packed = numpy_helper.to_array(inits[node.input[1]]).reshape(n, -1)
        q = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(n, -1, block).astype(np.float32)  # low nibble first
        scales = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32).reshape(n, -1)
        if len(node.input) > 3 and node.input[3]:
            zp = numpy_helper.to_array(inits[node.input[3]]).reshape(n, -1)
            zero = np.stack([zp & 0x0F, zp >> 4], axis=-1).reshape(n, -1)[:, : scales.shape[1]].astype(np.float32)
        else:
            zero = np.full_like(scales, 8.0)
        weight = torch.from_numpy(((q - zero[..., None]) * scales[..., None]).reshape(n, -1)[:, :k].copy())
        candidates = [m for m in linears if tuple(m.weight.shape) == (n, k)]
        if not candidates:
            raise AssertionError(f"{q4_path.name}: MatMulNBits {node.name} [{n}, {k}] matches no Linear of the model")
        target = min(candidates, key=lambda m: float((m.weight.detach() - weight).abs().mean()))
        target.weight = torch.nn.Parameter(weight)  # also unties a tied lm_head
    return module.eval()


def check(ckpt: Checkpoint, module: torch.nn.Module, onnx_path: Path, kind: str, bound: float, seed: int = 0) -> CheckResult:
    """Compare ``onnx_path`` with ``module``. An int4 file is gated against the module with its
    weights replaced by the file's dequantized int4 weights (so the bound checks the graph);
    its distance from the float model is reported as ``quantization`` but not gated."""
    if kind != "int4":
        return _check(ckpt, module, onnx_path, kind, bound, seed)
    result = _check(ckpt, dequantized(module, onnx_path), onnx_path, kind, bound, seed)
    float_ref = _check(ckpt, module, onnx_path, kind, bound, seed)
    result.quantization = {"max_abs_prob_delta": float_ref.prob, "max_rel_logit_delta": float_ref.rel, "max_abs_logit_delta": float_ref.abs_logits}
    return result


def _check(ckpt: Checkpoint, module: torch.nn.Module, onnx_path: Path, kind: str, bound: float, seed: int) -> CheckResult:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    preset = ckpt.preset
    result = CheckResult(onnx_path.name, kind, bound, preset.gate)
    candidates = _candidate_ids(ckpt)
    token_level = preset.head != "seq-cls"
    pad = ckpt.config.get("pad_token_id") or 0

    if isinstance(module, DecoderWithPast):
        _check_decoder(ckpt, module, session, result, rng)
        return result

    for lengths in ((11,), (17, 9), (5, 13)):
        batch, longest = len(lengths), max(lengths)
        ids = _token_ids(ckpt.config, rng, batch, longest)
        mask = np.zeros_like(ids)
        for row, n in enumerate(lengths):
            mask[row, :n] = 1
            ids[row, n:] = pad
        with torch.no_grad():
            ref = module(torch.from_numpy(ids), torch.from_numpy(mask)).float().numpy()
        got = session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        if got.shape != ref.shape:
            raise AssertionError(f"{onnx_path.name}: logits shape {got.shape} != PyTorch {ref.shape} for batch lengths {lengths}")
        _compare(result, ref, got, mask.astype(bool) if token_level else None, preset.score, candidates)
        result.cases.append(f"batch {batch}, lengths {list(lengths)}" + (" right-padded" if batch > 1 else ""))
    return result


def _check_decoder(ckpt: Checkpoint, module: DecoderWithPast, session, result: CheckResult, rng) -> None:
    layers, kv_heads, head_dim = kv_geometry(ckpt.config)
    names = past_names(layers)
    present_names = [n.replace("past_key_values", "present") for n in names]

    def both(ids: np.ndarray, past: list[np.ndarray], label: str) -> list[np.ndarray]:
        b, s = ids.shape
        p = past[0].shape[2]
        mask = np.ones((b, p + s), np.int64)
        pos = np.broadcast_to(np.arange(p, p + s, dtype=np.int64), (b, s)).copy()
        feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": pos, **dict(zip(names, past))}
        got = session.run(["logits", *present_names], feeds)
        with torch.no_grad():
            ref = module(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(pos), *[torch.from_numpy(t) for t in past])
        for r, g in zip(ref, got):
            if tuple(r.shape) != g.shape:
                raise AssertionError(f"{result.file}: output shape {g.shape} != PyTorch {tuple(r.shape)} ({label})")
        _compare(result, ref[0].numpy(), got[0], None, "raw", None)
        for r, g in zip(ref[1:], got[1:]):
            _compare(result, r.numpy(), g, None, "raw", None)
        result.cases.append(label)
        return got[1:]

    for batch, length in ((1, 9), (2, 6)):
        empty = [np.zeros((batch, kv_heads, 0, head_dim), np.float32) for _ in names]
        present = both(_token_ids(ckpt.config, rng, batch, length), empty, f"prefill batch {batch}, length {length}, empty past")
        present = both(_token_ids(ckpt.config, rng, batch, 1), [p.astype(np.float32) for p in present], f"decode batch {batch}, 1 token, past {length}")
