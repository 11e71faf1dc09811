package io.orthrus.data;

import io.orthrus.tensor.IntTensor;

/**
 * Encoded texts with their class labels.
 *
 * @param inputs the padded batch
 * @param labels class ids {@code (B)}
 */
public record LabeledBatch(TokenBatch inputs, IntTensor labels) implements Labeled<TokenBatch> {
    /** Checks the components, naming what is wrong. */
    public LabeledBatch {
        if (labels.shape().length != 1 || labels.shape()[0] != inputs.size()) {
            throw new IllegalArgumentException("LabeledBatch: " + inputs.size() + " inputs but labels of shape "
                    + java.util.Arrays.toString(labels.shape()));
        }
    }
}
