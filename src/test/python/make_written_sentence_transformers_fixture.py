"""Writes src/test/resources/st-written/reference.json: the vectors sentence-transformers gives for the folder Orthrus
wrote there (see WrittenSentenceTransformersTest, whose main method writes it).

    DIR/bin/python src/test/python/make_written_sentence_transformers_fixture.py src/test/resources/st-written

DIR is a venv from ../shared/bench/make-pyenv.sh. Texts are encoded with batch size 2, and again with the folder's
prompt "query".
"""
import json
import os
import sys

from sentence_transformers import SentenceTransformer

TEXTS = ["the dog barks .", "a cat", "the big small cat sleeps on the mat at night and the dog barks .",
         "Hello, world", "river bank", "money in the bank", "sitting cats"]


def rounded(rows):
    return [[round(float(v), 7) for v in row] for row in rows]


def main():
    folder = sys.argv[1]
    model = SentenceTransformer(folder)
    model.eval()
    reference = {"texts": TEXTS, "embeddings": rounded(model.encode(TEXTS, batch_size=2)),
                 "query_embeddings": rounded(model.encode(TEXTS, batch_size=2, prompt_name="query")),
                 "max_seq_length": model.max_seq_length}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)


if __name__ == "__main__":
    main()
