"""What the tokenizers library gives when special tokens in a text are read as plain text (its
encode_special_tokens, transformers' split_special_tokens), for Orthrus's Tokenizer.encodeAsText to match.

    DIR/bin/python src/test/python/make_special_as_text_fixture.py src/test/resources/tokenize

DIR is a venv from ../shared/bench/make-pyenv.sh. For committed tokenizer.json fixtures with special and non-special
added tokens (a byte-level BPE and a WordPiece with added tokens, Llama 3's and Qwen2's byte-level BPE, the Llama 2
and transformers 5 forms of a SentencePiece BPE), each text's ids without special tokens added, once with special
tokens matched whole and once read as text, go to special-as-text.json.
"""
import json
import os
import sys

from tokenizers import Tokenizer

FILES = ["added/bpe.json", "added/wordpiece.json", "llama/llama3/tokenizer.json", "llama/qwen2/tokenizer.json",
         "sentencepiece/legacy.json", "sentencepiece/metaspace.json"]
TEXTS = ["<|endoftext|>", "a<|endoftext|>b", "<pad> and [NEW] and [RAW] whole", "<s>hello</s>", "x <s> y",
         "<|begin_of_text|><|start_header_id|>user<|end_header_id|>hi<|eot_id|>", "<|im_start|>user\nhi<|im_end|>",
         "<unk> <l>left<r> <longer> <long", "plain text, no tokens", "  <s>  </s>  ", "日本<|im_end|>語"]


def main(root):
    out = []
    for name in FILES:
        tok = Tokenizer.from_file(os.path.join(root, name))
        cases = []
        for text in TEXTS:
            tok.encode_special_tokens = False
            matched = tok.encode(text, add_special_tokens=False).ids
            tok.encode_special_tokens = True
            as_text = tok.encode(text, add_special_tokens=False).ids
            cases.append({"text": text, "ids": matched, "as_text": as_text})
        out.append({"file": name, "cases": cases})
    with open(os.path.join(root, "special-as-text.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
