"""Writes Llama 3- and Qwen2-style byte-level BPE tokenizers made with the tokenizers library, and what it gives for
thousands of varied strings, for Orthrus's reader of tokenizer.json to match.

    DIR/bin/python src/test/python/make_llama_tokenizer_fixtures.py src/test/resources/tokenize/llama

DIR is a venv from ../shared/bench/make-pyenv.sh. Both tokenizers are trained by tokenizers' BpeTrainer on a small
mixed corpus (vocabulary 1,000) with the pre-tokenizer of their family: a Split on the family's regex (behaviour
Isolated), then ByteLevel without a prefix space and without its own regex. Llama 3's BPE takes words found whole in
the vocabulary before any merge (ignore_merges) and its post-processor puts <|begin_of_text|> first; Qwen2's
normalizes to NFC, splits digits one by one and has no template. Added tokens: Llama 3's <|begin_of_text|>,
<|end_of_text|>, <|start_header_id|>, <|end_header_id|>, <|eot_id|>; Qwen2's <|endoftext|>, <|im_start|>, <|im_end|>.
For each, strings.json holds 2,000 strings (words, numbers, code, emoji, CJK, combining marks, whitespace runs,
contractions in any case, the added tokens inside text) with tokenizers' ids without special tokens, the ids with
them for the first 100, and its decoding of the ids where that is not the string itself (normalized, or a lone
surrogate's replacement).
"""
import json
import os
import random
import sys

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
          r"|\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
         r"|\s+(?!\S)|\s+")

WORDS = ["the", "dog", "barks", "at", "night", "Hello", "WORLD", "don't", "I'M", "we'll", "they'VE", "it's",
         "naïve", "café", "Zürich", "straße", "Ελληνικά", "русский", "язык", "العربية", "עברית", "हिन्दी", "ภาษาไทย",
         "日本語", "中文", "한국어", "テキスト", "東京", "e\u0301", "n\u0303o", "Å", "ﬁ", "Ⅻ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
EMOJI = ["😀", "👍🏽", "👩‍👩‍👧", "🇫🇷", "❤️", "🤖", "✨", "🐕"]
NUMBERS = ["0", "7", "42", "123", "2024", "12345", "3.14159", "1,000,000", "007", "٣٤", "½", "१२३"]
CODE = ["def f(x):\n    return x + 1", "for (int i = 0; i < n; i++) {", "x = {'a': [1, 2]}", "if a != b && c >= d:",
        "<div class=\"x\">", "SELECT * FROM t;", "#include <stdio.h>", "a->b", "i++", "// comment", "$HOME/.bashrc"]
SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2003", "  \t\n", "\n   "]
PUNCT = [".", ",", "!", "?", "...", "—", "-", "'", "\"", "(", ")", "[", "]", "«", "»", "¿", "。", "、", "!!!", "?!"]


def corpus(rng):
    lines = []
    for _ in range(4000):
        parts = []
        for _ in range(rng.randint(3, 14)):
            pool = rng.choice([WORDS, WORDS, WORDS, NUMBERS, PUNCT, EMOJI, CODE])
            parts.append(rng.choice(pool))
            parts.append(rng.choice([" ", " ", " ", "", "\n"]))
        lines.append("".join(parts))
    return lines


def strings(rng, added):
    out = ["", " ", "a", "\n", "   leading", "trailing   ", "'s", "'S", "DON'T", "x'll", "123456789", "a\u0301",
           "\r\n\r\n", "🤖🤖", "日本語のテキスト", "\u0000", "\ufeffBOM", "\ud7ff", "𝔘", " " * 20, "\t\t\n  \n"]
    out += [a for a in added] + ["a" + added[0] + "b", added[-1] + " " + added[0]]
    while len(out) < 2000:
        parts = []
        for _ in range(rng.randint(1, 12)):
            pool = rng.choice([WORDS, NUMBERS, PUNCT, EMOJI, CODE, SPACES, SPACES])
            parts.append(rng.choice(pool))
            if rng.random() < 0.05:
                parts.append(rng.choice(added))
            if rng.random() < 0.1:
                parts.append(chr(rng.randint(0x20, 0x2FFF)))
        out.append("".join(parts))
    return out


def build(name, pattern, added, ignore_merges, nfc, template, rng, out_dir):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=added,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(rng), trainer)
    if template:
        bos = tok.token_to_id(added[0])
        tok.post_processor = processors.TemplateProcessing(single=added[0] + " $A",
                                                           pair=added[0] + " $A " + added[0] + " $B:1",
                                                           special_tokens=[(added[0], bos)])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    cases = []
    for i, s in enumerate(strings(rng, added)):
        plain = tok.encode(s, add_special_tokens=False).ids
        case = {"text": s, "ids": plain}
        if i < 100:
            case["with_special"] = tok.encode(s, add_special_tokens=True).ids
        decoded = tok.decode(plain, skip_special_tokens=False)
        if decoded != s:
            case["decoded"] = decoded
        cases.append(case)
    with open(os.path.join(folder, "strings.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)


def main(out_dir):
    build("llama3", LLAMA3, ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                             "<|eot_id|>"], True, False, True, random.Random(1), out_dir)
    build("qwen2", QWEN2, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], False, True, False, random.Random(2), out_dir)


if __name__ == "__main__":
    main(sys.argv[1])
