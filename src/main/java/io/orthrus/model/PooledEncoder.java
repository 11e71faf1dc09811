package io.orthrus.model;

import io.orthrus.data.TokenBatch;
import io.orthrus.nn.Module;
import io.orthrus.tensor.Tensor;

/**
 * A sentence encoder as a trainable module: a {@link Bert} whose token vectors are pooled into one
 * vector per text and, when asked, scaled to unit length, as sentence-transformers' Transformer,
 * Pooling and Normalize modules do it. It is what contrastive objectives train; the inference
 * path for the same weights is {@code infer.SentenceEncoder}.
 *
 * <pre>
 * batch ─▶ encoder (B, T, C) ─▶ pooling (B, D) ─▶ [÷ ‖·‖₂] (B, D)
 * </pre>
 */
public final class PooledEncoder extends Module {
    private final Bert encoder;
    private final Pooling pooling;
    private final boolean normalize;

    /** Pools {@code encoder}'s token vectors by {@code pooling}, scaling each vector to length 1 when {@code normalize}. */
    public PooledEncoder(Bert encoder, Pooling pooling, boolean normalize) {
        this.encoder = registerModule("bert", encoder);
        this.pooling = pooling;
        this.normalize = normalize;
    }

    /** The sentence vectors {@code (B, D)} of a padded batch, differentiable; D is {@link #dimension()}. */
    public Tensor embed(TokenBatch batch) {
        Tensor pooled = pooling.apply(encoder.encode(batch), batch.attentionMask()); // (B, D)
        return normalize ? unitLength(pooled) : pooled;
    }

    /**
     * Each row of {@code x} {@code (B, D)} divided by its Euclidean length, as PyTorch's
     * {@code F.normalize} (a length below 1e-12 counts as 1e-12, so a zero row stays zero).
     */
    public static Tensor unitLength(Tensor x) {
        Tensor length = x.mul(x).sum(1, true).add(1e-24f).sqrt(); // (B, 1)
        return x.div(length);
    }

    /** The encoder. */
    public Bert encoder() {
        return encoder;
    }

    /** How token vectors become one vector. */
    public Pooling pooling() {
        return pooling;
    }

    /** Whether sentence vectors are scaled to length 1. */
    public boolean normalize() {
        return normalize;
    }

    /** The width D of a sentence vector. */
    public int dimension() {
        return pooling.outputWidth(encoder.config().width());
    }
}
