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
        int b = x.size(0), t = x.size(1), hs = width / heads;
        int offset = cache == null ? 0 : cache.length();
        List<Tensor> parts = qkv.forward(x).split(-1, width, width, width); // 3 × (B, T, C)
        Tensor q = parts.get(0).reshape(b, t, heads, hs).permute(0, 2, 1, 3); // (B, nh, T, hs)
        Tensor k = parts.get(1).reshape(b, t, heads, hs).permute(0, 2, 1, 3); // (B, nh, T, hs)
        Tensor v = parts.get(2).reshape(b, t, heads, hs).permute(0, 2, 1, 3); // (B, nh, T, hs)
        if (rotary) {
            q = Rotary.apply(q, offset); // (B, nh, T, hs)
            k = Rotary.apply(k, offset); // (B, nh, T, hs)
        }
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0]; // (B, nh, Tk, hs)
            v = kv[1]; // (B, nh, Tk, hs)
        }
        int tk = k.size(2);
        Tensor scores = q.matmul(k.transpose(2, 3)).mul((float) (1.0 / Math.sqrt(hs))); // (B, nh, T, Tk)
        scores = scores.maskedFill(mask.blocked(b, t, tk, offset), Float.NEGATIVE_INFINITY); // (B, nh, T, Tk)
        Tensor weights = attentionDropout.forward(scores.softmax(-1)); // (B, nh, T, Tk)
        Tensor heads = weights.matmul(v); // (B, nh, T, hs)
        Tensor merged = heads.permute(0, 2, 1, 3).reshape(b, t, width); // (B, T, C)
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
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
