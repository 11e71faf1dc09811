package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/**
 * A trainable tensor owned by a {@link Module}: a leaf that always requires gradients and that
 * optimizers update in place through {@link #data()}.
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
}
