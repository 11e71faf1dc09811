"""Writes the training losses sentence-transformers computes on fixed batches, for the Java objectives to match.

    DIR/bin/python src/test/python/make_pair_loss_fixture.py src/test/resources

DIR is a venv from ../shared/bench/make-pyenv.sh (sentence-transformers 6, PyTorch). The models are the committed
fixtures st/mean-normalize (a sentence encoder) and cross-encoder/one-label (a reranker), loaded and put in
evaluation mode (dropout off, so that the loss is deterministic); each loss is the loss module's own forward on
the features sentence-transformers' preprocess makes from the texts:
  MultipleNegativesRankingLoss (scale 20) on (anchor, positive) pairs and on (anchor, positive, negative) triplets,
  the same with directions query_to_doc + doc_to_query, per_direction (the symmetric loss) on the pairs,
  CosineSimilarityLoss on scored pairs, and the cross-encoder's BinaryCrossEntropyLoss on labelled pairs.
Writes pair-losses.json.
"""
import json
import os
import sys

import torch
from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss, MultipleNegativesRankingLoss

ANCHORS = ["the dog barks .", "a cat sleeps on the mat", "money in the bank", "the big dog runs at night"]
POSITIVES = ["a dog barks", "the cat sleeps", "the bank of money", "a big dog runs ."]
NEGATIVES = ["the cat meows .", "a dog sleeps on the mat", "the river bank", "the small cat sits at night"]
SCORES = [0.9, 0.25, 0.6, 0.0]
LABELS = [1.0, 0.0, 1.0, 0.0]


def features(model, texts):
    return model.preprocess(texts)


def main(out):
    torch.manual_seed(0)
    encoder = SentenceTransformer(os.path.join(out, "st", "mean-normalize"), device="cpu")
    encoder.eval()
    reference = {"anchors": ANCHORS, "positives": POSITIVES, "negatives": NEGATIVES, "scores": SCORES,
                 "labels": LABELS}
    with torch.no_grad():
        pairs = [features(encoder, ANCHORS), features(encoder, POSITIVES)]
        triplets = pairs + [features(encoder, NEGATIVES)]
        reference["mnr_pairs"] = MultipleNegativesRankingLoss(encoder)(pairs, None).item()
        reference["mnr_triplets"] = MultipleNegativesRankingLoss(encoder)(triplets, None).item()
        symmetric = MultipleNegativesRankingLoss(encoder, directions=("query_to_doc", "doc_to_query"),
                                                 partition_mode="per_direction")
        reference["mnr_symmetric_pairs"] = symmetric(pairs, None).item()
        reference["cosine"] = CosineSimilarityLoss(encoder)(pairs, torch.tensor(SCORES)).item()
        reranker = CrossEncoder(os.path.join(out, "cross-encoder", "one-label"), device="cpu")
        reranker.eval()
        reference["bce"] = BinaryCrossEntropyLoss(reranker)([ANCHORS, POSITIVES], torch.tensor(LABELS)).item()
    with open(os.path.join(out, "pair-losses.json"), "w") as f:
        json.dump(reference, f, indent=1)
    print(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
