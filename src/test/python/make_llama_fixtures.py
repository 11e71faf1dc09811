"""Writes random Llama, Qwen2 and Mistral models as transformers saves them, with their logits and greedy output.

    DIR/bin/python src/test/python/make_llama_fixtures.py src/test/resources/llama

DIR is a venv from ../shared/bench/make-pyenv.sh. Three tiny decoders (vocabulary 96, width 32, 2 layers, feed-forward
64, 4 query heads of 8 channels), each with the options its family uses:
  llama:   2 key/value heads, rope_theta 500000 with Llama 3 rope_scaling (factor 8, 1, 4, original 16), untied head,
           written in two shards (model.safetensors.index.json);
  qwen2:   2 key/value heads, q/k/v biases, rope_theta 1e6, RMS eps 1e-6, tied head;
  mistral: 1 key/value head (multi-query), untied head, weights stored as bfloat16.
Weights are drawn wider than transformers' initialisation (std 0.1; norm gains and biases random too) so that every
part moves the logits. Each folder gets expected.json: the ids of a batch of two sequences of 12 tokens, the logits
of the saved folder loaded by from_pretrained in float32 (eager attention) for them, and 30 tokens generated greedily after the first 5 ids of the first sequence.
"""
import json
import os
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM

COMMON = dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
              head_dim=8, max_position_embeddings=64, bos_token_id=1, eos_token_id=2, attn_implementation="eager")
MODELS = {
    "llama": (LlamaForCausalLM, LlamaConfig(**COMMON, num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=500000.0,
                                             rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                                               high_freq_factor=4.0,
                                                               original_max_position_embeddings=16),
                                             tie_word_embeddings=False)),
    "qwen2": (Qwen2ForCausalLM, Qwen2Config(**COMMON, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=1000000.0,
                                            tie_word_embeddings=True, use_sliding_window=False)),
    "mistral": (MistralForCausalLM, MistralConfig(**COMMON, num_key_value_heads=1, rms_norm_eps=1e-5, rope_theta=10000.0,
                                                  sliding_window=4096, tie_word_embeddings=False)),
}


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def main(out_dir):
    for seed, (name, (cls, config)) in enumerate(MODELS.items()):
        torch.manual_seed(seed)
        model = cls(config).eval()
        randomize(model, 100 + seed)
        folder = os.path.join(out_dir, name)
        if name == "mistral":
            model.to(torch.bfloat16).save_pretrained(folder)
        elif name == "llama":
            model.save_pretrained(folder, max_shard_size="40KB")
        else:
            model.save_pretrained(folder)
        # The reference is the folder as from_pretrained reads it in float32 (bfloat16 weights widened exactly).
        model = cls.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
        ids = torch.randint(3, config.vocab_size, (2, 12), generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            logits = model(ids).logits
            generated = model.generate(ids[:1, :5], max_new_tokens=30, min_new_tokens=30, do_sample=False,
                                       eos_token_id=None, pad_token_id=0)
        expected = {"ids": ids.flatten().tolist(), "shape": list(ids.shape), "logits": logits.flatten().tolist(),
                    "prompt": ids[0, :5].tolist(), "generated": generated[0, 5:].tolist()}
        with open(os.path.join(folder, "expected.json"), "w") as f:
            json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
