"""Writes src/test/resources/tokenize/written/reference.json: the ids Hugging Face's tokenizers library gives for the
tokenizer.json files Orthrus wrote there (bpe.json, wordpiece.json, char.json; see WrittenTokenizerJsonTest).

    DIR/bin/python src/test/python/make_written_tokenizer_fixture.py src/test/resources/tokenize/written

DIR is a venv from ../shared/bench/make-pyenv.sh. Special tokens are not added (add_special_tokens=False).
"""
import json
import os
import sys

from tokenizers import Tokenizer

TEXTS = ["the dog barks .", "Don't stop, farmers!", "  two  spaces\tand\nlines", "café naïve 😀 日本語",
         "THE DOG feeds", "it's 2024", "", "the the the dog"]


def main():
    directory = sys.argv[1]
    out = {}
    for name in ("bpe.json", "wordpiece.json", "char.json"):
        tokenizer = Tokenizer.from_file(os.path.join(directory, name))
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            vocab = json.load(f)["model"]["vocab"]
        # Orthrus's character tokenizer refuses a character it does not know, where tokenizers drops it: compare
        # only texts both can encode.
        texts = TEXTS if name != "char.json" else [t for t in TEXTS if all(c in vocab for c in t)]
        out[name] = {t: tokenizer.encode(t, add_special_tokens=False).ids for t in texts}
    with open(os.path.join(directory, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
