"""Writes reference.json into each folder Orthrus wrote under src/test/resources/llama-written (see WrittenLlamaTest,
whose main method writes them): what transformers' AutoModelForCausalLM gives for the folder.

    DIR/bin/python src/test/python/make_written_llama_fixture.py src/test/resources/llama-written

DIR is a venv from ../shared/bench/make-pyenv.sh. For each folder: the logits (float32, eager attention) of a batch of
two sequences of 10 ids, and 20 tokens generated greedily after the first 4 ids of the first sequence.
"""
import json
import os
import sys

import torch
from transformers import AutoModelForCausalLM


def main(root):
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
        ids = torch.randint(3, model.config.vocab_size, (2, 10), generator=torch.Generator().manual_seed(7))
        with torch.no_grad():
            logits = model(ids).logits
            generated = model.generate(ids[:1, :4], max_new_tokens=20, min_new_tokens=20, do_sample=False,
                                       eos_token_id=None, pad_token_id=0)
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump({"architecture": type(model).__name__, "ids": ids.flatten().tolist(), "shape": list(ids.shape),
                       "logits": logits.flatten().tolist(), "prompt": ids[0, :4].tolist(),
                       "generated": generated[0, 4:].tolist()}, f)


if __name__ == "__main__":
    main(sys.argv[1])
