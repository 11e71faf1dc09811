package io.orthrus.nn;

import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tensor.kernel.Scratch;

/**
 * Attention of new queries to a {@link KvCache}'s keys and values, read where the cache holds them:
 * what generation runs at each step. Each query head reads its key/value head ({@code nh / nkv} query
 * heads share one, as in {@link MultiHeadAttention#attend}), scores the keys its mask allows, and sums
 * their values by the softmax of the scores. Nothing is copied or transposed, so a step costs
 * O(cached positions) and no more. Inference only: no gradient.
 */
final class CachedAttention {
    /** Multiply-adds below which one thread does a step's heads: splitting them would cost more than it saves. */
    private static final long PARALLEL_WORK = 1 << 16;
    /** One query's scores, per thread: allocated once, not per head and step. */
    private static final Scratch SCORES = new Scratch();

    private CachedAttention() {}

    /**
     * {@code q (B, nh, Tq, hs)}, the queries at absolute positions {@code offset …}, against the
     * {@code cache.positions(layer)} keys and values of {@code layer} under {@code mask} -> heads merged
     * {@code (B, Tq, nh·hs)}. A query that may see no key gets zeros.
     */
    static Tensor attend(Tensor q, KvCache cache, int layer, AttentionMask mask, int offset) {
        int b = q.size(0), heads = q.size(1), t = q.size(2), hs = q.size(3);
        int kvHeads = cache.kvHeads(layer), keys = cache.positions(layer), capacity = cache.capacity(layer);
        float[] qs = q.data(), k = cache.keyTable(layer), v = cache.valueTable(layer);
        float[] out = new float[b * t * heads * hs];
        float scale = (float) (1.0 / Math.sqrt(hs));
        int group = heads / kvHeads, units = b * heads * t;
        MathKernel math = Kernels.math();
        java.util.function.IntConsumer unit = u -> { // one (batch row, head, query)
            int i = u % t, h = (u / t) % heads, row = u / (t * heads);
            int qAt = ((row * heads + h) * t + i) * hs;
            int kvAt = (row * kvHeads + h / group) * capacity * hs;
            float[] scores = SCORES.atLeast(keys);
            int n = 0;
            for (int j = 0; j < keys; j++) { // the allowed keys' scores, in key order
                if (mask.allows(row, offset + i, j)) {
                    scores[n++] = scale * math.dot(qs, qAt, k, kvAt + j * hs, hs);
                }
            }
            int outAt = (row * t + i) * heads * hs + h * hs;
            if (n == 0) {
                return;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, scores[j]);
            }
            float total = math.expShiftedSum(scores, 0, scores, 0, n, max);
            for (int j = 0, s = 0; j < keys; j++) { // the same keys again, each with its weight
                if (mask.allows(row, offset + i, j)) {
                    math.axpy(scores[s++] / total, v, kvAt + j * hs, out, outAt, hs);
                }
            }
        };
        if ((long) units * keys * hs < PARALLEL_WORK || units == 1) {
            for (int u = 0; u < units; u++) {
                unit.accept(u);
            }
        } else {
            Parallel.shared().forEach(units, unit);
        }
        return Tensor.wrap(out, b, t, heads * hs);
    }
}
