"""Writes SentencePiece-style BPE tokenizers (Llama 2, Mistral, TinyLlama) as tokenizer.json, and what the tokenizers
library gives for thousands of varied strings, for Orthrus's reader of tokenizer.json to match.

    DIR/bin/python src/test/python/make_sentencepiece_bpe_fixtures.py src/test/resources/tokenize/sentencepiece

DIR is a venv from ../shared/bench/make-pyenv.sh. SentencePiece's own trainer makes a BPE model with byte fallback
(vocabulary 1,000, digits split, whitespace kept) on the mixed corpus of make_llama_tokenizer_fixtures.py;
transformers converts it to tokenizer.json (metaspace.json: no normalizer, a Metaspace pre-tokenizer that puts ▁ before
the start of the text only, as transformers 5 writes it). always.json is that with Metaspace putting ▁ before every
piece between added tokens (prepend_scheme always) and the Metaspace decoder. legacy.json is the same vocabulary and
merges in the form of the Llama 2, Mistral 7B and TinyLlama files on the Hub: normalizer Prepend("▁") then
Replace(" ", "▁"), no pre-tokenizer, <unk> as the unknown token, decoder Replace, ByteFallback, Fuse, Strip, and a
post-processor that puts <s> first. strings.json holds 2,000 strings with each tokenizer's ids without special tokens
(always's only where they differ from metaspace's), legacy's with them for the first 100, and the decodings where
they are not the string itself.
"""
import json
import os
import random
import shutil
import sys
import tempfile

import sentencepiece as spm
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
from transformers import AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_llama_tokenizer_fixtures import corpus, strings  # noqa: E402


def main(out_dir):
    rng = random.Random(3)
    work = tempfile.mkdtemp()
    try:
        with open(os.path.join(work, "corpus.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(corpus(rng)))
        spm.SentencePieceTrainer.train(input=os.path.join(work, "corpus.txt"), model_prefix=os.path.join(work, "sp"),
                                       model_type="bpe", vocab_size=1000, byte_fallback=True, character_coverage=0.99,
                                       split_digits=True, allow_whitespace_only_pieces=True,
                                       remove_extra_whitespaces=False, normalization_rule_name="identity",
                                       unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
        slow = os.path.join(work, "slow")
        os.makedirs(slow)
        shutil.copy(os.path.join(work, "sp.model"), os.path.join(slow, "tokenizer.model"))
        with open(os.path.join(slow, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>",
                       "unk_token": "<unk>"}, f)
        converted = AutoTokenizer.from_pretrained(slow).backend_tokenizer
    finally:
        shutil.rmtree(work)
    os.makedirs(out_dir, exist_ok=True)
    converted.save(os.path.join(out_dir, "metaspace.json"))
    metaspace = Tokenizer.from_file(os.path.join(out_dir, "metaspace.json"))

    always = Tokenizer.from_str(converted.to_str())
    always.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    always.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    always.save(os.path.join(out_dir, "always.json"))
    always = Tokenizer.from_file(os.path.join(out_dir, "always.json"))

    legacy_json = json.loads(converted.to_str())
    legacy_json["model"]["unk_token"] = "<unk>"
    legacy = Tokenizer.from_str(json.dumps(legacy_json))
    legacy.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    legacy.pre_tokenizer = None
    legacy.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                        decoders.Strip(" ", 1, 0)])
    legacy.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B:1",
                                                          special_tokens=[("<s>", 1)])
    legacy.save(os.path.join(out_dir, "legacy.json"))
    legacy = Tokenizer.from_file(os.path.join(out_dir, "legacy.json"))

    cases = []
    for i, s in enumerate(strings(rng, ["<s>", "</s>", "<unk>"])):
        case = {"text": s}
        for name, tok in (("legacy", legacy), ("metaspace", metaspace), ("always", always)):
            ids = tok.encode(s, add_special_tokens=False).ids
            if name != "always" or ids != case["metaspace"]:
                case[name] = ids
            decoded = tok.decode(ids, skip_special_tokens=False)
            if decoded != s:
                case[name + "_decoded"] = decoded
        if i < 100:
            case["legacy_with_special"] = legacy.encode(s, add_special_tokens=True).ids
        cases.append(case)
    with open(os.path.join(out_dir, "strings.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
