package io.orthrus.optim;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019): each step first shrinks the
 * parameters, {@code θ ← θ·(1 − lr·λ)}, then applies the Adam update of the raw gradient, so
 * decay is not rescaled by the adaptive denominator. Use {@link ParamGroup#decayMatricesOnly}
 * to keep biases and norm gains out of decay.
 */
public final class AdamW extends Adam {
    /** AdamW with the default β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public AdamW(List<ParamGroup> groups, double learningRate) {
        this(groups, learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    /** AdamW with the given coefficients. */
    public AdamW(List<ParamGroup> groups, double learningRate, double beta1, double beta2, double eps) {
        super(groups, learningRate, beta1, beta2, eps, true);
    }

    @Override
    public String kind() {
        return "AdamW";
    }
}
