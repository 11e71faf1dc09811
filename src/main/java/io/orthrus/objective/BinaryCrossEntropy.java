package io.orthrus.objective;

import io.orthrus.data.ScoredBatch;
import io.orthrus.data.TokenBatch;
import io.orthrus.model.Classifier;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/**
 * Binary cross-entropy between a one-output classifier's logit and a target in [0, 1]: how a
 * cross-encoder learns to score (query, document) pairs (sentence-transformers' BinaryCrossEntropyLoss).
 * Targets may be soft (graded relevance).
 */
public final class BinaryCrossEntropy implements Objective<Classifier<TokenBatch>, ScoredBatch> {
    /** The objective; it has no settings. */
    public BinaryCrossEntropy() {}

    @Override
    public Tensor loss(Classifier<TokenBatch> model, ScoredBatch batch) {
        if (model.classes() != 1) {
            throw new IllegalArgumentException("BinaryCrossEntropy: the model must give one logit, it gives "
                    + model.classes());
        }
        float[] targets = batch.targets().data();
        for (int i = 0; i < targets.length; i++) {
            if (!(targets[i] >= 0 && targets[i] <= 1)) {
                throw new IllegalArgumentException("BinaryCrossEntropy: target " + targets[i] + " of row " + i
                        + " is not in [0, 1]");
            }
        }
        Tensor logits = model.logits(batch.inputs()); // (B, 1)
        return Losses.binaryCrossEntropyWithLogits(logits.reshape(batch.size()), batch.targets());
    }

    @Override
    public int predictions(ScoredBatch batch) {
        return batch.size();
    }

    @Override
    public String name() {
        return "binary cross-entropy";
    }
}
