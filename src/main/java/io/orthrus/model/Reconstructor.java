package io.orthrus.model;

import io.orthrus.tensor.Tensor;

/**
 * A model that reconstructs its input: an {@link Autoencoder}, or one encoder-decoder pair of it
 * ({@link Autoencoder#layer}) during layer-wise pre-training. {@code objective.Reconstruction}
 * trains any of them.
 */
public interface Reconstructor {
    /** The reconstruction before the output non-linearity, {@code (N, D)} for inputs {@code (N, D)}. */
    Tensor reconstructionLogits(Tensor input);

    /** The output non-linearity. */
    Autoencoder.Output output();

    /** The reconstruction z {@code (N, D)} of inputs {@code (N, D)}. */
    default Tensor reconstruct(Tensor input) {
        return output().apply(reconstructionLogits(input));
    }
}
