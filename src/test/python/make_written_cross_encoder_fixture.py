"""Writes src/test/resources/cross-encoder-written/reference.json: the scores sentence-transformers' CrossEncoder gives
for the folder Orthrus wrote there (see WrittenCrossEncoderTest, whose main method writes it).

    DIR/bin/python src/test/python/make_written_cross_encoder_fixture.py src/test/resources/cross-encoder-written

DIR is a venv from ../shared/bench/make-pyenv.sh. Pairs are scored with batch size 2.
"""
import json
import os
import sys

from sentence_transformers import CrossEncoder

QUERY = "where does the cat sleep ?"
DOCUMENTS = ["the cat sleeps on the mat .", "the dog barks at night", "money in the bank",
             "a big small cat sleeps on the mat and the dog barks at night on the river bank .", "cats"]


def main():
    folder = sys.argv[1]
    model = CrossEncoder(folder)
    model.eval()
    scores = model.predict([(QUERY, d) for d in DOCUMENTS], batch_size=2)
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"query": QUERY, "documents": DOCUMENTS, "scores": [round(float(s), 7) for s in scores],
                   "max_length": model.max_length}, f)


if __name__ == "__main__":
    main()
