"""Writes src/main/resources/io/orthrus/tokenize/split-unicode.txt: which code points the tokenizers library's regex
engine counts as letters (\\p{L}) and numbers (\\p{N}), so that a tokenizer.json's Split regex (Llama 3, Qwen2) splits
text the same on every JDK, whatever Unicode version the JDK knows.

    DIR/bin/python src/test/python/make_split_unicode_table.py src/main/resources/io/orthrus/tokenize

DIR is a venv from ../shared/bench/make-pyenv.sh. The sets are asked of the library itself (tokenizers 0.23, whose
Oniguruma knows Unicode 16.0): a Split on \\p{L} (then \\p{N}) with behaviour Removed, over every code point but the
surrogates, leaves exactly the code points outside the set. Each line is "letter FIRST LAST" or "number FIRST LAST",
hexadecimal, inclusive.
"""
import os
import sys

import tokenizers
from tokenizers import Regex, pre_tokenizers

CHUNK = 65536


def members(pattern):
    split = pre_tokenizers.Split(Regex(pattern), behavior="removed")
    inside = []
    for start in range(0, 0x110000, CHUNK):
        cps = [cp for cp in range(start, min(start + CHUNK, 0x110000)) if not 0xD800 <= cp <= 0xDFFF]
        text = "".join(map(chr, cps))
        kept = [False] * len(cps)
        for _, (a, b) in split.pre_tokenize_str(text):
            for i in range(a, b):
                kept[i] = True
        inside += [cp for cp, k in zip(cps, kept) if not k]
    return inside


def ranges(cps):
    out = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main(out_dir):
    with open(os.path.join(out_dir, "split-unicode.txt"), "w", encoding="ascii") as f:
        f.write("# \\p{L} and \\p{N} of the tokenizers library " + tokenizers.__version__
                + " (src/test/python/make_split_unicode_table.py)\n")
        for name, pattern in (("letter", r"\p{L}"), ("number", r"\p{N}")):
            for a, b in ranges(members(pattern)):
                f.write(f"{name} {a:x} {b:x}\n")


if __name__ == "__main__":
    main(sys.argv[1])
