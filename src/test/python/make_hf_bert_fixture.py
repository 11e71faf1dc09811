"""Writes a tiny BERT with random weights in Hugging Face's BertForMaskedLM layout, and reference logits.

    /usr/bin/python3 src/test/python/make_hf_bert_fixture.py src/test/resources/hf/bert-tiny

Output directory: config.json (BertConfig fields), model.safetensors (keys as BertForMaskedLM saves them:
"bert.embeddings.*" with LayerNorm "gamma"/"beta" in the first layer and "weight"/"bias" elsewhere, as old and new
checkpoints name them; "bert.embeddings.position_ids"; separate query/key/value; "cls.predictions.*" with the
decoder tied to the word embeddings), vocab.txt (a small WordPiece vocabulary), reference.json (ids, token types,
attention mask, and the MLM logits of this script's forward pass, written from Hugging Face's modeling_bert
equations: post-norm blocks, exact GELU, LayerNorm eps 1e-12, padding masked with a large negative number).
Needs only PyTorch (Debian python3-torch).
"""
import json
import math
import os
import sys

import torch

from safetensors_file import write_safetensors

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "cat", "barks", "meows", "a", "runs", ".",
         "##s", "big", "small"]
VOCAB, POSITIONS, WIDTH, LAYERS, HEADS, FF, EPS = len(WORDS), 16, 32, 2, 4, 64, 1e-12


def forward(w, ids, types, mask):
    b, t = ids.shape
    e = "bert.embeddings."
    x = w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][torch.arange(t)] \
        + w[e + "token_type_embeddings.weight"][types]
    x = torch.nn.functional.layer_norm(x, (WIDTH,), w[e + "LayerNorm.gamma"], w[e + "LayerNorm.beta"], EPS)
    hs = WIDTH // HEADS
    blocked = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(LAYERS):
        p = "bert.encoder.layer.%d." % i
        lin = lambda z, name: z @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q, k, v = [lin(x, "attention.self." + n).view(b, t, HEADS, hs).transpose(1, 2) for n in ("query", "key", "value")]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs) + blocked
        a = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = torch.nn.functional.layer_norm(x + lin(a, "attention.output.dense"), (WIDTH,),
                                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], EPS)
        h = torch.nn.functional.gelu(lin(x, "intermediate.dense"))
        x = torch.nn.functional.layer_norm(x + lin(h, "output.dense"), (WIDTH,),
                                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], EPS)
    c = "cls.predictions."
    h = torch.nn.functional.gelu(x @ w[c + "transform.dense.weight"].T + w[c + "transform.dense.bias"])
    h = torch.nn.functional.layer_norm(h, (WIDTH,), w[c + "transform.LayerNorm.weight"], w[c + "transform.LayerNorm.bias"], EPS)
    return h @ w[e + "word_embeddings.weight"].T + w[c + "bias"]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(4321)
    r = lambda *shape, s=0.3: torch.randn(*shape) * s
    e = "bert.embeddings."
    w = {e + "word_embeddings.weight": r(VOCAB, WIDTH, s=0.5), e + "position_embeddings.weight": r(POSITIONS, WIDTH),
         e + "token_type_embeddings.weight": r(2, WIDTH), e + "LayerNorm.gamma": 1 + r(WIDTH, s=0.2),
         e + "LayerNorm.beta": r(WIDTH, s=0.1), e + "position_ids": torch.arange(POSITIONS).view(1, -1)}
    for i in range(LAYERS):
        p = "bert.encoder.layer.%d." % i
        for n in ("query", "key", "value"):
            w[p + "attention.self." + n + ".weight"] = r(WIDTH, WIDTH)
            w[p + "attention.self." + n + ".bias"] = r(WIDTH, s=0.1)
        w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"] = r(WIDTH, WIDTH), r(WIDTH, s=0.1)
        w[p + "attention.output.LayerNorm.weight"] = 1 + r(WIDTH, s=0.2)
        w[p + "attention.output.LayerNorm.bias"] = r(WIDTH, s=0.1)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = r(FF, WIDTH), r(FF, s=0.1)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = r(WIDTH, FF), r(WIDTH, s=0.1)
        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"] = 1 + r(WIDTH, s=0.2), r(WIDTH, s=0.1)
    c = "cls.predictions."
    w[c + "bias"] = r(VOCAB, s=0.1)
    w[c + "transform.dense.weight"], w[c + "transform.dense.bias"] = r(WIDTH, WIDTH), r(WIDTH, s=0.1)
    w[c + "transform.LayerNorm.weight"], w[c + "transform.LayerNorm.bias"] = 1 + r(WIDTH, s=0.2), r(WIDTH, s=0.1)
    write_safetensors(os.path.join(out, "model.safetensors"), w, {"format": "pt"})
    config = {"model_type": "bert", "architectures": ["BertForMaskedLM"], "vocab_size": VOCAB, "hidden_size": WIDTH,
              "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": FF, "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": POSITIONS,
              "type_vocab_size": 2, "layer_norm_eps": EPS, "position_embedding_type": "absolute"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    ids = torch.tensor([[2, 5, 4, 8, 12, 3, 0, 0], [2, 10, 14, 4, 9, 12, 3, 5]])
    types = torch.tensor([[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]])
    with torch.no_grad():
        logits = forward(w, ids, types, mask)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"ids": ids.tolist(), "token_types": types.tolist(), "attention_mask": mask.tolist(),
                   "logits": [round(v, 6) for v in logits.flatten().tolist()]}, f)


if __name__ == "__main__":
    main()
