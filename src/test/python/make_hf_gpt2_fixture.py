"""Writes a tiny GPT-2 with random weights in Hugging Face's layout, and reference logits.

    /usr/bin/python3 src/test/python/make_hf_gpt2_fixture.py src/test/resources/hf/gpt2-tiny

Output directory: config.json (GPT2Config fields), model.safetensors (keys as GPT2LMHeadModel saves them:
"transformer." prefix, Conv1D weights stored [in, out], the causal-mask buffers "attn.bias" and
"attn.masked_bias", no lm_head because it is tied), reference.json (ids and the logits of this script's
GPT-2 forward pass, written from Hugging Face's modeling_gpt2 equations: pre-norm blocks, gelu_new,
scaled dot-product attention under a causal mask, final layer norm, tied head).
Needs only PyTorch (Debian python3-torch); safetensors is written by hand.
"""
import json
import math
import os
import sys

import torch

from safetensors_file import write_safetensors

VOCAB, POSITIONS, WIDTH, LAYERS, HEADS = 64, 16, 32, 2, 4


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def forward(w, ids):
    b, t = ids.shape
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(t)]
    hs = WIDTH // HEADS
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(LAYERS):
        p = "transformer.h.%d." % i
        h = torch.nn.functional.layer_norm(x, (WIDTH,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: x @ W[in, out] + b
        q, k, v = qkv.split(WIDTH, dim=-1)
        q, k, v = [z.view(b, t, HEADS, hs).transpose(1, 2) for z in (q, k, v)]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        a = torch.softmax(scores, dim=-1) @ v
        a = a.transpose(1, 2).reshape(b, t, WIDTH)
        x = x + a @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = torch.nn.functional.layer_norm(x, (WIDTH,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        h = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = torch.nn.functional.layer_norm(x, (WIDTH,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], 1e-5)
    return x @ w["transformer.wte.weight"].T


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    w = {"transformer.wte.weight": torch.randn(VOCAB, WIDTH) * 0.5,
         "transformer.wpe.weight": torch.randn(POSITIONS, WIDTH) * 0.3}
    for i in range(LAYERS):
        p = "transformer.h.%d." % i
        w[p + "ln_1.weight"] = 1 + 0.2 * torch.randn(WIDTH)
        w[p + "ln_1.bias"] = 0.1 * torch.randn(WIDTH)
        w[p + "attn.bias"] = torch.tril(torch.ones(POSITIONS, POSITIONS)).view(1, 1, POSITIONS, POSITIONS)
        w[p + "attn.masked_bias"] = torch.tensor(-1e4)
        w[p + "attn.c_attn.weight"] = 0.2 * torch.randn(WIDTH, 3 * WIDTH)
        w[p + "attn.c_attn.bias"] = 0.1 * torch.randn(3 * WIDTH)
        w[p + "attn.c_proj.weight"] = 0.2 * torch.randn(WIDTH, WIDTH)
        w[p + "attn.c_proj.bias"] = 0.1 * torch.randn(WIDTH)
        w[p + "ln_2.weight"] = 1 + 0.2 * torch.randn(WIDTH)
        w[p + "ln_2.bias"] = 0.1 * torch.randn(WIDTH)
        w[p + "mlp.c_fc.weight"] = 0.2 * torch.randn(WIDTH, 4 * WIDTH)
        w[p + "mlp.c_fc.bias"] = 0.1 * torch.randn(4 * WIDTH)
        w[p + "mlp.c_proj.weight"] = 0.2 * torch.randn(4 * WIDTH, WIDTH)
        w[p + "mlp.c_proj.bias"] = 0.1 * torch.randn(WIDTH)
    w["transformer.ln_f.weight"] = 1 + 0.2 * torch.randn(WIDTH)
    w["transformer.ln_f.bias"] = 0.1 * torch.randn(WIDTH)
    write_safetensors(os.path.join(out, "model.safetensors"), w, {"format": "pt"})
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": VOCAB,
              "n_positions": POSITIONS, "n_ctx": POSITIONS, "n_embd": WIDTH, "n_layer": LAYERS, "n_head": HEADS,
              "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
              "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "tie_word_embeddings": True}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    ids = torch.randint(0, VOCAB, (2, POSITIONS))
    with torch.no_grad():
        logits = forward(w, ids)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"ids": ids.tolist(), "logits": [round(v, 6) for v in logits.flatten().tolist()]}, f)


if __name__ == "__main__":
    main()
