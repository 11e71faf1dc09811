"""Writes RoBERTa-family sentence encoders and rerankers as sentence-transformers saves them, with references.

    DIR/bin/python src/test/python/make_roberta_fixtures.py src/test/resources/roberta

DIR is a venv from ../shared/bench/make-pyenv.sh (sentence-transformers 6, transformers 5, tokenizers, PyTorch).
A byte-level BPE (tokenizers' ByteLevelBPETokenizer trained on the TRAINING text below, RoBERTa's special tokens
<s> <pad> </s> <unk> <mask>, its RobertaProcessing post-processor) is saved with a random RobertaModel (positions
offset by padding_idx + 1, one token type) and a random RobertaForSequenceClassification:
  st-mean/        Transformer (RobertaModel) + Pooling(mean) + Normalize; embeddings of TEXTS by
                  SentenceTransformer.encode (batch 2, so that padding matters), and every text's token ids
  st-left/        the same encoder with truncation_side "left" in its tokenizer and max_seq_length 8: long texts lose
                  their beginnings; embeddings and ids of TEXTS, and the ids of (QUERY, document) pairs cut to 12
                  tokens longest-first from the left
  cross-encoder/  CrossEncoder.save of the classifier (one label, max length 16: the longest pair is truncated);
                  scores by CrossEncoder.predict, and the pairs' ids and token types
The references come from the folders loaded back from disk.
"""
import json
import os
import shutil
import sys

import torch
from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from tokenizers import AddedToken, ByteLevelBPETokenizer
from tokenizers.processors import RobertaProcessing
from transformers import RobertaConfig, RobertaForSequenceClassification, RobertaModel, RobertaTokenizerFast

TRAINING = ["The quick brown fox jumps over the lazy dog.", "A man is eating food.", "A man is riding a horse.",
            "Where does the cat sleep? On the mat, at night.", "Money in the bank; a bank of the river.",
            "Naïve café owners don't like 1,234 rainy days!", "def encode(self, text): return ids  # code",
            "Hello, world. Hello again, worlds!", "Les élèves étudient à l'école.", "東京は日本の首都です。"] * 3
TEXTS = ["The dog barks.", "a cat", "Where does the cat sleep? On the mat, at night, and the dog barks at the moon.",
         "Hello, world", "  spaces   and\ttabs ", "naïve café 😀", "def f(x): return x**2", "<mask> is here",
         "東京"]
QUERY = "where does the cat sleep?"
DOCUMENTS = ["The cat sleeps on the mat.", "the dog barks at night", "money in the bank",
             "A big cat sleeps on the mat and the dog barks at night on the river bank.", "cats"]


def rounded(rows):
    return [[round(float(v), 7) for v in row] if hasattr(row, "__len__") else round(float(row), 7) for row in rows]


def tokenizer(folder):
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(TRAINING, vocab_size=400, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    bpe.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)])
    bpe.post_processor = RobertaProcessing(("</s>", bpe.token_to_id("</s>")), ("<s>", bpe.token_to_id("<s>")))
    fast = RobertaTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>")
    fast.save_pretrained(folder)
    return fast


def config(vocab, **extra):
    return RobertaConfig(vocab_size=vocab, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=32, max_position_embeddings=42, type_vocab_size=1, pad_token_id=1,
                         bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **extra)


def main():
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    base = os.path.join(out, "_base")
    os.makedirs(base)
    fast = tokenizer(base)
    torch.manual_seed(21)
    RobertaModel(config(len(fast))).save_pretrained(base)

    folder = os.path.join(out, "st-mean")
    model = SentenceTransformer(modules=[Transformer(base, max_seq_length=24), Pooling(16, pooling_mode="mean"),
                                         Normalize()])
    model.save(folder)
    loaded = SentenceTransformer(folder)
    loaded.eval()
    reference = {"texts": TEXTS, "embeddings": rounded(loaded.encode(TEXTS, batch_size=2)),
                 "ids": [loaded.tokenizer(t, truncation=True, max_length=24)["input_ids"] for t in TEXTS]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)
    os.remove(os.path.join(folder, "README.md"))

    folder = os.path.join(out, "st-left")
    left = RobertaTokenizerFast.from_pretrained(base, truncation_side="left")
    left.save_pretrained(base)
    model = SentenceTransformer(modules=[Transformer(base, max_seq_length=8), Pooling(16, pooling_mode="mean")])
    model.save(folder)
    loaded = SentenceTransformer(folder)
    loaded.eval()
    assert loaded.tokenizer.truncation_side == "left"
    pairs = loaded.tokenizer([QUERY] * len(DOCUMENTS), DOCUMENTS, truncation="longest_first", max_length=12)
    reference = {"texts": TEXTS, "embeddings": rounded(loaded.encode(TEXTS, batch_size=2)),
                 "ids": [loaded.tokenizer(t, truncation=True, max_length=8)["input_ids"] for t in TEXTS],
                 "query": QUERY, "documents": DOCUMENTS, "pair_ids": pairs["input_ids"]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)
    os.remove(os.path.join(folder, "README.md"))
    shutil.rmtree(base)

    base = os.path.join(out, "_classifier")
    os.makedirs(base)
    fast = tokenizer(base)
    torch.manual_seed(22)
    RobertaForSequenceClassification(config(len(fast), num_labels=1, initializer_range=0.5)).save_pretrained(base)
    folder = os.path.join(out, "cross-encoder")
    CrossEncoder(base, max_length=16).save(folder)
    reranker = CrossEncoder(folder)
    reranker.eval()
    pairs = [(QUERY, d) for d in DOCUMENTS]
    tokens = reranker.tokenizer([QUERY] * len(DOCUMENTS), DOCUMENTS, truncation="longest_first", max_length=16)
    reference = {"query": QUERY, "documents": DOCUMENTS, "scores": rounded(reranker.predict(pairs, batch_size=2)),
                 "ids": tokens["input_ids"]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)
    os.remove(os.path.join(folder, "README.md"))
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
