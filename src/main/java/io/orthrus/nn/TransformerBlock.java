package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * One residual block: attention then feed-forward, each wrapped in a residual connection and a
 * layer norm, before (pre-norm, GPT-2) or after (post-norm, BERT) the branch.
 */
public final class TransformerBlock extends Module {
    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final FeedForward ff;
    private final boolean preNorm;

    /** A block of {@code config}'s shape. */
    public TransformerBlock(TransformerConfig config, Rng rng) {
        this.preNorm = config.norm() == TransformerConfig.NormPlacement.PRE;
        this.ln1 = registerModule("ln1", new LayerNorm(config.width(), config.bias(), LayerNorm.DEFAULT_EPS));
        this.attn = registerModule("attn", new MultiHeadAttention(config, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(config.width(), config.bias(), LayerNorm.DEFAULT_EPS));
        this.ff = registerModule("ff", new FeedForward(config, rng));
    }

    /** {@code (B, T, C) -> (B, T, C)}; {@code cache} may be null (see {@link MultiHeadAttention#forward}). */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache, int layer) {
        if (preNorm) {
            x = x.add(attn.forward(ln1.forward(x), mask, cache, layer)); // (B, T, C)
            return x.add(ff.forward(ln2.forward(x))); // (B, T, C)
        }
        x = ln1.forward(x.add(attn.forward(x, mask, cache, layer))); // (B, T, C)
        return ln2.forward(x.add(ff.forward(x))); // (B, T, C)
    }

    /** The attention layer. */
    public MultiHeadAttention attention() {
        return attn;
    }

    /** The feed-forward layer. */
    public FeedForward feedForward() {
        return ff;
    }
}
