"""Writes sentence-transformers model folders as sentence-transformers itself saves them, with reference embeddings.

    DIR/bin/python src/test/python/make_sentence_transformers_fixtures.py src/test/resources/st

DIR is a venv from ../shared/bench/make-pyenv.sh (sentence-transformers 6, transformers 5, PyTorch). One random
BertModel (dropout 0.1 left in the config, so that a loader that leaves dropout on fails) is wrapped in
SentenceTransformer models that differ in pooling, normalisation and layout; every folder is written by
SentenceTransformer.save, every reference by SentenceTransformer.encode of the folder loaded back from disk:
  mean-normalize/   Transformer + Pooling(mean) + Normalize, the layout sentence-transformers 6 writes
                    (pooling_mode, max length in tokenizer_config.json's model_max_length); also encoded with the
                    prompt "query: "
  cls/, max/, lasttoken/, mean-sqrt-len/, weightedmean/
                    the same Transformer with each other pooling mode, not normalised
  mean-no-prompt/   mean pooling with include_prompt false, encoded with the prompt "query: " (the prompt's tokens
                    are left out of the mean)
  legacy-cls/       the layout of sentence-transformers 2 to 5, rewritten by this script: module types
                    sentence_transformers.models.*, sentence_bert_config.json {max_seq_length, do_lower_case},
                    1_Pooling/config.json with the pooling_mode_*_token flags; CLS pooling, max length 10, so that
                    the longest text is truncated; sentence-transformers 6 reads it back for the reference
  distilbert-mean/  a random DistilBertModel (its own key names, no token types) with mean pooling and Normalize
Texts of mixed lengths are encoded with batch size 2, so that padding within a batch matters.
"""
import json
import os
import shutil
import sys

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from transformers import BertConfig, BertModel, BertTokenizerFast, DistilBertConfig, DistilBertModel

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "cat", "barks", "meows", "a", "runs", ".",
         "##s", "big", "small", "query", ":", "at", "night", "and", "sleeps", "on", "mat", "river", "bank", "money",
         "in", "of", "##ing", "sit", "h", "##e", "##l", "##o", "w", "##r", "##d", ","]
TEXTS = ["the dog barks .", "a cat", "the big small cat sleeps on the mat at night and the dog barks .",
         "Hello, world", "river bank", "money in the bank", "sitting cats"]
PROMPT = "query: "


def rounded(rows):
    return [[round(float(v), 7) for v in row] for row in rows]


def transformer(base, max_length):
    return Transformer(base, max_seq_length=max_length)


def save(folder, modules, prompt=None):
    model = SentenceTransformer(modules=modules)
    model.save(folder)
    loaded = SentenceTransformer(folder)
    loaded.eval()
    reference = {"texts": TEXTS, "embeddings": rounded(loaded.encode(TEXTS, batch_size=2))}
    if prompt is not None:
        reference["prompt"] = prompt
        reference["prompt_embeddings"] = rounded(loaded.encode(TEXTS, batch_size=2, prompt=prompt))
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
    os.remove(os.path.join(folder, "README.md"))


def legacy(folder):
    """Rewrites a saved folder into the layout sentence-transformers 2 to 5 wrote."""
    with open(os.path.join(folder, "modules.json")) as f:
        modules = json.load(f)
    kinds = {"Transformer": "sentence_transformers.models.Transformer",
             "Pooling": "sentence_transformers.models.Pooling", "Normalize": "sentence_transformers.models.Normalize"}
    for m in modules:
        m["type"] = kinds[m["type"].rsplit(".", 1)[1]]
    with open(os.path.join(folder, "modules.json"), "w") as f:
        json.dump(modules, f, indent=2)
    with open(os.path.join(folder, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": 10, "do_lower_case": False}, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json")) as f:
        tokenizer_config = json.load(f)
    tokenizer_config["model_max_length"] = 512
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config, f, indent=2)
    with open(os.path.join(folder, "1_Pooling", "config.json")) as f:
        dimension = json.load(f)["embedding_dimension"]
    with open(os.path.join(folder, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": dimension, "pooling_mode_cls_token": True,
                   "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
                   "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
                   "pooling_mode_lasttoken": False, "include_prompt": True}, f, indent=2)


def main():
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    base = os.path.join(out, "_base")
    os.makedirs(base)
    with open(os.path.join(base, "vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    tokenizer = BertTokenizerFast(os.path.join(base, "vocab.txt"), do_lower_case=True)
    torch.manual_seed(7)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=32, max_position_embeddings=40)
    BertModel(config).save_pretrained(base)
    tokenizer.save_pretrained(base)

    def dimension():
        return config.hidden_size

    save(os.path.join(out, "mean-normalize"),
         [transformer(base, 32), Pooling(dimension(), pooling_mode="mean"), Normalize()], prompt=PROMPT)
    for mode, name in [("cls", "cls"), ("max", "max"), ("lasttoken", "lasttoken"),
                       ("mean_sqrt_len_tokens", "mean-sqrt-len"), ("weightedmean", "weightedmean")]:
        save(os.path.join(out, name), [transformer(base, 32), Pooling(dimension(), pooling_mode=mode)])
    save(os.path.join(out, "mean-no-prompt"),
         [transformer(base, 32), Pooling(dimension(), pooling_mode="mean", include_prompt=False)], prompt=PROMPT)

    folder = os.path.join(out, "legacy-cls")
    SentenceTransformer(modules=[transformer(base, 32), Pooling(dimension(), pooling_mode="cls")]).save(folder)
    legacy(folder)
    loaded = SentenceTransformer(folder)
    loaded.eval()
    assert loaded.max_seq_length == 10, loaded.max_seq_length
    reference = {"texts": TEXTS, "embeddings": rounded(loaded.encode(TEXTS, batch_size=2)),
                 "ids": [loaded.tokenize([t])["input_ids"][0].tolist() for t in TEXTS]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
    os.remove(os.path.join(folder, "README.md"))
    shutil.rmtree(base)

    base = os.path.join(out, "_distil")
    os.makedirs(base)
    torch.manual_seed(8)
    DistilBertModel(DistilBertConfig(vocab_size=len(WORDS), dim=16, n_layers=2, n_heads=4, hidden_dim=32,
                                     max_position_embeddings=40, initializer_range=0.2)).save_pretrained(base)
    tokenizer.save_pretrained(base)
    save(os.path.join(out, "distilbert-mean"), [transformer(base, 32), Pooling(dimension(), pooling_mode="mean"),
                                                Normalize()])
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
