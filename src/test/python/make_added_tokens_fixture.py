"""Writes src/test/resources/tokenize/added/: tokenizer.json files with added tokens of every kind, made with Hugging
Face's tokenizers library from the two small tokenizers of make_tokenizer_json_fixtures.py, and reference.json, the ids
tokenizers gives for texts that exercise them (special tokens not added by a post-processor).

    DIR/bin/python src/test/python/make_added_tokens_fixture.py src/test/resources/tokenize

DIR is a venv from ../shared/bench/make-pyenv.sh.
"""
import json
import os
import sys

from tokenizers import AddedToken, Tokenizer

ADDED = [
    AddedToken("[NEW]", special=False, normalized=True),             # matched after lower-casing in BERT: "[new]"
    AddedToken("[RAW]", special=False, normalized=False),            # matched as written
    AddedToken("whole", single_word=True, normalized=False),         # only as a word of its own
    AddedToken("<pad>", special=True, normalized=False),
    AddedToken("<l>", lstrip=True, normalized=False),                # takes the spaces on its left
    AddedToken("<r>", rstrip=True, normalized=False),                # takes the spaces on its right
    AddedToken("<longer>", normalized=False),
    AddedToken("<long", normalized=False),                           # the longest match wins
]
TEXTS = ["x [NEW] y", "x [new] y", "X [New]y", "a [RAW] b [raw]", "whole wholesome awhole whole.", "<pad> the dog<pad>",
         "left   <l>   right", "left   <r>   right", "<longer> <long <longe", "the dog barks . [MASK]", "",
         "café 😀 <pad>[NEW]<r>  end"]


def main():
    directory = sys.argv[1]
    out = {}
    for source, name in (("wordpiece-tokenizer.json", "wordpiece.json"), ("bpe-tokenizer.json", "bpe.json")):
        tokenizer = Tokenizer.from_file(os.path.join(directory, source))
        tokenizer.add_tokens(ADDED)
        tokenizer.save(os.path.join(directory, "added", name))
        out[name] = {t: tokenizer.encode(t, add_special_tokens=False).ids for t in TEXTS}
    with open(os.path.join(directory, "added", "reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
