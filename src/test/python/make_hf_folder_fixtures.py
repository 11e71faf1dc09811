"""Writes Hugging Face model folders as transformers itself saves them, with reference outputs, for the loaders' tests.

    DIR/bin/python src/test/python/make_hf_folder_fixtures.py src/test/resources/hf

DIR is a venv from ../shared/bench/make-pyenv.sh (transformers 5, PyTorch). Every folder is written by
save_pretrained of the real classes, every reference by their forward pass in eval mode:
  bert-pretraining/  BertForPreTraining (MLM head + next-sentence head), a cased tokenizer saved by transformers
                     (tokenizer.json + tokenizer_config.json only); reference: BertForMaskedLM.from_pretrained logits
                     and the tokenizer's ids of a few texts
  bert-model/        BertModel (no "bert." prefix, no head) with vocab.txt and a tokenizer_config.json saying
                     do_lower_case false (as transformers 4 saved cased models); reference: last_hidden_state, ids
  bert-untied/       BertForMaskedLM with tie_word_embeddings false (its own cls.predictions.decoder.weight)
  gpt2-sharded/      GPT2LMHeadModel with tie_word_embeddings false, saved in shards of 20 KB with
                     model.safetensors.index.json; reference: logits
  config_fields.json every field of BertConfig().to_dict() and GPT2Config().to_dict() with its default
Configs keep dropout at 0.1, so a loader that leaves dropout on fails the comparison.
"""
import json
import os
import sys

import torch
from transformers import (BertConfig, BertForMaskedLM, BertForPreTraining, BertModel, BertTokenizer,
                          BertTokenizerFast, GPT2Config, GPT2LMHeadModel)

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "cat", "barks", "meows", "a", "runs", ".", "##s",
         "big", "small", "H", "##é", "##llo", "W", "##ö", "##rld", ",", "T", "##H", "##I", "##S", "is", "Ü", "##n",
         "##ï", "##code", "h", "w", "u", "##e", "##o", "##l", "##r", "##d", "##c", "this", "unicode", "hello", "world"]
TEXTS = ["Héllo Wörld, THIS is Ünïcode", "the big dog barks .", "the [MASK] meows"]
IDS = [[2, 5, 14, 4, 8, 12, 3, 0], [2, 10, 15, 7, 4, 12, 3, 6]]
TYPES = [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]]
MASK = [[1, 1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 1, 1]]


def rounded(t):
    return [round(v, 6) for v in t.flatten().tolist()]


def bert_config(**extra):
    return BertConfig(vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=16, **extra)


def inputs():
    return dict(input_ids=torch.tensor(IDS), token_type_ids=torch.tensor(TYPES), attention_mask=torch.tensor(MASK))


def write_reference(folder, outputs, tokenizer=None):
    ref = {"ids": IDS, "token_types": TYPES, "attention_mask": MASK, "outputs": rounded(outputs)}
    if tokenizer is not None:
        ref["texts"] = TEXTS
        ref["text_ids"] = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in TEXTS]
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(ref, f)


def main():
    out = sys.argv[1]
    vocab = os.path.join(out, "vocab-source.txt")
    with open(vocab, "w") as f:
        f.write("\n".join(WORDS) + "\n")

    torch.manual_seed(11)
    folder = os.path.join(out, "bert-pretraining")
    BertForPreTraining(bert_config()).save_pretrained(folder)
    tokenizer = BertTokenizerFast(vocab, do_lower_case=False)
    tokenizer.save_pretrained(folder)
    with torch.no_grad():
        logits = BertForMaskedLM.from_pretrained(folder).eval()(**inputs()).logits
    write_reference(folder, logits, tokenizer)

    torch.manual_seed(12)
    folder = os.path.join(out, "bert-model")
    BertModel(bert_config()).save_pretrained(folder)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": False, "tokenizer_class": "BertTokenizer"}, f)
    slow = BertTokenizer(os.path.join(folder, "vocab.txt"), do_lower_case=False)
    with torch.no_grad():
        hidden = BertModel.from_pretrained(folder).eval()(**inputs()).last_hidden_state
    write_reference(folder, hidden, slow)

    torch.manual_seed(13)
    folder = os.path.join(out, "bert-untied")
    BertForMaskedLM(bert_config(tie_word_embeddings=False)).save_pretrained(folder)
    with torch.no_grad():
        logits = BertForMaskedLM.from_pretrained(folder).eval()(**inputs()).logits
    write_reference(folder, logits)

    torch.manual_seed(14)
    folder = os.path.join(out, "gpt2-sharded")
    config = GPT2Config(vocab_size=64, n_positions=16, n_embd=32, n_layer=2, n_head=4, tie_word_embeddings=False)
    GPT2LMHeadModel(config).save_pretrained(folder, max_shard_size="20KB")
    with torch.no_grad():
        logits = GPT2LMHeadModel.from_pretrained(folder).eval()(input_ids=torch.tensor(IDS)).logits
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"ids": IDS, "outputs": rounded(logits)}, f)

    os.remove(vocab)
    fields = {"bert": BertConfig().to_dict(), "gpt2": GPT2Config().to_dict()}
    with open(os.path.join(out, "config_fields.json"), "w") as f:
        json.dump(fields, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
