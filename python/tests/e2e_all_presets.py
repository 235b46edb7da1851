"""End-to-end check of every preset (slow, ~2 min): make-checkpoint -> export -> reference.

    python tests/e2e_all_presets.py --tokenizers NODE_MODULES_DIR --work /tmp/rl-e2e

For each scoring preset the exported ONNX is run (onnxruntime) on the reference's own token
ids, scores are read the way the model card reads them, and compared with the independent
PyTorch reference, alone and batched (right-padded). For the generator, an onnxruntime greedy
decode with the KV cache is compared with ``model.generate``. Prints one JSON line per preset.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reward_lens_export.cli import main as export_main  # noqa: E402
from reward_lens_export.testing.__main__ import _generate, _quiet  # noqa: E402
from reward_lens_export.testing.checkpoints import make_checkpoint  # noqa: E402
from reward_lens_export.testing.reference import plan, reference  # noqa: E402

REQUESTS = [
    {"prompt": "What is 3 + 4 * 2?", "messages": None, "steps": ["4 * 2 = 8.", "3 + 8 = 11.", "The answer is \\boxed{11}."], "response": None},
    {"prompt": "Is 91 prime?", "messages": None, "steps": ["91 = 7 * 13.", "So 91 is not prime."], "response": None},
    {
        "prompt": "Name a prime.",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a prime."}],
        "steps": ["2"],
        "response": "2 is prime.",
    },
]
PRESETS = ["qwen2.5-math-prm", "skywork-o1-prm", "trl-prm", "skywork-reward-v2", "seq-cls", "math-shepherd", "rlhflow-prm", "generator"]


def _flat(result: dict) -> list[float]:
    return result["step_scores"] if "step_scores" in result else [result["sequence_score"]]


def onnx_scores(folder: Path, hf_dir: Path, preset: str) -> list[list[float]]:
    import onnxruntime as ort
    from transformers import AutoTokenizer

    manifest = json.loads((folder / "reward-lens.json").read_text())
    session = ort.InferenceSession(str(folder / manifest["model"]), providers=["CPUExecutionProvider"])
    tokenizer = AutoTokenizer.from_pretrained(str(folder))  # the tokenizer files as exported
    out = []
    for req in REQUESTS:
        _, forwards, _ = plan(tokenizer, preset, req)
        scores = []
        for f in forwards:
            ids = np.array([f.ids], dtype=np.int64)
            logits = session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
            scores += f.read(torch.from_numpy(logits[0]).float())
        out.append(scores)
    return out


def onnx_greedy(folder: Path, prompt: list[int], n: int) -> list[int]:
    import onnxruntime as ort

    cfg = json.loads((folder / "config.json").read_text())
    session = ort.InferenceSession(str(folder / "onnx" / "model.onnx"), providers=["CPUExecutionProvider"])
    layers, kv, hd = cfg["num_hidden_layers"], cfg["num_key_value_heads"], cfg["hidden_size"] // cfg["num_attention_heads"]
    names = [f"past_key_values.{i}.{k}" for i in range(layers) for k in ("key", "value")]
    past = {nm: np.zeros((1, kv, 0, hd), np.float32) for nm in names}
    ids, done, tokens = np.array([prompt], np.int64), 0, []
    for _ in range(n):
        s = ids.shape[1]
        feeds = {"input_ids": ids, "attention_mask": np.ones((1, done + s), np.int64), "position_ids": np.arange(done, done + s)[None], **past}
        outs = session.run(None, feeds)
        nxt = int(outs[0][0, -1].argmax())
        tokens.append(nxt)
        done += s
        ids = np.array([[nxt]], np.int64)
        past = dict(zip(names, outs[1:]))
    return tokens


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizers", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/rl-e2e"))
    ap.add_argument("--presets", nargs="*", default=PRESETS)
    args = ap.parse_args()
    _quiet()
    ok = True
    for preset in args.presets:
        ck, out = args.work / "ck" / preset, args.work / "out" / preset
        make_checkpoint(preset, ck, args.tokenizers, seed=1)
        code = export_main([str(ck), str(out), "--preset", preset, "--force"])
        line: dict = {"preset": preset, "export_exit": code}
        if code != 0:
            ok = False
        elif preset == "generator":
            from transformers import AutoTokenizer

            prompt = list(AutoTokenizer.from_pretrained(str(ck)).encode("Greedy decoding test prompt."))
            ref = _generate(ck, [prompt], 64)[0]
            got = onnx_greedy(out, prompt, 64)
            line.update(greedy_equal=got == ref, distinct_tokens=len(set(ref)))
            ok &= got == ref
        else:
            alone = reference(ck, preset, REQUESTS)
            batched = reference(ck, preset, REQUESTS, batched=True)
            mine = onnx_scores(out, ck, preset)
            d_onnx = max(abs(a - b) for r, m in zip(alone, mine) for a, b in zip(_flat(r), m))
            d_batch = max(abs(a - b) for r, m in zip(alone, batched) for a, b in zip(_flat(r), _flat(m)))
            counts_ok = all(len(_flat(r)) == len(m) for r, m in zip(alone, mine))
            spread = float(np.std([s for r in alone for s in _flat(r)]))
            line.update(max_delta_onnx_vs_reference=d_onnx, max_delta_batched_vs_alone=d_batch, score_counts_match=counts_ok, score_std=spread,
                        scores=[[round(s, 4) for s in _flat(r)] for r in alone])
            ok &= counts_ok and d_onnx <= 1e-4 and d_batch <= 1e-4
        print(json.dumps(line), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
