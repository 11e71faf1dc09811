package io.orthrus.optim;

import io.orthrus.tensor.kernel.AdamStep;
import io.orthrus.tensor.kernel.Kernels;
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
        double correction1 = 1 - Math.pow(beta1, step), correction2 = 1 - Math.pow(beta2, step);
        AdamStep constants = new AdamStep((float) beta1, (float) beta2, (float) (lr / correction1),
                (float) Math.sqrt(correction2), (float) eps, decoupled ? 0f : (float) slice.weightDecay(),
                decoupled ? (float) (1 - lr * slice.weightDecay()) : 1f);
        // One fused pass over the piece: the moments are read and written once, on Kernels.math()'s SIMD code.
        Kernels.math().adamStep(slice.values(), slice.grad(), slice.from(), stateBuffer("exp_avg"),
                stateBuffer("exp_avg_sq"), slice.stateOffset() + slice.from(), slice.to() - slice.from(), constants);
    }
}
