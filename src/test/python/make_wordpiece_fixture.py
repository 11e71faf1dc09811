"""Writes src/test/resources/fixtures/wordpiece_reference.json: what transformers' BertTokenizer (in transformers 5
the Hugging Face tokenizers library: BertNormalizer, BertPreTokenizer, WordPiece) produces for a broad set of inputs,
with bert-base-uncased's vocab.txt, lower-cased and cased.

Run from the repository root, in a venv from ../shared/bench/make-pyenv.sh (tested with transformers 5.18.0):
    DIR/bin/python src/test/python/make_wordpiece_fixture.py ../shared/data/bert/vocab.txt
"""
import json
import random
import sys

import tokenizers
import transformers
from transformers import BertTokenizer

TEXTS = [
    "",
    "   ",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "unaffable",
    "UNAFFABLE Unaffable",
    "I can't believe it's not butter... (really?)",
    "e-mail: someone@example.com, https://example.org/a?b=c&d=e#f",
    "$100.50 is 50% off; 3.14159 ~ pi ^ 2 `code` {braces} [brackets] <angle> |pipe| \\back/",
    "Héllo wörld, naïve café, résumé, Ångström, Straße, Øresund",
    "ÀÉÎÕÜ àéîõü ñ Ñ ç Ç",
    "e\u0301 (e + combining acute) and \u00e9 (precomposed)",
    "日本語のテキスト and 中文字符 mixed with English",
    "한국어 텍스트",
    "\U00020000\U0002A6D6 ideographs outside the BMP \U0002B740",
    "emoji 😀 and ZWJ family 👨\u200d👩\u200d👧 and flag 🇫🇷",
    "hi😀there",
    "control\u0000chars\u0001here\u007f and \ufffd replacement",
    "tabs\tand\nnewlines\r\nand\u00a0no-break\u2003em-space",
    "line\u2028separator and paragraph\u2029separator",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "soft\u00adhyphen",
    "Arabic: مرحبا بالعالم، كَتَبَ",
    "Greek ΟΔΟΣ Σίσυφος and Cyrillic Привет, мир!",
    "ΣΑΣ σας Σ",
    "Héllo Wörld, THIS is Ünïcode",
    "newer emoji \U0001FAE8 (Unicode 15) and \U0001FABB (Unicode 15) and \U0001F979 (Unicode 14)",
    "unassigned \U000E0080 and noncharacter \uFDD0 and private use \uE000 and format \u2066 \u0890",
    "Turkish İstanbul ılık",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 100,
    "a" * 101,
    "b" * 150 + " short",
    "Numbers 1,234,567 and 3rd 21st 1990s",
    "don't won't shouldn't y'all o'clock",
    "\u201cquoted\u201d \u2018single\u2019 \u2014 dash \u2013 en \u2026 ellipsis \u00bfqu\u00e9? \u00a1s\u00ed!",
    "¡Hola! ¿Qué tal? «guillemets» „low quotes“",
    "The [MASK] sat on the mat.",
    "[CLS] already [SEP] there [PAD] [UNK] [mask]",
    "x[MASK]y",
    "mathematical ∑ ∫ √ ≠ ≤ ≥ ± × ÷ symbols",
    "currency € £ ¥ ₹ ₿",
    "ﬁ ligature and ｆｕｌｌｗｉｄｔｈ ａｓｃｉｉ",
    "Ⅻ roman numeral ① circled",
    "def f(x): return x**2 # comment",
    "    leading and trailing spaces    ",
    "MiXeD CaSe WoRdS",
]

PAIRS = [
    ("Is this the first sentence?", "And this the second one."),
    ("short", "a much longer second sentence that will need to be truncated when the limit is small"),
    ("a much longer first sentence that will need to be truncated when the limit is small", "short"),
]


# Random strings over a pool of characters assigned long ago (so that Unicode 13 in JDK 17 and later
# versions agree on their categories): letters, digits, ASCII punctuation, accents, combining marks,
# CJK (in and outside the BMP), Hangul, Arabic, emoji, controls and every kind of space.
POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
        + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("àéîõüÀÉÎÕÜñçßøåæœ")
        + ["\u0301", "\u0308", "\u0327", "\u4e2d", "\u6587", "\u3042", "\u30ab", "\uac00", "\u0645", "\u064e",
           "\U00020001", "\U0001F600", "\U0001F44D", "\u200d", "\u200b", "\u0000", "\u0007", "\u007f", "\ufffd",
           "\u00a0", "\u2003", "\u3000", "\t", "\n", "\r", "\u2028", "\u00ad", "\u2019", "\u2014", "\u00bf", "\uff01"]
        + [" "] * 12 + ["[MASK]", "[SEP]", "[mask]"])


def random_texts(count, seed=20261128):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def main():
    vocab = sys.argv[1]
    out = {"source": "transformers %s BertTokenizer, tokenizers %s" % (transformers.__version__, tokenizers.__version__),
           "cases": [], "pairs": []}
    for lower in (True, False):
        tok = BertTokenizer(vocab, do_lower_case=lower)
        for text in TEXTS + random_texts(300):
            tokens = tok.tokenize(text)
            out["cases"].append({"lower_case": lower, "text": text, "tokens": tokens,
                                 "ids": tok.convert_tokens_to_ids(tokens)})
    tok = BertTokenizer(vocab, do_lower_case=True)
    for a, b in PAIRS:
        for max_length in (12, 20, 64):
            enc = tok(a, b, truncation="longest_first", max_length=max_length, return_token_type_ids=True)
            out["pairs"].append({"a": a, "b": b, "max_length": max_length, "ids": enc["input_ids"],
                                 "segments": enc["token_type_ids"]})
    with open("src/test/resources/fixtures/wordpiece_reference.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
