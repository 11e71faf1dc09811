package io.orthrus.data;

import io.orthrus.tensor.IntTensor;

/**
 * A batch of inputs with one class label each, for {@code objective.Classification}.
 *
 * @param <I> the input type: a {@link TokenBatch} of texts, or a {@code (N, D)} tensor of vectors
 */
public interface Labeled<I> {
    /** The inputs. */
    I inputs();

    /** Class ids {@code (N)}, one per input. */
    IntTensor labels();
}
