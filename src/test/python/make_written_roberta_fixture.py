"""Writes the references of src/test/resources/roberta-written: what sentence-transformers gives for the RoBERTa
sentence encoder and reranker Orthrus saved there (RobertaEncodersTest's main method writes them from the fixtures
of make_roberta_fixtures.py).

    DIR/bin/python src/test/python/make_written_roberta_fixture.py src/test/resources/roberta-written

DIR is a venv from ../shared/bench/make-pyenv.sh. Besides writing the references, the script checks that they equal
the references of the original fixtures (src/test/resources/roberta): the saved folders lose nothing.
"""
import json
import os
import sys

import numpy as np
from sentence_transformers import CrossEncoder, SentenceTransformer


def rounded(rows):
    return [[round(float(v), 7) for v in row] if hasattr(row, "__len__") else round(float(row), 7) for row in rows]


def main(out):
    original = os.path.join(os.path.dirname(os.path.abspath(out.rstrip("/"))), "roberta")
    with open(os.path.join(original, "st-mean", "reference.json")) as f:
        st_reference = json.load(f)
    model = SentenceTransformer(os.path.join(out, "st"))
    model.eval()
    embeddings = model.encode(st_reference["texts"], batch_size=2)
    assert np.abs(embeddings - np.array(st_reference["embeddings"])).max() < 1e-5
    with open(os.path.join(out, "st", "reference.json"), "w") as f:
        json.dump({"texts": st_reference["texts"], "embeddings": rounded(embeddings)}, f, ensure_ascii=False)

    with open(os.path.join(original, "cross-encoder", "reference.json")) as f:
        ce_reference = json.load(f)
    reranker = CrossEncoder(os.path.join(out, "cross-encoder"))
    reranker.eval()
    scores = reranker.predict([(ce_reference["query"], d) for d in ce_reference["documents"]], batch_size=2)
    assert np.abs(scores - np.array(ce_reference["scores"])).max() < 1e-5
    with open(os.path.join(out, "cross-encoder", "reference.json"), "w") as f:
        json.dump({"query": ce_reference["query"], "documents": ce_reference["documents"], "scores": rounded(scores)}, f,
                  ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
