"""Trace to ONNX (dynamo exporter), write the file in the layout the engine reads, convert to fp16/int4.

Only the dynamo exporter is used: the legacy TorchScript exporter (``dynamo=False``) bakes
traced sequence lengths into reshapes without saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnx
import torch

from .checkpoint import DecoderWithPast, kv_geometry

TWO_GB = 2 * 1024**3 - 64 * 1024**2  # protobuf's hard limit, with headroom for the graph itself


def past_names(layers: int) -> list[str]:
    return [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


def export(module: torch.nn.Module, config: dict, scratch: Path) -> Path:
    """Trace ``module`` into ``scratch/traced.onnx`` (weights in a side file); returns the path."""
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "traced.onnx"
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
    ids = torch.randint(3, 100, (2, 7))
    mask = torch.ones_like(ids)
    with torch.no_grad():
        if isinstance(module, DecoderWithPast):
            layers, kv_heads, head_dim = kv_geometry(config)
            past_len, total = torch.export.Dim("past"), torch.export.Dim("total")
            past = [torch.randn(2, kv_heads, 3, head_dim) for _ in range(2 * layers)]
            full_mask = torch.ones(2, 3 + 7, dtype=torch.long)
            pos = torch.arange(3, 10).expand(2, 7)
            names = past_names(layers)
            torch.onnx.export(
                module,
                (ids, full_mask, pos, *past),
                str(path),
                dynamo=True,
                verbose=False,
                external_data=True,
                input_names=["input_ids", "attention_mask", "position_ids", *names],
                output_names=["logits", *[n.replace("past_key_values", "present") for n in names]],
                dynamic_shapes=(
                    {0: batch, 1: seq},
                    {0: batch, 1: total},
                    {0: batch, 1: seq},
                    tuple({0: batch, 2: past_len} for _ in names),
                ),
            )
        else:
            torch.onnx.export(
                module,
                (ids, mask),
                str(path),
                dynamo=True,
                verbose=False,
                external_data=True,
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
            )
    return path


def fuse_for_ort(path: Path) -> tuple[onnx.ModelProto, dict[str, int]] | None:
    """onnxruntime's fused kernels for the traced graph (onnxscript's ort_fusions): RMSNorm and Skip-RMSNorm,
    RotaryEmbedding with a cos/sin cache, and scaled dot-product attention as ``com.microsoft::MultiHeadAttention``
    (measured here on a hidden-256 Qwen2 PRM: 16k → 23k tokens/s on CPU). The GroupQueryAttention fusion is left
    out: it reads sequence lengths as if the batch were one row and fails on right-padded batches (so does the
    rotary fusion unless ``position_ids`` are [B, S], which the wrappers write out). Returns None when nothing
    fused or the rewriter failed; the caller checks the fused graph against PyTorch and keeps the traced one if
    it does not pass."""
    try:
        import onnx_ir as ir
        from onnxscript.optimizer import optimize
        from onnxscript.rewriter import ort_fusions
        from onnxscript.rewriter.ort_fusions import cos_sin_cache, rms_normalization, rotary_embedding, sdpa, sdpa_via_mha, skip_normalization
        from onnx_ir.passes import common as common_passes
    except ImportError:
        return None
    try:
        model = ir.load(str(path))
        common_passes.ShapeInferencePass()(model)
        optimize(model)
        ort_fusions.shape_optimization.rules.apply_to_model(model)
        optimize(model)
        counts = {
            "rms_normalization": rms_normalization.fuse_rms_normalization(model),
            "skip_rms_normalization": skip_normalization.fuse_skip_rms_normalization(model),
            "rotary_embedding": rotary_embedding.fuse_rotary_embedding(model),
            "cos_sin_cache": cos_sin_cache.fuse_cos_sin_cache(model),
            "sdpa": sdpa.fuse_sdpa(model, apply_shape_inference=True),
        }
        counts["multi_head_attention"] = sdpa_via_mha.replace_sdpa_by_mha(model) if counts["sdpa"] else 0
        optimize(model)
        if not any(counts.values()):
            return None
        return ir.to_proto(ir.external_data.load_to_model(model)), counts
    except Exception:  # a graph the rewriter does not understand: keep the traced one
        return None


def model_bytes(model: onnx.ModelProto) -> int:
    return sum(t.ByteSize() for t in model.graph.initializer)


def save(model: onnx.ModelProto, path: Path, force_external: bool = False) -> list[Path]:
    """Write ``path`` with weights inline, or in ``<stem>.onnx_data`` beside it when above 2 GB
    (or when forced). Returns the files written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if force_external or model_bytes(model) > TWO_GB:
        data = path.with_name(path.stem + ".onnx_data")
        onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(data, 0o666 & ~umask)  # onnx creates it 0600
        return [path, data]
    onnx.save_model(model, str(path))
    return [path]


def to_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    """fp16 weights and activations; graph inputs and outputs stay int64/float32."""
    from onnxruntime.transformers.float16 import convert_float_to_float16

    copy = onnx.ModelProto()
    copy.CopyFrom(model)  # the converter edits its input in place when shape inference is off
    return convert_float_to_float16(copy, keep_io_types=True, disable_shape_infer=model_bytes(copy) > TWO_GB)


def to_int4(fp32_path: Path) -> onnx.ModelProto:
    """Weight-only 4-bit MatMul weights (``com.microsoft::MatMulNBits``, block 32, symmetric)."""
    import logging

    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    model = onnx.load(str(fp32_path))
    # Only the model's weight matrices: a constant MatMul whose inner dimension is under one block (e.g. the
    # rotary inverse frequencies, [1, head_dim/2] once the graph is folded) is not a weight and stays exact.
    weights = {t.name: t.dims for t in model.graph.initializer}
    small = [n.name for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights and (len(weights[n.input[1]]) != 2 or weights[n.input[1]][0] < 32)]
    quantizer = MatMulNBitsQuantizer(model, bits=4, block_size=32, is_symmetric=True, nodes_to_exclude=small)
    quantizer.process()
    return quantizer.model.model
