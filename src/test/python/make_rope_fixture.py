"""Writes rotary positions as transformers computes them, for Orthrus's Rotary to match.

    DIR/bin/python src/test/python/make_rope_fixture.py src/test/resources

DIR is a venv from ../shared/bench/make-pyenv.sh. For three Llama configs (head size 16; base 10,000; base 500,000;
base 500,000 with Llama 3's rope_scaling: factor 8, low_freq_factor 1, high_freq_factor 4,
original_max_position_embeddings 64, small enough that every band of the scaling is hit), writes the inverse
frequencies of transformers' LlamaRotaryEmbedding, and q and k of shape (1, 2, 5, 16) before and after its
apply_rotary_pos_emb at positions 3..7. Writes rope.json.
"""
import json
import os
import sys

import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

CASES = {
    "default": dict(rope_theta=10000.0),
    "theta-500000": dict(rope_theta=500000.0),
    "llama3": dict(rope_theta=500000.0, rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                                            high_freq_factor=4.0, original_max_position_embeddings=64)),
}


def main(out_dir):
    torch.manual_seed(0)
    q = torch.randn(1, 2, 5, 16)
    k = torch.randn(1, 2, 5, 16)
    positions = torch.arange(3, 8)[None, :]
    out = {"q": q.flatten().tolist(), "k": k.flatten().tolist(), "shape": [1, 2, 5, 16], "offset": 3, "cases": {}}
    for name, extra in CASES.items():
        config = LlamaConfig(hidden_size=32, num_attention_heads=2, head_dim=16, max_position_embeddings=256, **extra)
        rope = LlamaRotaryEmbedding(config)
        cos, sin = rope(q, positions)
        q_rot, k_rot = apply_rotary_pos_emb(q, k, cos, sin)
        out["cases"][name] = {"rope_theta": extra["rope_theta"], "rope_scaling": extra.get("rope_scaling"),
                              "inv_freq": rope.inv_freq.tolist(), "q_rotated": q_rot.flatten().tolist(),
                              "k_rotated": k_rot.flatten().tolist()}
    with open(os.path.join(out_dir, "rope.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
