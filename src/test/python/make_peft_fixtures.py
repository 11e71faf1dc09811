"""LoRA adapters made by the real peft library on the test models, for PeftAdapterTest.

    DIR/bin/python src/test/python/make_peft_fixtures.py src/test/resources

DIR is a venv from ../shared/bench/make-pyenv.sh (transformers, peft). For each base folder (the Llama and Qwen2 of
make_llama_fixtures.py, the GPT-2 of hf/gpt2-tiny) peft's get_peft_model adds a LoRA adapter with B drawn at random
(init_lora_weights=False, so that the adapter changes the outputs), save_pretrained writes it to
peft/<name>/adapter, and expected.json holds the ids and the PeftModel's logits (float32, eager attention).

With --check-written, it instead reads each adapter Orthrus wrote under peft-written/<name>/adapter (PeftAdapterTest's
main method writes them, on the bases of WRITTEN), loads it with PeftModel.from_pretrained on its base and writes
reference.json: the logits.
"""
import json
import os
import sys

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

CASES = {
    # name: (base folder under the resources, LoraConfig arguments)
    "llama": ("llama/llama", dict(r=4, lora_alpha=8, use_rslora=True,
                                  target_modules=["q_proj", "v_proj", "o_proj", "down_proj"])),
    "qwen2": ("llama/qwen2", dict(r=2, lora_alpha=6,
                                  target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                                  "down_proj"])),
    "gpt2": ("hf/gpt2-tiny", dict(r=3, lora_alpha=5, target_modules=["c_attn", "c_proj"], fan_in_fan_out=True)),
}


WRITTEN = {"llama": "llama/llama", "gpt2": "hf/gpt2-tiny"}  # the base of each adapter PeftAdapterTest writes


def load(folder):
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()


def logits_of(model, vocab):
    ids = torch.randint(3, vocab, (2, 10), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        return ids, model(ids).logits


def make(resources):
    for name, (base, arguments) in CASES.items():
        torch.manual_seed(11)
        model = load(os.path.join(resources, base))
        peft_model = get_peft_model(model, LoraConfig(lora_dropout=0.0, init_lora_weights=False, **arguments)).eval()
        out = os.path.join(resources, "peft", name)
        peft_model.save_pretrained(os.path.join(out, "adapter"))
        os.remove(os.path.join(out, "adapter", "README.md"))  # peft's model card: not needed by the tests
        ids, logits = logits_of(peft_model, model.config.vocab_size)
        with open(os.path.join(out, "expected.json"), "w") as f:
            json.dump({"base": base, "ids": ids.flatten().tolist(), "shape": list(ids.shape),
                       "logits": logits.flatten().tolist()}, f)


def check_written(resources):
    root = os.path.join(resources, "peft-written")
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        base = load(os.path.join(resources, WRITTEN[name]))
        model = PeftModel.from_pretrained(base, os.path.join(folder, "adapter")).eval()
        ids, logits = logits_of(model, base.config.vocab_size)
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump({"ids": ids.flatten().tolist(), "shape": list(ids.shape), "logits": logits.flatten().tolist()}, f)


if __name__ == "__main__":
    if sys.argv[1] == "--check-written":
        check_written(sys.argv[2])
    else:
        make(sys.argv[1])
