package io.orthrus.optim;

import java.util.List;

/**
 * Adam (Kingma and Ba, 2015) with bias correction and L2 weight decay added to the gradient:
 * {@code g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * θ ← θ − lr·m̂/(√v̂ + ε)} with {@code m̂ = m/(1−β₁ᵗ)}, {@code v̂ = v/(1−β₂ᵗ)}.
 * For decay that does not pass through the adaptive scaling, use {@link AdamW}.
 */
public class Adam extends Optimizer {
    /** PyTorch's defaults. */
    public static final double DEFAULT_BETA1 = 0.9, DEFAULT_BETA2 = 0.999, DEFAULT_EPS = 1e-8;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    /** Adam with the default β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public Adam(List<ParamGroup> groups, double learningRate) {
        this(groups, learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    /** Adam with the given coefficients. */
    public Adam(List<ParamGroup> groups, double learningRate, double beta1, double beta2, double eps) {
        this(groups, learningRate, beta1, beta2, eps, false);
    }

    Adam(List<ParamGroup> groups, double learningRate, double beta1, double beta2, double eps, boolean decoupled) {
        super(groups, learningRate);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(kind() + ": betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(kind() + ": eps must be positive, got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    @Override
    public String kind() {
        return "Adam";
    }

    @Override
    protected List<String> stateNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected void update(Slice slice, double lr, long step) {
        float[] m = stateBuffer("exp_avg"), v = stateBuffer("exp_avg_sq");
        float[] values = slice.values(), grad = slice.grad();
        float b1 = (float) beta1, b2 = (float) beta2;
        double correction1 = 1 - Math.pow(beta1, step), correction2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / correction1);
        float rootCorrection2 = (float) Math.sqrt(correction2);
        float epsilon = (float) eps;
        float coupledDecay = decoupled ? 0f : (float) slice.weightDecay();
        float shrink = decoupled ? (float) (1 - lr * slice.weightDecay()) : 1f;
        int at = slice.stateOffset();
        for (int i = slice.from(); i < slice.to(); i++) {
            float g = grad[i] + coupledDecay * values[i];
            m[at + i] = b1 * m[at + i] + (1 - b1) * g;
            v[at + i] = b2 * v[at + i] + (1 - b2) * g * g;
            float denominator = (float) Math.sqrt(v[at + i]) / rootCorrection2 + epsilon;
            values[i] = shrink * values[i] - stepSize * m[at + i] / denominator;
        }
    }
}
