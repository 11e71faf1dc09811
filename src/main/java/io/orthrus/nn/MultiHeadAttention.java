package io.orthrus.nn;

import io.orthrus.tensor.Attention;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.List;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al., 2017) under a caller-chosen
 * {@link AttentionMask}: {@code softmax(Q·Kᵀ/√hs + mask)·V} per head, heads concatenated and
 * projected. One fused projection makes Q, K and V ({@code qkv}); {@code proj} mixes the heads.
 */
public final class MultiHeadAttention extends Module {
    private final Linear qkv;
    private final Linear proj;
    private final Dropout attentionDropout;
    private final Dropout residualDropout;
    private final int heads;
    private final int width;
    private final boolean rotary;
    private final float dropout;

    /** Attention for the width, heads, bias, dropout and positional encoding of {@code config}. */
    public MultiHeadAttention(TransformerConfig config, Rng rng) {
        this.width = config.width();
        this.heads = config.heads();
        this.rotary = config.positions() == TransformerConfig.PositionalEncoding.ROTARY;
        this.dropout = config.dropout();
        this.qkv = registerModule("qkv", new Linear(width, 3 * width, config.bias(), rng));
        this.proj = registerModule("proj", new Linear(width, width, config.bias(), rng));
        this.attentionDropout = registerModule("attnDrop", new Dropout(config.dropout(), rng.split()));
        this.residualDropout = registerModule("residDrop", new Dropout(config.dropout(), rng.split()));
    }

    /**
     * {@code x (B, T, C) -> (B, T, C)}. With a cache (generation, no gradients), the new positions
     * start at {@code cache.length()}, their keys and values are appended to {@code layer}'s entry,
     * and the queries attend to every cached position the mask allows.
     */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache, int layer) {
        boolean attentionDropoutActive = dropout > 0 && isTraining();
        if (cache == null && !rotary && !attentionDropoutActive) {
            return fusedForward(x, mask);
        }
        return compositeForward(x, mask, cache, layer);
    }

    /** The fused kernel ({@link Attention#selfAttention}): one op from the packed Q, K, V to the merged heads. */
    Tensor fusedForward(Tensor x, AttentionMask mask) {
        int b = x.size(0), t = x.size(1);
        Tensor packed = qkv.forward(x); // (B, T, 3C)
        Tensor merged = Attention.selfAttention(packed, heads, mask.blocked(b, t, t, 0)); // (B, T, C)
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
    }

    /** The same attention from primitive ops: used with a cache, rotary positions or attention dropout, and as the fused kernel's reference. */
    Tensor compositeForward(Tensor x, AttentionMask mask, KvCache cache, int layer) {
        int b = x.size(0), t = x.size(1);
        int offset = cache == null ? 0 : cache.length();
        List<Tensor> parts = qkv.forward(x).split(-1, width, width, width); // 3 × (B, T, C)
        Tensor q = splitHeads(parts.get(0), heads); // (B, nh, T, hs)
        Tensor k = splitHeads(parts.get(1), heads); // (B, nh, T, hs)
        Tensor v = splitHeads(parts.get(2), heads); // (B, nh, T, hs)
        if (rotary) {
            q = Rotary.apply(q, offset); // (B, nh, T, hs)
            k = Rotary.apply(k, offset); // (B, nh, T, hs)
        }
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0]; // (B, nh, Tk, hs)
            v = kv[1]; // (B, nh, Tk, hs)
        }
        Tensor merged = attend(q, k, v, mask.blocked(b, t, k.size(2), offset), attentionDropout); // (B, T, C)
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
    }

    /**
     * Scaled dot-product attention over split heads, the part self- and cross-attention share:
     * {@code q (B, nh, Tq, hs)}, {@code k} and {@code v (B, nh, Tk, hs)}, {@code blocked} broadcastable
     * to {@code (B, nh, Tq, Tk)} (1 = hidden) -> heads merged {@code (B, Tq, nh·hs)}.
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor blocked, Dropout attentionDropout) {
        int b = q.size(0), heads = q.size(1), t = q.size(2), hs = q.size(3);
        Tensor scores = q.matmul(k.transpose(2, 3)).mul((float) (1.0 / Math.sqrt(hs))); // (B, nh, Tq, Tk)
        scores = scores.maskedFill(blocked, Float.NEGATIVE_INFINITY); // (B, nh, Tq, Tk)
        Tensor weights = attentionDropout.forward(scores.softmax(-1)); // (B, nh, Tq, Tk)
        Tensor merged = weights.matmul(v); // (B, nh, Tq, hs)
        return merged.permute(0, 2, 1, 3).reshape(b, t, heads * hs); // (B, Tq, C)
    }

    /** {@code (B, T, C) -> (B, nh, T, hs)}. */
    static Tensor splitHeads(Tensor x, int heads) {
        int b = x.size(0), t = x.size(1), hs = x.size(2) / heads;
        return x.reshape(b, t, heads, hs).permute(0, 2, 1, 3); // (B, nh, T, hs)
    }

    /** The Q, K, V projection {@code (C) -> (3C)}. */
    public Linear qkv() {
        return qkv;
    }

    /** The output projection {@code (C) -> (C)}. */
    public Linear proj() {
        return proj;
    }
}
