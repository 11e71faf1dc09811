package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * The position-wise feed-forward layer of a block, {@code (B, T, C) -> (B, T, C)}: {@code down(act(up(x)))},
 * or, gated, {@code down(act(gate(x)) ⊙ up(x))} (SwiGLU with SiLU, as in Llama; the product is one fused op).
 */
public final class FeedForward extends Module implements Layer {
    private final Linear gate;
    private final Linear up;
    private final Activation activation;
    private final Linear down;
    private final Dropout dropout;

    /** A feed-forward layer of {@code config}'s widths, gating, activation, bias and dropout. */
    public FeedForward(TransformerConfig config, Rng rng) {
        this.gate = config.gatedFeedForward()
                ? registerModule("gate", new Linear(config.width(), config.feedForwardWidth(), config.bias(), rng)) : null;
        this.up = registerModule("up", new Linear(config.width(), config.feedForwardWidth(), config.bias(), rng));
        this.activation = new Activation(config.activation());
        this.down = registerModule("down", new Linear(config.feedForwardWidth(), config.width(), config.bias(), rng));
        this.dropout = registerModule("drop", new Dropout(config.dropout(), rng.split()));
    }

    /** {@code (B, T, C) -> (B, T, C)}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor hidden; // (B, T, F)
        if (gate == null) {
            hidden = activation.forward(up.forward(x));
        } else if (activation.kind() == Activation.Kind.SILU) {
            hidden = gate.forward(x).siluGate(up.forward(x));
        } else {
            hidden = activation.forward(gate.forward(x)).mul(up.forward(x));
        }
        return dropout.forward(down.forward(hidden)); // (B, T, C)
    }

    /** The gate {@code (C) -> (F)} of a gated layer, or null. */
    public Linear gate() {
        return gate;
    }

    /** The expansion {@code (C) -> (F)}. */
    public Linear up() {
        return up;
    }

    /** The contraction {@code (F) -> (C)}. */
    public Linear down() {
        return down;
    }
}
