package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * One residual block: attention then feed-forward, each wrapped in a residual connection and a
 * norm (layer or RMS norm, as the config says), before (pre-norm, GPT-2) or after (post-norm, BERT) the branch. A decoder block of
 * an encoder-decoder model adds a third branch between the two: cross-attention to the encoder's
 * output.
 */
public final class TransformerBlock extends Module {
    private final Norm ln1;
    private final MultiHeadAttention attn;
    private final Norm lnCross;
    private final CrossAttention cross;
    private final Norm ln2;
    private final FeedForward ff;
    private final boolean preNorm;

    /** A block of {@code config}'s shape, without cross-attention. */
    public TransformerBlock(TransformerConfig config, Rng rng) {
        this(config, 0, rng);
    }

    /**
     * A block of {@code config}'s shape; with {@code memoryWidth > 0}, a decoder block whose
     * cross-attention reads a memory of that many channels.
     */
    public TransformerBlock(TransformerConfig config, int memoryWidth, Rng rng) {
        this.preNorm = config.norm() == TransformerConfig.NormPlacement.PRE;
        this.ln1 = registerModule("ln1", norm(config));
        this.attn = registerModule("attn", new MultiHeadAttention(config, rng));
        if (memoryWidth > 0) {
            this.lnCross = registerModule("lnCross", norm(config));
            this.cross = registerModule("cross", new CrossAttention(config, memoryWidth, rng));
        } else {
            this.lnCross = null;
            this.cross = null;
        }
        this.ln2 = registerModule("ln2", norm(config));
        this.ff = registerModule("ff", new FeedForward(config, rng));
    }

    /** A norm of {@code config}'s kind, width, bias and ε. */
    static Norm norm(TransformerConfig config) {
        return config.normalization().create(config.width(), config.bias(), config.layerNormEps());
    }

    /** {@code (B, T, C) -> (B, T, C)}; {@code cache} may be null (see {@link MultiHeadAttention#forward}). */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache, int layer) {
        return forward(x, mask, cache, layer, null, null);
    }

    /**
     * {@code (B, T, C) -> (B, T, C)}, attending also to {@code memory (B, S, Cm)} under
     * {@code memoryMask} when this is a decoder block (both must then be given; both null otherwise).
     */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache, int layer, Tensor memory,
                          AttentionMask memoryMask) {
        if ((cross != null) != (memory != null)) {
            throw new IllegalArgumentException(cross != null
                    ? "TransformerBlock: this decoder block has cross-attention and needs the encoder's output (memory)"
                    : "TransformerBlock: this block has no cross-attention; build it with a memory width to give it a memory");
        }
        if (preNorm) {
            x = x.add(attn.forward(ln1.forward(x), mask, cache, layer)); // (B, T, C)
            if (cross != null) {
                x = x.add(cross.forward(lnCross.forward(x), memory, memoryMask, cache, layer)); // (B, T, C)
            }
            return x.add(ff.forward(ln2.forward(x))); // (B, T, C)
        }
        x = ln1.forward(x.add(attn.forward(x, mask, cache, layer))); // (B, T, C)
        if (cross != null) {
            x = lnCross.forward(x.add(cross.forward(x, memory, memoryMask, cache, layer))); // (B, T, C)
        }
        return ln2.forward(x.add(ff.forward(x))); // (B, T, C)
    }

    /** The attention layer. */
    public MultiHeadAttention attention() {
        return attn;
    }

    /** The cross-attention layer of a decoder block, or null. */
    public CrossAttention crossAttention() {
        return cross;
    }

    /** The feed-forward layer. */
    public FeedForward feedForward() {
        return ff;
    }
}
