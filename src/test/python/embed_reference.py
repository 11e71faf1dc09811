"""The Python references for `orthrus bench embed`: ONNX Runtime and sentence-transformers on the same model and texts.

Make the model once (a random BERT of all-MiniLM-L6-v2's shape: 6 layers, width 384, 12 heads, feed-forward 1536,
the bert-base-uncased WordPiece vocabulary of 30,522 tokens; mean pooling and Normalize, saved by
sentence-transformers, and its Transformer exported to ONNX with dynamic batch and sequence axes):

    DIR/bin/python src/test/python/embed_reference.py make --vocab ../shared/data/bert/vocab.txt --output /tmp/minilm

Then time one backend on a file of texts, one per line (`orthrus bench embed --write-input FILE` writes the
benchmark's default set), printing one JSON line like the Java benchmark's:

    DIR/bin/python src/test/python/embed_reference.py time --model /tmp/minilm --input texts.txt --backend onnxruntime
    DIR/bin/python src/test/python/embed_reference.py time --model /tmp/minilm --input texts.txt --backend torch

Both backends tokenize with the model's fast tokenizer, sort the texts by length (as SentenceTransformer.encode
does) and run batches of --batch padded to their longest text, on --threads threads; onnxruntime with every graph
optimisation on (ORT_ENABLE_ALL); with --parallel-batches onnxruntime runs whole batches on --threads threads,
one thread each, as Orthrus's encode does. Timed: the whole encode of all texts, --rounds times after one warm-up round; the
figure is the median round. DIR is a venv from ../shared/bench/make-pyenv.sh.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import time

import numpy as np


def make(args):
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    base = os.path.join(args.output, "_transformer")
    os.makedirs(base, exist_ok=True)
    torch.manual_seed(1)
    config = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                        intermediate_size=1536, max_position_embeddings=512)
    BertModel(config).save_pretrained(base)
    BertTokenizerFast(args.vocab, do_lower_case=True).save_pretrained(base)
    transformer = Transformer(base, max_seq_length=256)
    model = SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode="mean"), Normalize()])
    model.save(args.output)
    import shutil
    shutil.rmtree(base)
    class LastHiddenState(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    bert = LastHiddenState(BertModel.from_pretrained(args.output).eval())
    ids = torch.ones(2, 16, dtype=torch.long)
    os.makedirs(os.path.join(args.output, "onnx"), exist_ok=True)
    torch.onnx.export(bert, (ids, torch.ones_like(ids), torch.zeros_like(ids)),
                      os.path.join(args.output, "onnx", "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"],
                      dynamic_axes={name: {0: "batch", 1: "sequence"} for name in
                                    ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]},
                      opset_version=17, dynamo=False)
    print(json.dumps({"model": args.output, "onnx": os.path.join(args.output, "onnx", "model.onnx")}))


def time_backend(args):
    from transformers import AutoTokenizer

    with open(args.input, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    if args.backend == "onnxruntime":
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # --parallel-batches: one thread per batch, as Orthrus's encode spreads whole batches over its pool.
        options.intra_op_num_threads = 1 if args.parallel_batches else args.threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(os.path.join(args.model, "onnx", "model.onnx"), options,
                                       providers=["CPUExecutionProvider"])

        def hidden(batch):
            feeds = {k: v.astype(np.int64) for k, v in batch.items()}
            return session.run(["last_hidden_state"], feeds)[0]
        version = "onnxruntime " + ort.__version__
    else:
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(args.threads)
        model = SentenceTransformer(args.model, device="cpu")
        model.eval()
        version = "torch " + torch.__version__

    def encode_all():
        if args.backend == "torch":
            return model.encode(texts, batch_size=args.batch)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = [None] * len(texts)

        def run(start):
            chosen = order[start:start + args.batch]
            batch = tokenizer([texts[i] for i in chosen], padding=True, truncation=True, max_length=256,
                              return_tensors="np")
            h = hidden(batch)
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (h * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for k, i in enumerate(chosen):
                out[i] = pooled[k]
        starts = range(0, len(texts), args.batch)
        if args.parallel_batches:
            with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(run, starts))  # session.run releases the GIL
        else:
            for start in starts:
                run(start)
        return np.stack(out)

    encode_all()  # warm-up
    seconds = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        vectors = encode_all()
        seconds.append(time.perf_counter() - start)
    tokens = sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=256)["input_ids"])
    median = statistics.median(seconds)
    if args.parallel_batches:
        version += ", parallel batches"
    print(json.dumps({"backend": version, "threads": args.threads, "batch": args.batch, "sentences": len(texts),
                      "tokens": tokens, "sentences_per_s": round(len(texts) / median, 1),
                      "tokens_per_s": round(tokens / median), "seconds": [round(s, 3) for s in seconds],
                      "first_vector_head": [round(float(v), 6) for v in vectors[0][:4]]}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--vocab", required=True)
    m.add_argument("--output", required=True)
    t = sub.add_parser("time")
    t.add_argument("--model", required=True)
    t.add_argument("--input", required=True)
    t.add_argument("--backend", choices=["onnxruntime", "torch"], required=True)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--rounds", type=int, default=3)
    t.add_argument("--parallel-batches", action="store_true",
                   help="onnxruntime: run whole batches on --threads threads, one thread each")
    args = parser.parse_args()
    make(args) if args.command == "make" else time_backend(args)


if __name__ == "__main__":
    main()
