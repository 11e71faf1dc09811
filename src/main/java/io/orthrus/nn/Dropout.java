package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * Inverted dropout with probability {@code p}, active only in training mode. It owns its
 * generator, seeded at construction, so a run is reproducible from its seed.
 */
public final class Dropout extends Module implements Layer {
    private final float p;
    private final Rng rng;

    /** Dropout with probability {@code p} in [0, 1), drawing from {@code rng}. */
    public Dropout(float p, Rng rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = registerGenerator("rng", rng);
    }

    /** Same shape in and out; the identity in evaluation mode. */
    @Override
    public Tensor forward(Tensor input) {
        return input.dropout(p, rng, isTraining());
    }
}
