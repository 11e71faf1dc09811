package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;

/**
 * One LoRA adapter on one {@link Linear} (or on one part of a fused one: the query rows of Q, K, V):
 * {@code A (r × in)} drawn as PEFT draws it (uniform in ±1/√in) and {@code B (rows × r)} at zero, so
 * that the adapted layer starts equal to the base. Adds {@code scale·B·A·dropout(x)} to output
 * channels {@code from .. from + rows − 1} of the layer. Made and switched by {@link Lora}.
 */
public final class LoraAdapter extends Module {
    private final Parameter a;
    private final Parameter b;
    private final Dropout dropout;
    private final int from;
    private final int rows;
    private final float scale;
    private boolean active = true;
    private boolean merged;

    LoraAdapter(int in, int from, int rows, LoraConfig config, Rng rng) {
        this.from = from;
        this.rows = rows;
        this.scale = (float) config.scale();
        this.a = registerParameter("A", new Parameter(config.rank(), in));
        Init.uniform(a, (float) (1.0 / Math.sqrt(in)), rng);
        this.b = registerParameter("B", new Parameter(rows, config.rank()));
        this.dropout = registerModule("drop", new Dropout((float) config.dropout(), rng.split()));
    }

    /** {@code A (r × in)}. */
    public Parameter a() {
        return a;
    }

    /** {@code B (rows × r)}. */
    public Parameter b() {
        return b;
    }

    /** The first output channel of the layer this adapter adds to. */
    public int from() {
        return from;
    }

    /** How many output channels it adds to: B's rows. */
    public int rows() {
        return rows;
    }

    /** The factor of the update: {@code alpha/r} or {@code alpha/√r}. */
    public float scale() {
        return scale;
    }

    /** Whether the layer's output includes this adapter: it is the active one and not merged into the weight. */
    boolean applies() {
        return active && !merged;
    }

    void setActive(boolean on) {
        active = on;
        for (Parameter p : namedParameters().values()) {
            if (on) {
                p.unfreeze();
            } else {
                p.freeze();
            }
        }
    }

    /** {@code y} with {@code scale·(dropout(x)·Aᵀ)·Bᵀ} added to its channels {@code from .. from + rows − 1}. */
    Tensor addTo(Tensor y, Tensor x) {
        Tensor update = dropout.forward(x).linear(a, null).mul(scale).linear(b, null); // (..., rows)
        return rows == y.size(y.rank() - 1) ? y.add(update) : y.addInto(update, from);
    }

    /** Adds ({@code sign} 1) or subtracts ({@code sign} −1) {@code scale·B·A} to rows {@code from ..} of {@code weight}. */
    void mergeInto(Parameter weight, int sign) {
        int r = a.size(0), in = a.size(1);
        float[] scaledB = b.toArray();
        for (int i = 0; i < scaledB.length; i++) {
            scaledB[i] *= sign * scale;
        }
        Kernels.gemm().gemm(false, false, rows, in, r, scaledB, 0, a.data(), 0, weight.data(), from * in, true);
        merged = sign > 0;
    }
}
