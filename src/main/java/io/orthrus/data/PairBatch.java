package io.orthrus.data;

import io.orthrus.tensor.Tensor;

/**
 * A batch of text pairs for a sentence encoder, each side padded on its own: the i-th text of
 * {@code first} goes with the i-th of {@code second}.
 *
 * @param first     the anchors (or the first texts of scored pairs), B texts
 * @param second    their positives (or the second texts), B texts
 * @param negatives a hard negative for each anchor, B texts, or null when the pairs have none
 * @param scores    each pair's similarity score {@code (B)}, or null when the pairs are not scored
 */
public record PairBatch(TokenBatch first, TokenBatch second, TokenBatch negatives, Tensor scores) {
    /** Checks that every part has B rows. */
    public PairBatch {
        int b = first.size();
        if (second.size() != b || (negatives != null && negatives.size() != b)
                || (scores != null && (scores.rank() != 1 || scores.size(0) != b))) {
            throw new IllegalArgumentException("PairBatch: " + b + " anchors but " + second.size() + " positives"
                    + (negatives == null ? "" : ", " + negatives.size() + " negatives")
                    + (scores == null ? "" : ", scores of shape " + java.util.Arrays.toString(scores.shape())));
        }
    }

    /** Number of pairs B. */
    public int size() {
        return first.size();
    }
}
