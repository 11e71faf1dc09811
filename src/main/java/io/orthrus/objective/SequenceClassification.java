package io.orthrus.objective;

import io.orthrus.data.LabeledBatch;
import io.orthrus.model.BertClassifier;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/** Fine-tuning for classification: the cross-entropy between the classifier's logits and the labels. */
public final class SequenceClassification implements Objective<BertClassifier, LabeledBatch> {
    @Override
    public Tensor loss(BertClassifier model, LabeledBatch batch) {
        int[] labels = batch.labels().data();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= model.classes()) {
                throw new IllegalArgumentException("SequenceClassification: label " + labels[i] + " of example " + i
                        + " is out of range [0, " + model.classes() + ")");
            }
        }
        return Losses.crossEntropy(model.logits(batch.inputs()), batch.labels()); // scalar
    }

    @Override
    public int predictions(LabeledBatch batch) {
        return batch.inputs().size();
    }

    @Override
    public String name() {
        return "sequence-classification";
    }
}
