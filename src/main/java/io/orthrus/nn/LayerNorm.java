package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/**
 * Layer normalisation over the last dimension (Ba, Kiros and Hinton, 2016), with a learned gain
 * (initialised to 1) and an optional learned bias (initialised to 0). Input and output {@code (..., C)}.
 */
public final class LayerNorm extends Norm {
    /** The usual ε added to the variance. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final Parameter weight;
    private final Parameter bias;
    private final float eps;

    /** A layer norm over width {@code dim}, with bias, ε = 1e-5. */
    public LayerNorm(int dim) {
        this(dim, true, DEFAULT_EPS);
    }

    /** A layer norm over width {@code dim}. */
    public LayerNorm(int dim, boolean bias, float eps) {
        if (dim <= 0) {
            throw new IllegalArgumentException("LayerNorm: width must be positive, got " + dim);
        }
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(dim)));
        this.bias = bias ? registerParameter("bias", new Parameter(dim)) : null;
        this.eps = eps;
    }

    /** {@code (..., C) -> (..., C)}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.layerNorm(weight, bias, eps);
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    /** The bias {@code (C)}, or null when the norm has none. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public float eps() {
        return eps;
    }
}
