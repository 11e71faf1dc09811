#!/usr/bin/env python3
"""Character-level Llama-style decoder trained on CPU with PyTorch: the reference for
`orthrus bench gpt --blocks llama` (docs/performance.md#llama-blocks-against-pytorch).

The recipe is nanoGPT's CPU recipe as ../shared/bench/torch_gpt_ref.py runs it (same data split,
batches of uniformly random windows, AdamW lr 1e-3 with betas (0.9, 0.99), weight decay 0.1 on
matrices only, clipping at 1.0, 100 warm-up steps then cosine decay to lr/10), with Llama blocks
instead of GPT-2's: RMS norm (weight only), rotary positions (transformers' rotate_half pairing of
channel i with i + head_size/2), grouped-query attention (each key/value head serves
heads/kv_heads consecutive query heads), SwiGLU feed-forward down(silu(gate(x)) * up(x)), no
biases, output head tied to the token embedding. Weights start as N(0, 0.02), the residual
projections (o_proj, down_proj) as N(0, 0.02/sqrt(2 * layers)), as Orthrus's Gpt does.

Only torch and the standard library, so that it runs on Debian's python3-torch (the fastest
PyTorch on the benchmark machine). `--check-transformers` (needs transformers) copies the
weights into transformers' LlamaForCausalLM and checks that both give the same logits, to show
that the model here is the Llama architecture.

Prints one JSON line on stdout.

  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 src/test/python/torch_llama_ref.py \
      --data ../shared/data/tinyshakespeare.txt --threads 2
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RmsNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_heads):
        super().__init__()
        assert dim % heads == 0 and heads % kv_heads == 0
        self.heads, self.kv_heads, self.hs = heads, kv_heads, dim // heads
        self.q_proj = nn.Linear(dim, heads * self.hs, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * self.hs, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * self.hs, bias=False)
        self.o_proj = nn.Linear(heads * self.hs, dim, bias=False)

    def forward(self, x, cos, sin, allowed):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.hs).transpose(1, 2)  # (b, nh, t, hs)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.hs).transpose(1, 2)  # (b, nkv, t, hs)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.hs).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = self.heads // self.kv_heads
        if group > 1:  # transformers' repeat_kv
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hs)
        scores = scores.masked_fill(~allowed, float("-inf"))
        out = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(out)


class Block(nn.Module):
    def __init__(self, dim, heads, kv_heads, ff, eps):
        super().__init__()
        self.input_layernorm = RmsNorm(dim, eps)
        self.self_attn = Attention(dim, heads, kv_heads)
        self.post_attention_layernorm = RmsNorm(dim, eps)
        self.gate_proj = nn.Linear(dim, ff, bias=False)
        self.up_proj = nn.Linear(dim, ff, bias=False)
        self.down_proj = nn.Linear(ff, dim, bias=False)

    def forward(self, x, cos, sin, allowed):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, allowed)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class TinyLlama(nn.Module):
    def __init__(self, vocab, block, layers, heads, kv_heads, dim, ff, theta, eps):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(Block(dim, heads, kv_heads, ff, eps) for _ in range(layers))
        self.norm = RmsNorm(dim, eps)
        hs = dim // heads
        inv_freq = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=torch.int64).float() / hs))
        angles = torch.outer(torch.arange(block).float(), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)  # (block, hs): channel i and i + hs/2 turn together
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)
        tri = torch.tril(torch.ones(block, block, dtype=torch.bool))
        self.register_buffer("allowed", tri, persistent=False)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                residual = name.endswith("o_proj.weight") or name.endswith("down_proj.weight")
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers) if residual else 0.02)

    def forward(self, idx, targets=None):
        t = idx.shape[1]
        cos, sin, allowed = self.cos[:t], self.sin[:t], self.allowed[:t, :t]
        x = self.embed_tokens(idx)
        for layer in self.layers:
            x = layer(x, cos, sin, allowed)
        logits = F.linear(self.norm(x), self.embed_tokens.weight)  # tied output head
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def check_transformers(model, args, vocab):
    """The same weights in transformers' LlamaForCausalLM give the same logits."""
    from transformers import LlamaConfig, LlamaForCausalLM
    config = LlamaConfig(vocab_size=vocab, hidden_size=args.dim, intermediate_size=args.ff,
                         num_hidden_layers=args.layers, num_attention_heads=args.heads,
                         num_key_value_heads=args.kv_heads, max_position_embeddings=args.block,
                         rms_norm_eps=args.eps, rope_theta=args.theta, tie_word_embeddings=True,
                         attention_bias=False, mlp_bias=False)
    config._attn_implementation = "eager"
    hf = LlamaForCausalLM(config).eval()
    state = {}
    for name, p in model.state_dict().items():
        name = name.replace(".gate_proj", ".mlp.gate_proj").replace(".up_proj", ".mlp.up_proj") \
            .replace(".down_proj", ".mlp.down_proj")
        state["model." + name] = p
    state["lm_head.weight"] = model.embed_tokens.weight
    missing, unexpected = hf.load_state_dict(state, strict=False)
    missing = [m for m in missing if "rotary_emb" not in m]
    if missing or unexpected:
        raise SystemExit(f"check-transformers: missing {missing}, unexpected {unexpected}")
    idx = torch.randint(vocab, (2, args.block), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        ours, _ = model(idx)
        theirs = hf(idx).logits
    diff = (ours - theirs).abs().max().item()
    print(json.dumps({"check": "transformers LlamaForCausalLM", "max_abs_logit_diff": diff}), file=sys.stderr)
    if diff > 1e-4:
        raise SystemExit(f"check-transformers: logits differ by {diff}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="path to a UTF-8 text corpus (e.g. tinyshakespeare.txt)")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads(K); 0 = leave torch default")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv_heads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--ff", type=int, default=384, help="SwiGLU width (default 3 x dim: nanoGPT's block parameters)")
    ap.add_argument("--theta", type=float, default=10000.0)
    ap.add_argument("--eps", type=float, default=1e-5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min_lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight_decay", type=float, default=0.1)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--eval_iters", type=int, default=200, help="batches per split for the final loss estimate")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--check-transformers", action="store_true",
                    help="also check the logits against transformers' LlamaForCausalLM with the same weights")
    args = ap.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    with open(args.data, "r", encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(0.9 * len(ids))
    splits = {"train": ids[:cut], "val": ids[cut:]}

    def batch(split):
        src = splits[split]
        starts = torch.randint(len(src) - args.block - 1, (args.batch,), generator=gen)
        win = src[starts[:, None] + torch.arange(args.block + 1)[None, :]]
        return win[:, :-1].contiguous(), win[:, 1:].contiguous()

    model = TinyLlama(len(chars), args.block, args.layers, args.heads, args.kv_heads, args.dim, args.ff,
                      args.theta, args.eps)
    if args.check_transformers:
        check_transformers(model, args, len(chars))
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.99), eps=1e-8)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / (args.warmup + 1)
        frac = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
        return args.min_lr + 0.5 * (1.0 + math.cos(math.pi * frac)) * (args.lr - args.min_lr)

    @torch.no_grad()
    def estimate(split):
        model.eval()
        total = sum(model(*batch(split))[1].item() for _ in range(args.eval_iters))
        model.train()
        return total / args.eval_iters

    step_ms = []
    t_start = time.perf_counter()
    for step in range(args.steps):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch("train")
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        last_loss = loss.item()
        step_ms.append((time.perf_counter() - t0) * 1e3)
    train_wall = time.perf_counter() - t_start

    med = statistics.median(step_ms)
    out = {
        "torch": torch.__version__, "threads": torch.get_num_threads(), "steps": args.steps,
        "batch": args.batch, "block": args.block, "layers": args.layers, "heads": args.heads,
        "kv_heads": args.kv_heads, "dim": args.dim, "ff": args.ff, "vocab": len(chars),
        "params": sum(p.numel() for p in model.parameters()),
        "ms_per_step": round(med, 3), "tokens_per_s": round(args.batch * args.block / (med / 1e3), 1),
        "last_batch_loss": round(last_loss, 4),
        "train_loss": round(estimate("train"), 4), "val_loss": round(estimate("val"), 4),
        "train_wall_s": round(train_wall, 2),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
