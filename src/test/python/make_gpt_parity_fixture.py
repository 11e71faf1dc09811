#!/usr/bin/env python3
"""Writes the PyTorch reference that GptParityTest compares Orthrus against.

A tiny GPT with Orthrus's architecture and parameter names (pre-norm blocks, fused q/k/v
projection, exact GELU, learned positions, tied output head, biases on) is built in float64 with
seeded random weights; for fixed ids and targets the script records the weights, the logits,
the mean cross-entropy loss and the gradient of the loss with respect to every parameter.

Output: src/test/resources/fixtures/gpt_parity.safetensors (F32 tensors; the reference values
are computed in float64 and rounded once). Run from the repository root with Debian's PyTorch:

    apt-get install -y python3-torch
    /usr/bin/python3 src/test/python/make_gpt_parity_fixture.py
"""
import json
import math

import torch
import torch.nn.functional as F

from safetensors_file import write_safetensors

VOCAB, CONTEXT, WIDTH, HEADS, LAYERS, FF = 11, 8, 16, 2, 2, 64
BATCH, T = 2, 8
OUT = "src/test/resources/fixtures/gpt_parity.safetensors"


def parameters(gen):
    """Weights by Orthrus's dotted names, drawn with larger spread than GPT-2's init so every path matters."""
    p = {}

    def normal(name, *shape, std=0.3):
        p[name] = torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    normal("wte.weight", VOCAB, WIDTH)
    normal("wpe.weight", CONTEXT, WIDTH)
    for layer in range(LAYERS):
        b = f"stack.blocks.{layer}."
        p[b + "ln1.weight"] = 1 + torch.randn(WIDTH, generator=gen, dtype=torch.float64) * 0.1
        normal(b + "ln1.bias", WIDTH, std=0.1)
        normal(b + "attn.qkv.weight", 3 * WIDTH, WIDTH)
        normal(b + "attn.qkv.bias", 3 * WIDTH, std=0.1)
        normal(b + "attn.proj.weight", WIDTH, WIDTH)
        normal(b + "attn.proj.bias", WIDTH, std=0.1)
        p[b + "ln2.weight"] = 1 + torch.randn(WIDTH, generator=gen, dtype=torch.float64) * 0.1
        normal(b + "ln2.bias", WIDTH, std=0.1)
        normal(b + "ff.up.weight", FF, WIDTH)
        normal(b + "ff.up.bias", FF, std=0.1)
        normal(b + "ff.down.weight", WIDTH, FF)
        normal(b + "ff.down.bias", WIDTH, std=0.1)
    p["stack.lnF.weight"] = 1 + torch.randn(WIDTH, generator=gen, dtype=torch.float64) * 0.1
    normal("stack.lnF.bias", WIDTH, std=0.1)
    return p


def forward(p, ids):
    b, t = ids.shape
    hs = WIDTH // HEADS
    x = p["wte.weight"][ids] + p["wpe.weight"][:t]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for layer in range(LAYERS):
        pre = f"stack.blocks.{layer}."
        h = F.layer_norm(x, (WIDTH,), p[pre + "ln1.weight"], p[pre + "ln1.bias"], 1e-5)
        q, k, v = F.linear(h, p[pre + "attn.qkv.weight"], p[pre + "attn.qkv.bias"]).split(WIDTH, dim=-1)
        q, k, v = (z.view(b, t, HEADS, hs).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        scores = scores.masked_fill(~causal, float("-inf"))
        attn = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = x + F.linear(attn, p[pre + "attn.proj.weight"], p[pre + "attn.proj.bias"])
        h = F.layer_norm(x, (WIDTH,), p[pre + "ln2.weight"], p[pre + "ln2.bias"], 1e-5)
        up = F.gelu(F.linear(h, p[pre + "ff.up.weight"], p[pre + "ff.up.bias"]))  # exact (erf) GELU
        x = x + F.linear(up, p[pre + "ff.down.weight"], p[pre + "ff.down.bias"])
    x = F.layer_norm(x, (WIDTH,), p["stack.lnF.weight"], p["stack.lnF.bias"], 1e-5)
    return F.linear(x, p["wte.weight"])  # tied head


def main():
    gen = torch.Generator().manual_seed(2026)
    p = parameters(gen)
    # Round the weights to float32 first, so that both sides start from exactly the same values.
    p = {k: v.to(torch.float32).to(torch.float64).requires_grad_(True) for k, v in p.items()}
    ids = torch.randint(VOCAB, (BATCH, T), generator=gen)
    targets = torch.randint(VOCAB, (BATCH, T), generator=gen)
    logits = forward(p, ids)
    loss = F.cross_entropy(logits.view(-1, VOCAB), targets.view(-1))
    loss.backward()
    out = dict(p)
    out["input.ids"] = ids.to(torch.float64)
    out["input.targets"] = targets.to(torch.float64)
    out["output.logits"] = logits
    out["output.loss"] = loss.reshape(())
    for name, t in p.items():
        out["grad." + name] = t.grad
    meta = {"torch": torch.__version__, "config": json.dumps(
        {"vocab": VOCAB, "context": CONTEXT, "width": WIDTH, "heads": HEADS, "layers": LAYERS, "ff": FF})}
    write_safetensors(OUT, out, meta)
    print(f"wrote {OUT}: loss {loss.item():.6f}, {len(out)} tensors")


if __name__ == "__main__":
    main()
