#!/usr/bin/env python3
"""Writes the PyTorch reference that GptTrainingParityTest compares Orthrus's training loop against.

The tiny GPT of make_gpt_parity_fixture.py (same architecture, names and starting weights) is trained
for 24 steps by torch.optim.AdamW in float64 with nanoGPT's recipe around it: decoupled weight decay
on matrices only, linear warm-up then cosine decay of the learning rate, global-norm clipping at 1.0
(large enough weights that clipping is active early on), next-token windows of random ids. The
script records the windows, the loss and the pre-clipping gradient norm of every step, and the
weights at the end.

Output: src/test/resources/fixtures/gpt_training.safetensors (F32; computed in float64, rounded once).
Run from the repository root with Debian's PyTorch:
    apt-get install -y python3-torch
    /usr/bin/python3 src/test/python/make_gpt_training_fixture.py
"""
import json
import math

import torch
import torch.nn.functional as F

from make_gpt_parity_fixture import BATCH, CONTEXT, FF, HEADS, LAYERS, T, VOCAB, WIDTH, forward, parameters
from safetensors_file import write_safetensors

STEPS, WARMUP, LR, MIN_LR, DECAY, BETAS, CLIP = 24, 4, 3e-2, 3e-3, 0.1, (0.9, 0.99), 1.0
OUT = "src/test/resources/fixtures/gpt_training.safetensors"


def lr_at(step):
    """nanoGPT's schedule, as Orthrus's LrSchedule.warmupCosine writes it."""
    if step < WARMUP:
        return LR * (step + 1) / (WARMUP + 1)
    frac = min(1.0, (step - WARMUP) / max(1, STEPS - WARMUP))
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * frac)) * (LR - MIN_LR)


def main():
    gen = torch.Generator().manual_seed(2026)
    start = {k: v.to(torch.float32).to(torch.float64) for k, v in parameters(gen).items()}
    p = {k: v.clone().requires_grad_(True) for k, v in start.items()}
    decay = [t for t in p.values() if t.dim() >= 2]
    no_decay = [t for t in p.values() if t.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": DECAY}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=1e-8)
    data = torch.Generator().manual_seed(7)
    windows = torch.randint(VOCAB, (STEPS, BATCH, T + 1), generator=data)
    losses, norms = [], []
    for step in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        w = windows[step]
        logits = forward(p, w[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), w[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(list(p.values()), CLIP).item())
        opt.step()
        losses.append(loss.item())
    out = {"start." + k: v for k, v in start.items()}
    out.update({"end." + k: v.detach() for k, v in p.items()})
    out["input.windows"] = windows.to(torch.float64)
    out["output.losses"] = torch.tensor(losses, dtype=torch.float64)
    out["output.grad_norms"] = torch.tensor(norms, dtype=torch.float64)
    meta = {"torch": torch.__version__, "config": json.dumps(
        {"vocab": VOCAB, "context": CONTEXT, "width": WIDTH, "heads": HEADS, "layers": LAYERS, "ff": FF,
         "steps": STEPS, "warmup": WARMUP, "lr": LR, "min_lr": MIN_LR, "weight_decay": DECAY,
         "betas": list(BETAS), "clip": CLIP})}
    write_safetensors(OUT, out, meta)
    print(f"wrote {OUT}: losses {losses[0]:.4f} -> {losses[-1]:.4f}, grad norms {norms[0]:.2f} -> {norms[-1]:.2f}")


if __name__ == "__main__":
    main()
