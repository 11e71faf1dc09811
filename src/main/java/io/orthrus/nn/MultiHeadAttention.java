package io.orthrus.nn;

import io.orthrus.tensor.Attention;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import java.util.List;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al., 2017) under a caller-chosen
 * {@link AttentionMask}: {@code softmax(Q·Kᵀ/√hs + mask)·V} per head, heads concatenated and
 * projected. One fused projection makes Q, K and V ({@code qkv}: {@code nh} query heads, then
 * {@code nkv} key heads and {@code nkv} value heads of {@code hs} channels each); {@code proj}
 * mixes the heads. With fewer key/value heads than query heads (grouped-query attention, Ainslie
 * et al., 2023), query head {@code h} reads key/value head {@code h / (nh / nkv)}, as in Llama.
 */
public final class MultiHeadAttention extends Module {
    private final Linear qkv;
    private final Linear proj;
    private final Dropout attentionDropout;
    private final Dropout residualDropout;
    private final int heads;
    private final int kvHeads;
    private final int headSize;
    private final float[] rotaryFrequencies;
    private final float dropout;

    /** Attention for the width, heads, head size, biases, dropout and positional encoding of {@code config}. */
    public MultiHeadAttention(TransformerConfig config, Rng rng) {
        int width = config.width();
        this.heads = config.heads();
        this.kvHeads = config.kvHeads();
        this.headSize = config.headSize();
        this.rotaryFrequencies = config.positions() == TransformerConfig.PositionalEncoding.ROTARY
                ? Rotary.frequencies(headSize, config.ropeTheta(), config.ropeScaling()) : null;
        this.dropout = config.dropout();
        this.qkv = registerModule("qkv", new Linear(width, (heads + 2 * kvHeads) * headSize, config.qkvBias(), rng));
        this.proj = registerModule("proj", new Linear(heads * headSize, width, config.bias(), rng));
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
        if (cache == null && !attentionDropoutActive) {
            return fusedForward(x, mask);
        }
        return compositeForward(x, mask, cache, layer);
    }

    /**
     * The fused kernel ({@link Attention#selfAttention(Tensor, int, int, int, float[], Tensor)}): one op from the
     * packed Q, K, V to the merged heads, grouped-query and rotary included.
     */
    Tensor fusedForward(Tensor x, AttentionMask mask) {
        int b = x.size(0), t = x.size(1);
        Tensor packed = qkv.forward(x); // (B, T, (nh + 2·nkv)·hs)
        Tensor merged = Attention.selfAttention(packed, heads, kvHeads, headSize, rotaryFrequencies,
                mask.blocked(b, t, t, 0)); // (B, T, nh·hs)
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
    }

    /** The same attention from primitive ops: used with a cache or attention dropout, and as the fused kernel's reference. */
    Tensor compositeForward(Tensor x, AttentionMask mask, KvCache cache, int layer) {
        int b = x.size(0), t = x.size(1);
        int offset = cache == null ? 0 : cache.length();
        int queries = heads * headSize, keys = kvHeads * headSize;
        List<Tensor> parts = qkv.forward(x).split(-1, queries, keys, keys); // (B, T, nh·hs), 2 × (B, T, nkv·hs)
        Tensor q = splitHeads(parts.get(0), heads); // (B, nh, T, hs)
        Tensor k = splitHeads(parts.get(1), kvHeads); // (B, nkv, T, hs)
        Tensor v = splitHeads(parts.get(2), kvHeads); // (B, nkv, T, hs)
        if (rotaryFrequencies != null) {
            q = Rotary.apply(q, offset, rotaryFrequencies); // (B, nh, T, hs)
            k = Rotary.apply(k, offset, rotaryFrequencies); // (B, nkv, T, hs)
        }
        Tensor merged;
        if (cache != null && !NoGrad.isGradEnabled() && !attentionDropout.isTraining()) { // generation: read the cache in place
            cache.store(layer, k, v);
            merged = CachedAttention.attend(q, cache, layer, mask, offset); // (B, T, C)
        } else {
            if (cache != null) {
                Tensor[] kv = cache.append(layer, k, v);
                k = kv[0]; // (B, nkv, Tk, hs)
                v = kv[1]; // (B, nkv, Tk, hs)
            }
            merged = attend(q, k, v, mask.blocked(b, t, k.size(2), offset), attentionDropout); // (B, T, C)
        }
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
    }

    /**
     * Scaled dot-product attention over split heads, the part self- and cross-attention share:
     * {@code q (B, nh, Tq, hs)}, {@code k} and {@code v (B, nkv, Tk, hs)} with {@code nkv} dividing
     * {@code nh}, {@code blocked} broadcastable to {@code (B, nh, Tq, Tk)} (1 = hidden) -> heads
     * merged {@code (B, Tq, nh·hs)}. With {@code nkv < nh}, each key/value head serves
     * {@code nh / nkv} consecutive query heads, read in place (never copied per query head).
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor blocked, Dropout attentionDropout) {
        int b = q.size(0), heads = q.size(1), t = q.size(2), hs = q.size(3), kvHeads = k.size(1), tk = k.size(2);
        if (kvHeads != heads) { // (B, nkv, group, Tq, hs) against (B, nkv, 1, Tk, hs): the matmuls broadcast the group
            int group = heads / kvHeads;
            q = q.reshape(b, kvHeads, group, t, hs);
            k = k.reshape(b, kvHeads, 1, tk, hs);
            v = v.reshape(b, kvHeads, 1, tk, hs);
            int[] mask = blocked.shape(); // (B or 1, 1, Tq, Tk) -> (B or 1, 1, 1, Tq, Tk)
            blocked = blocked.reshape(mask[0], 1, 1, mask[mask.length - 2], mask[mask.length - 1]);
        }
        int last = q.rank() - 1;
        Tensor scores = q.matmul(k.transpose(last - 1, last)).mul((float) (1.0 / Math.sqrt(hs))); // (..., Tq, Tk)
        scores = scores.maskedFill(blocked, Float.NEGATIVE_INFINITY); // (..., Tq, Tk)
        Tensor weights = attentionDropout.forward(scores.softmax(-1)); // (..., Tq, Tk)
        Tensor merged = weights.matmul(v).reshape(b, heads, t, hs); // (B, nh, Tq, hs)
        return merged.permute(0, 2, 1, 3).reshape(b, t, heads * hs); // (B, Tq, nh·hs)
    }

    /** {@code (B, T, C) -> (B, nh, T, hs)}. */
    static Tensor splitHeads(Tensor x, int heads) {
        int b = x.size(0), t = x.size(1), hs = x.size(2) / heads;
        return x.reshape(b, t, heads, hs).permute(0, 2, 1, 3); // (B, nh, T, hs)
    }

    /** Rows of {@link #qkv()} that make the queries ({@code nh·hs}); the key rows and then the value rows follow. */
    int queryRows() {
        return heads * headSize;
    }

    /** Rows of {@link #qkv()} that make the keys, and as many the values: {@code nkv·hs}. */
    int keyRows() {
        return kvHeads * headSize;
    }

    /** The Q, K, V projection {@code (C) -> ((nh + 2·nkv)·hs)}: query rows, then key rows, then value rows. */
    public Linear qkv() {
        return qkv;
    }

    /** The output projection {@code (nh·hs) -> (C)}. */
    public Linear proj() {
        return proj;
    }
}
