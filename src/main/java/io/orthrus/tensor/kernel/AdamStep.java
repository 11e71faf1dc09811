package io.orthrus.tensor.kernel;

/**
 * The per-step constants of one Adam(W) update, as {@link MathKernel#adamStep} applies them:
 * {@code g = grad + coupledDecay·θ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * θ ← shrink·θ − stepSize·m / (√v / rootCorrection2 + epsilon)}.
 *
 * @param beta1           β₁, the decay of the first moment
 * @param beta2           β₂, the decay of the second moment
 * @param stepSize        lr / (1 − β₁ᵗ): the learning rate with the first moment's bias correction
 * @param rootCorrection2 √(1 − β₂ᵗ): the second moment's bias correction
 * @param epsilon         ε, added to the denominator
 * @param coupledDecay    λ for Adam's L2 decay through the gradient, 0 for AdamW
 * @param shrink          1 − lr·λ for AdamW's decoupled decay, 1 for Adam
 */
public record AdamStep(float beta1, float beta2, float stepSize, float rootCorrection2, float epsilon,
                       float coupledDecay, float shrink) {}
