"""Generation speed of transformers' generate on PyTorch, the reference for `orthrus bench generate`.

    OMP_NUM_THREADS=2 DIR/bin/python src/test/python/generate_reference.py --shape smollm2-135m --tokens 200

DIR is a venv from ../shared/bench/make-pyenv.sh (CPU PyTorch 2.x, transformers). The model is a LlamaForCausalLM of
the shape asked (random weights, float32 unless --dtype bfloat16, eager attention), or --model DIR a folder. The
prompt is --prompt-tokens random ids; generate runs greedily with the KV cache for exactly --tokens new tokens
(min_new_tokens, so no end token stops it), and a streamer notes when each token comes. After a warm-up run, the
median of --repeats runs is printed as one JSON line with the fields of Orthrus's: prefill_tokens_per_s (the prompt's
tokens over the time to the first new token), decode_tokens_per_s and decode_ms_p50/p99 (the tokens after it).
"""
import argparse
import json
import statistics
import time

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

SHAPES = {
    "smollm2-135m": dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                         rms_norm_eps=1e-5, rope_theta=100000.0, tie_word_embeddings=True),
}


class Clock:
    """A streamer that notes the time of each put: the prompt first, then each new token."""

    def __init__(self):
        self.times = []

    def put(self, value):
        self.times.append(time.perf_counter())

    def end(self):
        pass


def run(model, prompt, tokens):
    clock = Clock()
    start = time.perf_counter()
    with torch.inference_mode():
        model.generate(prompt, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False, use_cache=True,
                       streamer=clock, pad_token_id=0)
    new = clock.times[1:]  # the first put is the prompt
    steps = sorted((b - a) * 1000 for a, b in zip(new, new[1:]))
    return {"prefill_s": new[0] - start, "decode_s": new[-1] - new[0], "steps": steps}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="smollm2-135m", choices=sorted(SHAPES))
    parser.add_argument("--model", help="a Hugging Face folder instead of a shape")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--prompt-tokens", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    dtype = getattr(torch, args.dtype)
    if args.model:
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype, attn_implementation="eager")
    else:
        config = LlamaConfig(**SHAPES[args.shape], attn_implementation="eager")
        model = LlamaForCausalLM(config).to(dtype)
    model.eval()
    prompt = torch.randint(0, model.config.vocab_size, (1, args.prompt_tokens))
    run(model, prompt, min(args.tokens, 16))  # warm-up
    runs = [run(model, prompt, args.tokens) for _ in range(args.repeats)]
    best = sorted(runs, key=lambda r: r["decode_s"])[len(runs) // 2]
    steps = best["steps"]
    print(json.dumps({
        "engine": "transformers " + __import__("transformers").__version__ + ", torch " + torch.__version__,
        "threads": torch.get_num_threads(), "model": args.model or args.shape, "dtype": args.dtype,
        "params": sum(p.numel() for p in model.parameters()), "prompt_tokens": args.prompt_tokens,
        "tokens": args.tokens,
        "prefill_tokens_per_s": round(args.prompt_tokens / best["prefill_s"], 4),
        "decode_tokens_per_s": round((args.tokens - 1) / best["decode_s"], 4),
        "decode_ms_p50": round(statistics.median(steps), 4),
        "decode_ms_p99": round(steps[min(len(steps) - 1, int(0.99 * len(steps)))], 4),
        "decode_tokens_per_s_runs": [round((args.tokens - 1) / r["decode_s"], 4) for r in runs],
    }))


if __name__ == "__main__":
    main()
