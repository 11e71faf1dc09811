package io.orthrus.objective;

import io.orthrus.data.PairBatch;
import io.orthrus.model.PooledEncoder;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/**
 * Regression on scored pairs (sentence-transformers' CosineSimilarityLoss): the mean squared error
 * between the cosine similarity of the two texts' vectors and the pair's score, which should lie in
 * [-1, 1] (usually [0, 1], a similarity rating scaled down).
 */
public final class CosineSimilarity implements Objective<PooledEncoder, PairBatch> {
    /** The objective; it has no settings. */
    public CosineSimilarity() {}

    @Override
    public Tensor loss(PooledEncoder model, PairBatch batch) {
        if (batch.scores() == null) {
            throw new IllegalArgumentException("CosineSimilarity: the batch has no scores; train related pairs with"
                    + " MultipleNegativesRanking");
        }
        return loss(model.embed(batch.first()), model.embed(batch.second()), batch.scores());
    }

    /** The loss of sentence vectors {@code a} and {@code b} {@code (B, D)} (any length) against {@code scores} {@code (B)}. */
    public Tensor loss(Tensor a, Tensor b, Tensor scores) {
        Tensor cos = PooledEncoder.unitLength(a).mul(PooledEncoder.unitLength(b)).sum(1, false); // (B)
        return Losses.mse(cos, scores);
    }

    @Override
    public int predictions(PairBatch batch) {
        return batch.size();
    }

    @Override
    public String name() {
        return "cosine similarity";
    }
}
