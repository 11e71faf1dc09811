package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Multi-head attention from a decoder's positions to an encoder's output (the "memory"), as in the
 * Transformer of Vaswani et al. (2017): queries come from the decoder stream {@code x}, keys and
 * values from the memory, so each target position can read the whole source. The mask only hides
 * padded source positions; there is no order between the two sequences, so no causal pattern and
 * no rotary positions.
 */
public final class CrossAttention extends Module {
    private final Linear query;
    private final Linear keyValue;
    private final Linear proj;
    private final Dropout attentionDropout;
    private final Dropout residualDropout;
    private final int heads;
    private final int width;

    /**
     * Attention for the width, heads, bias and dropout of {@code config}, reading a memory of
     * {@code memoryWidth} channels (the encoder's width, which may differ from the decoder's).
     */
    public CrossAttention(TransformerConfig config, int memoryWidth, Rng rng) {
        if (memoryWidth <= 0) {
            throw new IllegalArgumentException("CrossAttention: memoryWidth must be > 0, got " + memoryWidth);
        }
        this.width = config.heads() * config.headSize(); // the attention's width: the model's unless heads are sized apart
        this.heads = config.heads();
        this.query = registerModule("q", new Linear(config.width(), width, config.bias(), rng));
        this.keyValue = registerModule("kv", new Linear(memoryWidth, 2 * width, config.bias(), rng));
        this.proj = registerModule("proj", new Linear(width, config.width(), config.bias(), rng));
        this.attentionDropout = registerModule("attnDrop", new Dropout(config.dropout(), rng.split()));
        this.residualDropout = registerModule("residDrop", new Dropout(config.dropout(), rng.split()));
    }

    /**
     * {@code x (B, T, C)} attending to {@code memory (B, S, Cm)} -> {@code (B, T, C)}.
     *
     * @param memoryMask which memory positions may be seen: {@link AttentionMask#bidirectional()},
     *                   with the source's key padding when the batch is padded
     * @param cache      during generation, holds {@code layer}'s memory keys and values after the
     *                   first call so that the memory is projected once; null when training
     */
    public Tensor forward(Tensor x, Tensor memory, AttentionMask memoryMask, KvCache cache, int layer) {
        if (x.rank() != 3 || memory.rank() != 3 || memory.size(0) != x.size(0)) {
            throw new IllegalArgumentException("CrossAttention: expected x (B, T, C) and memory (B, S, Cm) with the same B,"
                    + " got " + Arrays.toString(x.shape()) + " and " + Arrays.toString(memory.shape()));
        }
        int b = x.size(0), t = x.size(1);
        Tensor[] kv = cache == null ? null : cache.memory(layer);
        if (kv == null) {
            List<Tensor> parts = keyValue.forward(memory).split(-1, width, width); // 2 × (B, S, C)
            kv = new Tensor[] {MultiHeadAttention.splitHeads(parts.get(0), heads), // (B, nh, S, hs)
                    MultiHeadAttention.splitHeads(parts.get(1), heads)}; // (B, nh, S, hs)
            if (cache != null) {
                cache.storeMemory(layer, kv[0], kv[1]);
            }
        }
        Tensor q = MultiHeadAttention.splitHeads(query.forward(x), heads); // (B, nh, T, hs)
        Tensor blocked = memoryMask.blocked(b, t, kv[0].size(2), 0); // (B', 1, T, S)
        Tensor merged = MultiHeadAttention.attend(q, kv[0], kv[1], blocked, attentionDropout); // (B, T, C)
        return residualDropout.forward(proj.forward(merged)); // (B, T, C)
    }

    /** The query projection {@code (C) -> (C)}. */
    public Linear query() {
        return query;
    }

    /** The key and value projection of the memory {@code (Cm) -> (2C)}. */
    public Linear keyValue() {
        return keyValue;
    }

    /** The output projection {@code (C) -> (C)}. */
    public Linear proj() {
        return proj;
    }
}
