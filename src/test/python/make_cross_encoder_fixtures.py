"""Writes cross-encoder (reranker) folders as sentence-transformers saves them, with reference scores.

    DIR/bin/python src/test/python/make_cross_encoder_fixtures.py src/test/resources/cross-encoder

DIR is a venv from ../shared/bench/make-pyenv.sh (sentence-transformers 6, transformers 5, PyTorch). A random
BertForSequenceClassification (dropout 0.1 left in its config) is saved by CrossEncoder.save and scored by
CrossEncoder.predict of the folder loaded back from disk:
  one-label/     num_labels 1, the layout of sentence-transformers 6 (modules.json, activation_fn Sigmoid in
                 config_sentence_transformers.json), max length 12, so that the longest pair is truncated
                 (longest first); scores with the folder's sigmoid
  three-labels/  num_labels 3, the layout of sentence-transformers 2 to 4 (no modules.json; activation_fn Identity
                 under "sentence_transformers" in config.json); raw logits, and their softmax
  distilbert/    a random DistilBertForSequenceClassification (pre_classifier + ReLU head), one label, saved by
                 CrossEncoder.save; scores with the folder's sigmoid
Pairs are scored with batch size 2, so that padding within a batch matters.
"""
import json
import os
import shutil
import sys

import torch
from sentence_transformers import CrossEncoder
from transformers import (BertConfig, BertForSequenceClassification, BertTokenizerFast, DistilBertConfig,
                          DistilBertForSequenceClassification)

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "cat", "barks", "meows", "a", "runs", ".",
         "##s", "big", "small", "what", "does", "at", "night", "and", "sleeps", "on", "mat", "river", "bank", "money",
         "in", "of", "##ing", "sit", "where", "is", "?"]
QUERY = "where does the cat sleep ?"
DOCUMENTS = ["the cat sleeps on the mat .", "the dog barks at night", "money in the bank",
             "a big small cat sleeps on the mat and the dog barks at night on the river bank .", "cats"]


def rounded(values):
    return [[round(float(v), 7) for v in row] if hasattr(row, "__len__") else round(float(row), 7) for row in values]


def base(out, labels):
    folder = os.path.join(out, "_base")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    torch.manual_seed(11 + labels)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=32, max_position_embeddings=40, num_labels=labels,
                        initializer_range=0.5)  # large weights: scores that differ from pair to pair
    BertForSequenceClassification(config).save_pretrained(folder)
    BertTokenizerFast(os.path.join(folder, "vocab.txt"), do_lower_case=True).save_pretrained(folder)
    return folder


def main():
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    pairs = [(QUERY, d) for d in DOCUMENTS]

    folder = os.path.join(out, "one-label")
    CrossEncoder(base(out, 1), max_length=12).save(folder)
    model = CrossEncoder(folder)
    model.eval()
    assert model.max_length == 12, model.max_length
    tokens = model.tokenizer([QUERY] * len(DOCUMENTS), DOCUMENTS, truncation="longest_first", max_length=12)
    reference = {"query": QUERY, "documents": DOCUMENTS, "scores": rounded(model.predict(pairs, batch_size=2)),
                 "ids": tokens["input_ids"], "token_types": tokens["token_type_ids"]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
    os.remove(os.path.join(folder, "README.md"))

    folder = os.path.join(out, "three-labels")
    shutil.copytree(base(out, 3), folder)
    os.remove(os.path.join(folder, "vocab.txt"))
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    config["sentence_transformers"] = {"activation_fn": "torch.nn.modules.linear.Identity"}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    model = CrossEncoder(folder)
    model.eval()
    reference = {"query": QUERY, "documents": DOCUMENTS, "scores": rounded(model.predict(pairs, batch_size=2)),
                 "softmax": rounded(model.predict(pairs, batch_size=2, apply_softmax=True))}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
    shutil.rmtree(os.path.join(out, "_base"))

    distil = os.path.join(out, "_distil")
    os.makedirs(distil)
    with open(os.path.join(distil, "vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    torch.manual_seed(14)
    DistilBertForSequenceClassification(DistilBertConfig(vocab_size=len(WORDS), dim=16, n_layers=2, n_heads=4,
                                                         hidden_dim=32, max_position_embeddings=40, num_labels=1,
                                                         initializer_range=0.5)).save_pretrained(distil)
    BertTokenizerFast(os.path.join(distil, "vocab.txt"), do_lower_case=True).save_pretrained(distil)
    folder = os.path.join(out, "distilbert")
    CrossEncoder(distil, max_length=12).save(folder)
    model = CrossEncoder(folder)
    model.eval()
    reference = {"query": QUERY, "documents": DOCUMENTS, "scores": rounded(model.predict(pairs, batch_size=2))}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
    os.remove(os.path.join(folder, "README.md"))
    shutil.rmtree(distil)


if __name__ == "__main__":
    main()
