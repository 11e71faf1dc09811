"""Writes two small tokenizer.json files with Hugging Face's tokenizers library and the ids it gives:
byte-level BPE in GPT-2's configuration (bpe-tokenizer.json) and WordPiece in BERT's (wordpiece-tokenizer.json),
plus tokenizer_json_reference.json (texts and ids, special tokens not added).

    python3 src/test/python/make_tokenizer_json_fixtures.py src/test/resources/tokenize

Needs `pip install tokenizers` (a local wheel; no network).
"""
import json
import os
import sys

import tokenizers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

CORPUS = [
    "the dog that the farmers feed barks loudly .", "two happy children play today .",
    "Don't you think it's 2024? I'm sure they'll say we've done it.", "café naïve résumé — 日本語 😀",
    "the teacher teaches the children again .", "every bird flies quickly .",
] * 20

TEXTS = ["the dog barks .", "Don't stop", "  two  spaces", "new\nline\ttab", "café 😀 日本", "", "unseen zebra words",
         "THE DOG", "it's 12345 o'clock"]


def main():
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"])
    bpe.train_from_iterator(CORPUS, trainer)
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    bpe.save(os.path.join(directory, "bpe-tokenizer.json"))

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "bark", "##s", ".", "two", "happy", "child",
             "##ren", "play", "to", "##day", "don", "'", "t", "stop", "space", "new", "line", "tab", "cafe", "日", "本"]
    wp = Tokenizer(models.WordPiece({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    wp.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                               lowercase=True)
    wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wp.decoder = decoders.WordPiece()
    wp.save(os.path.join(directory, "wordpiece-tokenizer.json"))

    out = {"source": "tokenizers " + tokenizers.__version__,
           "bpe": [{"text": t, "ids": bpe.encode(t, add_special_tokens=False).ids} for t in TEXTS],
           "wordpiece": [{"text": t, "ids": wp.encode(t, add_special_tokens=False).ids} for t in TEXTS]}
    with open(os.path.join(directory, "tokenizer_json_reference.json"), "w") as f:
        json.dump(out, f, ensure_ascii=True, indent=0)


if __name__ == "__main__":
    main()
