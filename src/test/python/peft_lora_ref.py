#!/usr/bin/env python3
"""PyTorch + PEFT reference for `orthrus bench lora`: fine-tuning a GPT-2-small-shaped model (transformers'
GPT2LMHeadModel, random weights, dropout 0) in full or through a PEFT LoRA adapter, on batches of random token
windows with AdamW (lr 1e-4, betas (0.9, 0.999), no weight decay) and clipping at 1. Prints one JSON line: the
parameters and the trainable ones, the median ms per step, tokens per second and the process's peak resident memory.

    DIR/bin/python src/test/python/peft_lora_ref.py --mode lora --rank 8 --targets c_attn --threads 2

DIR is a venv from ../shared/bench/make-pyenv.sh (torch, transformers, peft).
"""
import argparse
import json
import resource
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import GPT2Config, GPT2LMHeadModel


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["full", "lora"], default="lora")
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--targets", default="c_attn", help="comma-separated target_modules")
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    config = GPT2Config(n_layer=args.layers, n_embd=args.width, n_head=args.heads, n_positions=max(1024, args.context),
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config)
    if args.mode == "lora":
        model = get_peft_model(model, LoraConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=0.0,
                                                 target_modules=args.targets.split(","), fan_in_fan_out=True))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, betas=(0.9, 0.999), weight_decay=0.0)
    gen = torch.Generator().manual_seed(args.seed)
    step_ms = []
    for _ in range(args.steps):
        ids = torch.randint(config.vocab_size, (args.batch, args.context + 1), generator=gen)
        start = time.perf_counter()
        out = model(input_ids=ids[:, :-1], labels=ids[:, :-1])  # labels shifted inside: same loss as next-token
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        step_ms.append((time.perf_counter() - start) * 1e3)
        last = out.loss.item()
    median = statistics.median(step_ms)
    print(json.dumps({
        "bench": "peft-lora-ref", "mode": args.mode, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "layers": args.layers, "width": args.width, "context": args.context, "batch": args.batch, "steps": args.steps,
        "params": sum(p.numel() for p in model.parameters()), "trainable_params": sum(p.numel() for p in trainable),
        "train_loss": round(last, 4), "ms_per_step": round(median, 3),
        "tokens_per_s": round(args.batch * args.context / (median / 1e3)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)}))


if __name__ == "__main__":
    main()
