package io.orthrus.nn;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * A lookup table of {@code V} vectors of width {@code C}: ids {@code (...)} become vectors
 * {@code (..., C)}. Initialised from N(0, 1) as in PyTorch; models re-initialise as they need.
 */
public final class Embedding extends Module {
    private final Parameter weight;

    /** A table of {@code count} vectors of width {@code dim}. */
    public Embedding(int count, int dim, Rng rng) {
        if (count <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got count=" + count + ", dim=" + dim);
        }
        this.weight = registerParameter("weight", new Parameter(count, dim));
        Init.normal(weight, 1f, rng);
    }

    /** {@code ids (...) -> (..., C)}; every id must be in {@code [0, V)}. */
    public Tensor forward(IntTensor ids) {
        return weight.embeddingLookup(ids);
    }

    /** The table {@code (V, C)}. */
    public Parameter weight() {
        return weight;
    }
}
