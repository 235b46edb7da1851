"""``python -m reward_lens_export HF_DIR OUT --preset P [--dtype fp32|fp16] [--int4] [--json]``.

Exit codes: 0 exported and checked; 1 the ONNX-vs-PyTorch check failed (or the export
crashed); 2 bad input (message names the file and the fix). Everything is written into a
temporary folder beside OUT and renamed at the end, so a failed run leaves no OUT behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .errors import ExportError
from .presets import PRESETS, TOLERANCE

MODEL_FILE = {"fp32": "model.onnx", "fp16": "model_fp16.onnx", "int4": "model_q4.onnx"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reward_lens_export",
        description="Export a Hugging Face reward-model checkpoint to an ONNX folder Reward Lens can load, "
        "and check it against PyTorch before reporting success.",
    )
    p.add_argument("hf_dir", type=Path, metavar="HF_DIR", help="checkpoint folder: config.json, *.safetensors, tokenizer.json, tokenizer_config.json")
    p.add_argument("out", type=Path, metavar="OUT", help="output folder (created; must not exist or be empty unless --force)")
    p.add_argument("--preset", required=True, choices=sorted(PRESETS), help="how the engine reads the model's output")
    p.add_argument("--dtype", choices=("fp32", "fp16"), default="fp32", help="fp32 writes onnx/model.onnx, fp16 onnx/model_fp16.onnx")
    p.add_argument("--int4", action="store_true", help="also write onnx/model_q4.onnx (MatMulNBits, 4-bit, block 32) and point reward-lens.json at it")
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout (progress goes to stderr)")
    p.add_argument("--force", action="store_true", help="replace an existing non-empty OUT")
    p.add_argument("--external-data", action="store_true", help=argparse.SUPPRESS)  # test hook: force the >2 GB layout
    return p


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _copy_side_files(hf_dir: Path, out: Path) -> list[Path]:
    from .checkpoint import OPTIONAL_FILES, TOKENIZER_FILES

    written = []
    for name in ("config.json", *TOKENIZER_FILES, *OPTIONAL_FILES):
        src = hf_dir / name
        if src.is_file():
            shutil.copy2(src, out / name)
            written.append(out / name)
    return written


def _manifest(preset: str, model_file: str, description: str) -> dict:
    if preset == "generator":
        return {"model": model_file, "description": description, "task": "text-generation-with-past"}
    return {"preset": preset, "model": model_file, "description": description}


def run(args: argparse.Namespace) -> dict:
    from .checkpoint import build_module, inspect_checkpoint

    hf_dir: Path = args.hf_dir
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not args.force:
        raise ExportError(f"{out}: already exists and is not empty. Choose another OUT or pass --force to replace it.")
    ckpt = inspect_checkpoint(hf_dir, args.preset)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it 0700
    try:
        started = time.time()
        _log(f"loading {hf_dir} ({ckpt.architecture}) as preset {args.preset}")
        module = build_module(ckpt)
        from . import onnx_io, verify

        scratch = tmp / ".trace"
        _log("tracing with torch.onnx.export(dynamo=True)")
        traced = onnx_io.export(module, ckpt.config, scratch)
        import onnx

        traced_model = onnx.load(str(traced))
        fused = onnx_io.fuse_for_ort(traced)
        if fused is not None:
            _log("fused for onnxruntime: " + ", ".join(f"{k} {v}" for k, v in fused[1].items()))
        # Graphs to try, best first: the fused one must pass the same check as the traced one, or it is dropped.
        graphs = ([("fused", fused[0])] if fused is not None else []) + [("traced", traced_model)]
        onnx_dir = tmp / "onnx"
        written: list[Path] = []
        checks: list[verify.CheckResult] = []

        def write_and_check(make, kind: str) -> tuple[Path, onnx.ModelProto]:
            """Writes and checks the first graph of ``graphs`` (converted by ``make``) that passes; the last one
            is kept whatever its result, so a failure is reported with its figures."""
            path = onnx_dir / MODEL_FILE[kind]
            for i, (label, graph) in enumerate(graphs):
                model = make(graph)
                files = onnx_io.save(model, path, force_external=args.external_data)
                _log(f"checking {path.name} ({label} graph) against PyTorch")
                result = verify.check(ckpt, module, path, kind, TOLERANCE[kind])
                if result.passed or i == len(graphs) - 1:
                    written.extend(files)
                    checks.append(result)
                    return path, graph
                _log(f"  the {label} graph is off by prob Δ {result.prob:.3g}, rel logit Δ {result.rel:.3g}; trying the next")
                for f in files:
                    f.unlink(missing_ok=True)
            raise AssertionError("unreachable")

        fp32_path, fp32_graph = None, graphs[-1][1]
        if args.dtype == "fp32":
            fp32_path, fp32_graph = write_and_check(lambda g: g, "fp32")
        else:
            write_and_check(onnx_io.to_fp16, "fp16")
        if args.int4:
            if fp32_path is None:  # quantize from the fp32 graph, kept out of OUT
                fp32_path = scratch / "fp32" / "model.onnx"
                onnx_io.save(fp32_graph, fp32_path)
            graphs = [("quantized", onnx_io.to_int4(fp32_path))]
            write_and_check(lambda g: g, "int4")
        del traced_model, graphs
        shutil.rmtree(scratch)

        for c in checks:
            figures = f"prob Δ {c.prob:.3g}, rel logit Δ {c.rel:.3g}, abs logit Δ {c.abs_logits:.3g} (gate {'+'.join(c.gate)} ≤ {c.bound:g})"
            _log(f"  {c.file}: {figures} over {len(c.cases)} cases")
            if c.quantization:
                _log(f"  {c.file} vs the unquantized model (not gated): prob Δ {c.quantization['max_abs_prob_delta']:.3g}, rel logit Δ {c.quantization['max_rel_logit_delta']:.3g}")
        failed = [c for c in checks if not c.passed]
        if failed:
            worst = "; ".join(
                f"{c.file}: " + ", ".join(f"{g} Δ {getattr(c, g):.3g} > {c.bound:g}" for g in c.gate if getattr(c, g) > c.bound) for c in failed
            )
            raise ExportError(f"ONNX output differs from PyTorch beyond the bound: {worst}. Nothing was written to {out}.", code=1)

        model_file = "onnx/" + MODEL_FILE["int4" if args.int4 else args.dtype]
        description = (
            f"{ckpt.architecture} from {hf_dir.name}, exported by reward_lens_export {__version__} "
            f"({args.dtype}{' + int4' if args.int4 else ''})"
        )
        (tmp / "reward-lens.json").write_text(json.dumps(_manifest(args.preset, model_file, description), indent=2) + "\n", encoding="utf-8")
        written.append(tmp / "reward-lens.json")
        written.extend(_copy_side_files(hf_dir, tmp))

        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
        return {
            "ok": True,
            "out": str(out),
            "preset": args.preset,
            "architecture": ckpt.architecture,
            "dtype": args.dtype,
            "int4": args.int4,
            "model": model_file,
            "files": sorted(str(p.relative_to(tmp)) for p in written),
            "checks": [c.summary() for c in checks],
            "seconds": round(time.time() - started, 1),
        }
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    try:
        with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the result (exporter progress prints there)
            summary = run(args)
    except ExportError as e:
        _log(f"error: {e}")
        if args.json:
            print(json.dumps({"ok": False, "exit_code": e.code, "error": str(e)}))
        return e.code
    except KeyboardInterrupt:
        _log("interrupted; nothing written")
        return 130
    except Exception as e:  # a crash in tracing/conversion: say so, leave nothing behind
        _log(f"error: export failed: {type(e).__name__}: {e}")
        if args.json:
            print(json.dumps({"ok": False, "exit_code": 1, "error": f"{type(e).__name__}: {e}"}))
        return 1
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"wrote {summary['out']} ({', '.join(summary['files'])}) in {summary['seconds']} s")
    return 0
