package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/**
 * RMS normalisation over the last dimension (Zhang and Sennrich, 2019), the norm of Llama-family
 * models: {@code x / √(mean(x²) + eps) · weight}, with a learned gain (initialised to 1) and no bias
 * or centring. Input and output {@code (..., C)}.
 */
public final class RmsNorm extends Norm {
    /** Llama's ε. */
    public static final float DEFAULT_EPS = 1e-6f;

    private final Parameter weight;
    private final float eps;

    /** An RMS norm over width {@code dim} with ε {@code eps} (&gt; 0). */
    public RmsNorm(int dim, float eps) {
        if (dim <= 0) {
            throw new IllegalArgumentException("RmsNorm: width must be positive, got " + dim);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("RmsNorm: eps must be positive, got " + eps);
        }
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(dim)));
        this.eps = eps;
    }

    /** {@code (..., C) -> (..., C)}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.rmsNorm(weight, eps);
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public float eps() {
        return eps;
    }
}
