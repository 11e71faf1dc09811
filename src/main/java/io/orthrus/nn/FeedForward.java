package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/** The position-wise feed-forward layer of a block: {@code down(act(up(x)))}, {@code (B, T, C) -> (B, T, C)}. */
public final class FeedForward extends Module implements Layer {
    private final Linear up;
    private final Activation activation;
    private final Linear down;
    private final Dropout dropout;

    /** A feed-forward layer of {@code config}'s widths, activation, bias and dropout. */
    public FeedForward(TransformerConfig config, Rng rng) {
        this.up = registerModule("up", new Linear(config.width(), config.feedForwardWidth(), config.bias(), rng));
        this.activation = new Activation(config.activation());
        this.down = registerModule("down", new Linear(config.feedForwardWidth(), config.width(), config.bias(), rng));
        this.dropout = registerModule("drop", new Dropout(config.dropout(), rng.split()));
    }

    /** {@code (B, T, C) -> (B, T, C)}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor hidden = activation.forward(up.forward(x)); // (B, T, F)
        return dropout.forward(down.forward(hidden)); // (B, T, C)
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
