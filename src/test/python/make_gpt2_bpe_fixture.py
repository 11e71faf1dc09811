"""Writes gpt2_reference.json: GPT-2 token ids of test strings, from tiktoken's GPT-2 encoding built
from the same encoder.json + vocab.bpe that ByteLevelBpeTest loads (../shared/data/gpt2).

    python3 src/test/python/make_gpt2_bpe_fixture.py ../shared/data/gpt2 > src/test/resources/tokenize/gpt2_reference.json

tiktoken is an independent implementation (Rust) of the reference encoder; its GPT-2 pattern is
OpenAI's. Needs `pip install tiktoken` (no network: the files are local).
"""
import json
import random
import sys

import tiktoken
import tiktoken.load

GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

CASES = [
    "", " ", "  ", "\n", "\t", "a", "Hello world!", "Hello, world! It's 2024.",
    "I'm sure you'll see they've done what we'd said, and he's right: she's not.",
    "DON'T SHOUT. Don't 'quote' me; it's 'the' thing's",
    "numbers: 0 1 12 123 1234 12345 3.14159 -42 1,000,000 1e-7 0x1F",
    "spaces:  two   three    four     five      end",
    "   leading spaces", "trailing spaces   ", "  both  ", "tab\tseparated\tvalues\t",
    "line one\nline two\n\nline four\r\nwindows\r\n", "\n\n\n", " \n \n ", "a \t\n b",
    "café naïve résumé coöperate Ångström façade", "Ελληνικά κείμενο", "русский текст, ёлка",
    "日本語のテキスト、漢字とかなカナ。", "中文文本：你好，世界！", "한국어 텍스트입니다",
    "emoji 😀😃 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️‍🔥 🇫🇷", "Arabic: السَّلَامُ عَلَيْكُمْ", "Hebrew: שָׁלוֹם",
    "combining: e\u0301 a\u0308 n\u0303 \u1e9b\u0323", "Devanagari: नमस्ते दुनिया", "Thai: สวัสดีครับ",
    "def f(x):\n    return x ** 2  # square\n\nif __name__ == '__main__':\n\tprint(f(3))\n",
    "public static void main(String[] args) { System.out.println(\"hi\"); }",
    "https://example.com/path?query=1&b=two#frag mailto:someone@example.org",
    "<|endoftext|> is text here <|endoftext|>", "a<|endoftext|>b",
    "\u00a0non-breaking\u2003em space\u3000ideographic\u2028line sep", "\u0085next line\u000bvertical\u000cff",
    "control \u0001\u0002\u001b[31m chars \u007f", "symbols ©®™ §¶ †‡ •… ‰ ′″ ‹› €£¥ ½¼ ∑∫√∞ ≤≥≠",
    "'s 's 're 've 'm 'll 'd 'S 'RE ''", "hello's'''s", "$$$ %%% ^^^ &&& ***",
    "mixed123abc456 abc123 123abc", "ŉ ǅ ǈ ǋ", "\U0001F600\U0001F64F\U0001F680", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕥𝕖𝕩𝕥",
]


def random_strings(count, seed):
    rng = random.Random(seed)
    pools = [
        "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "      ", "\t\n\r",
        ".,;:!?'\"()-_/\\@#$%^&*+=<>[]{}|~`", "àéîõüçñß", "αβγδεζ", "абвгд", "日本語中文", "한국어",
        "😀👍🏽❤️", "\u0301\u0308", "\u00a0\u3000",
    ]
    out = []
    for _ in range(count):
        length = rng.randint(1, 40)
        out.append("".join(rng.choice(rng.choice(pools)) for _ in range(length)))
    return out


def main():
    data = sys.argv[1]
    ranks = tiktoken.load.data_gym_to_mergeable_bpe_ranks(data + "/vocab.bpe", data + "/encoder.json")
    enc = tiktoken.Encoding(name="gpt2-local", pat_str=GPT2_PATTERN, mergeable_ranks=ranks,
                            special_tokens={"<|endoftext|>": 50256})
    texts = CASES + random_strings(500, 7)
    cases = [{"text": t, "ids": enc.encode(t, disallowed_special=())} for t in texts]
    special = [{"text": t, "ids": enc.encode(t, allowed_special="all")} for t in CASES if "<|endoftext|>" in t]
    json.dump({"source": "tiktoken " + tiktoken.__version__ + " with OpenAI's GPT-2 pattern, encoder.json, vocab.bpe",
               "cases": cases, "allow_special": special}, sys.stdout, ensure_ascii=True, indent=0)


if __name__ == "__main__":
    main()
