package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/**
 * A trainable tensor owned by a {@link Module}: a leaf that requires gradients and that optimizers
 * update in place through {@link #data()}, unless it is {@linkplain #freeze() frozen}.
 */
public final class Parameter extends Tensor {
    /** A parameter of the given shape, filled with zeros (initialise it with {@link Init}). */
    public Parameter(int... shape) {
        this(Tensor.zeros(shape));
    }

    /** A parameter holding a copy of {@code initial}'s values. */
    public Parameter(Tensor initial) {
        super(initial.toArray(), initial.shape());
        requiresGrad(true);
    }

    /**
     * Freezes this parameter: backward passes compute no gradient for it, it holds no gradient
     * array, and the optimizers a {@code Trainer} makes leave it out (no state, no update). What a
     * LoRA adapter does to the base weights. Returns this.
     */
    public Parameter freeze() {
        requiresGrad(false);
        discardGrad();
        return this;
    }

    /** Makes a {@link #freeze() frozen} parameter trainable again; returns this. */
    public Parameter unfreeze() {
        requiresGrad(true);
        return this;
    }

    /** True when the parameter is {@link #freeze() frozen}. */
    public boolean isFrozen() {
        return !requiresGrad();
    }
}
