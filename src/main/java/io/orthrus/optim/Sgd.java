package io.orthrus.optim;

import java.util.List;

/**
 * Stochastic gradient descent with optional momentum (PyTorch's form) and L2 weight decay:
 * {@code g ← g + λθ; v ← μv + g; θ ← θ − lr·(nesterov ? g + μv : v)}; with μ = 0, {@code θ ← θ − lr·g}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    /** Plain SGD (no momentum). */
    public Sgd(List<ParamGroup> groups, double learningRate) {
        this(groups, learningRate, 0.0, false);
    }

    /** SGD with momentum μ in [0, 1), optionally Nesterov's. */
    public Sgd(List<ParamGroup> groups, double learningRate, double momentum, boolean nesterov) {
        super(groups, learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Sgd: Nesterov momentum needs momentum > 0");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    public String kind() {
        return "Sgd";
    }

    @Override
    protected List<String> stateNames() {
        return momentum > 0 ? List.of("momentum") : List.of();
    }

    @Override
    protected void update(Slice slice, double lr, long step) {
        float[] velocity = momentum > 0 ? stateBuffer("momentum") : null;
        float[] values = slice.values(), grad = slice.grad();
        float mu = (float) momentum, decay = (float) slice.weightDecay(), rate = (float) lr;
        int at = slice.stateOffset();
        for (int i = slice.from(); i < slice.to(); i++) {
            float g = grad[i] + decay * values[i];
            if (velocity != null) {
                velocity[at + i] = mu * velocity[at + i] + g; // v starts at 0, so v₁ = g₁ as in PyTorch
                g = nesterov ? g + mu * velocity[at + i] : velocity[at + i];
            }
            values[i] -= rate * g;
        }
    }
}
