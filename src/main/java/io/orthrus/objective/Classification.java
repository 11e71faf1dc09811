package io.orthrus.objective;

import io.orthrus.data.Labeled;
import io.orthrus.model.Classifier;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/**
 * Supervised classification: the cross-entropy between a classifier's logits and the labels.
 * It trains a fine-tuned BERT on labelled texts and a classifier on feature vectors alike.
 *
 * @param <I> the input type of the classifier
 * @param <B> the batch type: inputs with labels
 */
public final class Classification<I, B extends Labeled<I>> implements Objective<Classifier<I>, B> {
    /** The objective; it has no settings. */
    public Classification() {}

    @Override
    public Tensor loss(Classifier<I> model, B batch) {
        int[] labels = batch.labels().data();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= model.classes()) {
                throw new IllegalArgumentException("Classification: label " + labels[i] + " of example " + i
                        + " is out of range [0, " + model.classes() + ")");
            }
        }
        return Losses.crossEntropy(model.logits(batch.inputs()), batch.labels()); // scalar
    }

    @Override
    public int predictions(B batch) {
        return batch.labels().numel();
    }

    @Override
    public String name() {
        return "classification";
    }
}
