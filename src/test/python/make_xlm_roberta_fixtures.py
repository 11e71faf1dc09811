"""Writes an XLM-RoBERTa sentence encoder as sentence-transformers saves it, with references, and the ids its
SentencePiece (Unigram) tokenizer gives for many varied strings.

    DIR/bin/python src/test/python/make_xlm_roberta_fixtures.py src/test/resources/xlm-roberta

DIR is a venv from ../shared/bench/make-pyenv.sh, with sentencepiece installed from the configured package index
(pip install sentencepiece). A SentencePiece Unigram model is trained on TRAINING with XLM-RoBERTa's settings (the
nmt_nfkc normalisation rules; <unk> 0, <s> 1, </s> 2) and converted by transformers' own XLMRobertaConverter into the
tokenizer.json the hub's XLM-RoBERTa models have (Precompiled + Strip + Replace normalizer, Metaspace, Unigram,
<s> $A </s> template, <mask> last); a random XLMRobertaModel (positions offset by padding_idx + 1) is wrapped in
Transformer + Pooling(mean) + Normalize:
  st-mean/       the folder, with reference.json: SentenceTransformer.encode of TEXTS (batch 2) and their ids
  strings.json   the tokenizer's ids (special tokens included) for STRINGS: Unicode, emoji, whitespace runs, code,
                 digits, CJK, full-width forms and ligatures the NFKC rules rewrite; "ids" from the folder's
                 tokenizer.json as transformers 5 saves it (Precompiled; WhitespaceSplit + Metaspace), "hub_ids" from
                 the converter's own tokenizer, the form the hub's XLM-RoBERTa files have
  hub-tokenizer.json
                 that converter's tokenizer.json (Precompiled + Strip + Replace, Metaspace), its charsmap replaced by
                 "@st-mean@" (the same blob as st-mean/tokenizer.json's, which the test puts back) to keep it small
"""
import io
import json
import os
import random
import shutil
import sys
import types

import sentencepiece as spm
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast
from transformers.convert_slow_tokenizer import XLMRobertaConverter

TRAINING = ["The quick brown fox jumps over the lazy dog.", "Les élèves étudient à l'école.", "Der Bär trinkt Wasser.",
            "東京は日本の首都です。", "Москва — столица России.", "¿Dónde está la biblioteca?",
            "ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ ①②③", "naïve café ﬁne ﬂower", "한국어 문장입니다.", "مرحبا بالعالم",
            "def encode(self, text): return [ids]", "Numbers 12345 and 3.14159!"] * 20
TEXTS = ["The dog barks.", "a cat", "Les élèves étudient à l'école, et le chien aboie la nuit sous la lune.",
         "ｆｕｌｌｗｉｄｔｈ  naïve ﬁne 😀", "  spaces   and\ttabs ", "東京は日本の首都です。", "<mask> is here", "Москва"]


def strings(rng):
    pieces = TEXTS + ["", " ", "  ", "\t\n", "a", "A.", "ǅ ǆ Ǆ", "ﬀ ﬁ ﬂ ﬃ", "①②③ ⅷ ㍿", "Å Å Å", "e\u0301", "\u00a0x\u00a0",
                      "😀👍🏽👨‍👩‍👧", "🇫🇷 flag", "x\u200bx", "tab\there", "line\r\nbreak", "ＡＢＣ１２３！？", "ｶﾀｶﾅ",
                      "한국어", "ﾟ", "<s>", "</s>x", "a<mask>b", "<unk>", "\u3000wide space"]
    alphabet = list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`") + \
        list("éèêëàâäôöûüçñßøåæœ") + list("東京日本語中文字") + list("Москваб") + list("ｆｕｌ①②") + \
        ["😀", "🎉", "\u0301", "\u00a0", "\t", "\n", "  ", "ﬁ", "한", "국"]
    for _ in range(400):
        pieces.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))))
    return pieces


def main(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model_bytes = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(TRAINING), model_writer=model_bytes, vocab_size=200,
                                   model_type="unigram", character_coverage=1.0, normalization_rule_name="nmt_nfkc",
                                   unk_id=0, bos_id=1, eos_id=2, pad_id=-1, hard_vocab_limit=False,
                                   minloglevel=2)
    spm_file = os.path.join(out, "_spm.model")
    with open(spm_file, "wb") as f:
        f.write(model_bytes.getvalue())
    sp = spm.SentencePieceProcessor(model_file=spm_file)
    ids = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    converter = XLMRobertaConverter(types.SimpleNamespace(vocab_file=spm_file, handle_byte_fallback=False,
                                                          convert_tokens_to_ids=lambda t: ids.get(t, sp.piece_to_id(t) + 1)))
    backend = converter.converted()
    fast = XLMRobertaTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                   cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>")
    base = os.path.join(out, "_base")
    fast.save_pretrained(base)
    torch.manual_seed(31)
    XLMRobertaModel(XLMRobertaConfig(vocab_size=len(fast), hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                                     intermediate_size=32, max_position_embeddings=42, type_vocab_size=1,
                                     pad_token_id=1, bos_token_id=0, eos_token_id=2,
                                     layer_norm_eps=1e-5)).save_pretrained(base)
    folder = os.path.join(out, "st-mean")
    SentenceTransformer(modules=[Transformer(base, max_seq_length=32), Pooling(16, pooling_mode="mean"),
                                 Normalize()]).save(folder)
    loaded = SentenceTransformer(folder)
    loaded.eval()
    reference = {"texts": TEXTS, "embeddings": [[round(float(v), 7) for v in row]
                                                for row in loaded.encode(TEXTS, batch_size=2)],
                 "ids": [loaded.tokenizer(t, truncation=True, max_length=32)["input_ids"] for t in TEXTS]}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)
    os.remove(os.path.join(folder, "README.md"))
    texts = strings(random.Random(5))
    with open(os.path.join(out, "strings.json"), "w") as f:
        json.dump([{"text": t, "ids": loaded.tokenizer(t)["input_ids"], "hub_ids": backend.encode(t).ids}
                   for t in texts], f, ensure_ascii=False)
    hub = json.loads(backend.to_str())
    with open(os.path.join(folder, "tokenizer.json")) as f:
        saved = json.load(f)
    charsmap = hub["normalizer"]["normalizers"][0]["precompiled_charsmap"]
    assert charsmap == saved["normalizer"]["precompiled_charsmap"]
    hub["normalizer"]["normalizers"][0]["precompiled_charsmap"] = "@st-mean@"
    with open(os.path.join(out, "hub-tokenizer.json"), "w") as f:
        json.dump(hub, f, ensure_ascii=False)
    shutil.rmtree(base)
    os.remove(spm_file)


if __name__ == "__main__":
    main(sys.argv[1])
