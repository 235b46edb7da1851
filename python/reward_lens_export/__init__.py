"""Export Hugging Face reward-model checkpoints to the ONNX folders Reward Lens loads.

``python -m reward_lens_export HF_DIR OUT --preset P`` is the entry point; see README.md.
"""

__version__ = "0.1.0"
