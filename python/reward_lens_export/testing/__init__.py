"""Test tooling for the exporter: tiny checkpoints, card-exact reference scores, generate, bench."""
