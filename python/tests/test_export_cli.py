"""The export CLI's failure modes and one round trip (run: pytest python/tests)."""

import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from reward_lens_export import cli


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def no_leftovers(out):
    return not out.exists() and not any(p.name.startswith(f".{out.name}.partial-") for p in out.parent.iterdir())


def test_missing_config(tmp_path, capsys):
    (tmp_path / "hf").mkdir()
    code, _, err = run(capsys, tmp_path / "hf", tmp_path / "out", "--preset", "trl-prm")
    assert code == 2
    assert "config.json" in err and "not found" in err
    assert no_leftovers(tmp_path / "out")


def test_missing_hf_dir(tmp_path, capsys):
    code, _, err = run(capsys, tmp_path / "nope", tmp_path / "out", "--preset", "trl-prm")
    assert code == 2 and "no such folder" in err


def test_unknown_architecture_lists_presets(checkpoint_copy, tmp_path, capsys):
    cfg = json.loads((checkpoint_copy / "config.json").read_text())
    cfg["architectures"] = ["BertForMaskedLM"]
    (checkpoint_copy / "config.json").write_text(json.dumps(cfg))
    code, out, err = run(capsys, checkpoint_copy, tmp_path / "out", "--preset", "trl-prm", "--json")
    assert code == 2
    assert "BertForMaskedLM" in err and "qwen2.5-math-prm" in err and "generator" in err
    assert json.loads(out)["ok"] is False
    assert no_leftovers(tmp_path / "out")


def test_preset_that_does_not_fit(qwen_prm_checkpoint, tmp_path, capsys):
    code, _, err = run(capsys, qwen_prm_checkpoint, tmp_path / "out", "--preset", "trl-prm")
    assert code == 2
    assert "Qwen2ForProcessRewardModel" in err and "qwen2.5-math-prm" in err


def test_missing_tokenizer(checkpoint_copy, tmp_path, capsys):
    (checkpoint_copy / "tokenizer.json").unlink()
    code, _, err = run(capsys, checkpoint_copy, tmp_path / "out", "--preset", "qwen2.5-math-prm")
    assert code == 2 and "tokenizer.json" in err and "copy" in err
    assert no_leftovers(tmp_path / "out")


def test_wrong_head_shape(checkpoint_copy, tmp_path, capsys):
    weights = checkpoint_copy / "model.safetensors"
    state = load_file(str(weights))
    state["score.2.weight"] = torch.zeros(3, state["score.2.weight"].shape[1])
    save_file(state, str(weights), metadata={"format": "pt"})
    code, _, err = run(capsys, checkpoint_copy, tmp_path / "out", "--preset", "qwen2.5-math-prm")
    assert code == 2
    assert "score.2.weight" in err and "[3, 64]" in err and "[2, 64]" in err
    assert no_leftovers(tmp_path / "out")


def test_seq_cls_needs_pad_token_id(checkpoint_copy, tmp_path, capsys):
    cfg = json.loads((checkpoint_copy / "config.json").read_text())
    cfg["architectures"] = ["Qwen2ForSequenceClassification"]
    cfg.pop("pad_token_id")
    (checkpoint_copy / "config.json").write_text(json.dumps(cfg))
    code, _, err = run(capsys, checkpoint_copy, tmp_path / "out", "--preset", "seq-cls")
    assert code == 2 and "pad_token_id" in err


def test_refuses_non_empty_out(qwen_prm_checkpoint, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = run(capsys, qwen_prm_checkpoint, out, "--preset", "qwen2.5-math-prm")
    assert code == 2 and "--force" in err
    assert (out / "keep.txt").read_text() == "mine"


def test_failed_check_leaves_nothing(qwen_prm_checkpoint, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(cli.TOLERANCE, "fp32", -1.0)  # any difference, even 0, now fails
    out = tmp_path / "out"
    code, _, err = run(capsys, qwen_prm_checkpoint, out, "--preset", "qwen2.5-math-prm")
    assert code == 1
    assert "differs from PyTorch" in err and "prob" in err
    assert no_leftovers(out)


def test_round_trip(qwen_prm_checkpoint, tmp_path, capsys):
    import numpy as np
    import onnxruntime as ort

    out = tmp_path / "out"
    code, stdout, _ = run(capsys, qwen_prm_checkpoint, out, "--preset", "qwen2.5-math-prm", "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["ok"] and summary["dtype"] == "fp32"
    assert {"onnx/model.onnx", "reward-lens.json", "config.json", "tokenizer.json", "tokenizer_config.json"} <= set(summary["files"])
    (check,) = summary["checks"]
    assert check["passed"] and check["max_abs_prob_delta"] <= 1e-4 and len(check["cases"]) == 3
    manifest = json.loads((out / "reward-lens.json").read_text())
    assert manifest["preset"] == "qwen2.5-math-prm" and manifest["model"] == "onnx/model.onnx"
    assert set(manifest) <= {"preset", "params", "model", "description"}
    assert not any(p.name.startswith(".out.partial-") for p in out.parent.iterdir())

    session = ort.InferenceSession(str(out / "onnx" / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask"]
    ids = np.array([[151644, 151651, 198, 151651, 0, 0]], np.int64)
    (logits,) = session.run(["logits"], {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64)})
    assert logits.shape == (1, 6, 2) and logits.dtype == np.float32


def test_fused_graph_is_used_when_it_passes(qwen_prm_checkpoint, tmp_path, capsys):
    import onnx

    code, out, err = run(capsys, qwen_prm_checkpoint, tmp_path / "out", "--preset", "qwen2.5-math-prm", "--json")
    assert code == 0, err
    assert "fused for onnxruntime" in err and "(fused graph)" in err
    ops = {n.op_type for n in onnx.load(str(tmp_path / "out" / "onnx" / "model.onnx")).graph.node}
    assert "MultiHeadAttention" in ops and "SkipSimplifiedLayerNormalization" in ops


def test_fused_graph_that_fails_the_check_is_dropped(qwen_prm_checkpoint, tmp_path, capsys, monkeypatch):
    import onnx
    from onnx import numpy_helper

    from reward_lens_export import onnx_io

    def broken_fusion(path):
        model = onnx.load(str(path))
        head = [t for t in model.graph.initializer if "score" in t.name]
        assert head, [t.name for t in model.graph.initializer][:20]
        for t in head:  # a "fusion" that changed the numbers of the score head
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t) + 0.5, t.name))
        return model, {"rms_normalization": 1}

    monkeypatch.setattr(onnx_io, "fuse_for_ort", broken_fusion)
    code, out, err = run(capsys, qwen_prm_checkpoint, tmp_path / "out", "--preset", "qwen2.5-math-prm", "--json")
    assert code == 0, err
    assert "the fused graph is off by" in err and "(traced graph)" in err
    summary = json.loads(out)
    assert summary["ok"] is True and all(c["passed"] for c in summary["checks"])
