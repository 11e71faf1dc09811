package io.orthrus.data;

import io.orthrus.tensor.Tensor;

/**
 * Encoded inputs with one target score each, such as text pairs for a cross-encoder with their
 * relevance in [0, 1].
 *
 * @param inputs  the encoded inputs, B rows
 * @param targets one target per row {@code (B)}
 */
public record ScoredBatch(TokenBatch inputs, Tensor targets) {
    /** Checks that there is one target per input. */
    public ScoredBatch {
        if (targets.rank() != 1 || targets.size(0) != inputs.size()) {
            throw new IllegalArgumentException("ScoredBatch: " + inputs.size() + " inputs but targets of shape "
                    + java.util.Arrays.toString(targets.shape()));
        }
    }

    /** Number of rows B. */
    public int size() {
        return inputs.size();
    }
}
