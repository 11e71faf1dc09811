package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/**
 * The keys and values that a stack's attention layers have already computed during generation,
 * so that each new token attends to them instead of recomputing them: a token then costs
 * O(T) attention rather than a full pass over the sequence. Holds {@code (B, nh, T, hs)} per layer.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private int length;

    /** An empty cache for a stack of {@code layers} blocks. */
    public KvCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /** Drops everything cached. */
    public void clear() {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
        length = 0;
    }

    /**
     * Appends new keys and values {@code (B, nh, Tnew, hs)} for {@code layer} and returns the full
     * ones {@code (B, nh, Tcached + Tnew, hs)}. The stack advances {@link #length()} once per pass,
     * after its last layer.
     */
    Tensor[] append(int layer, Tensor newKeys, Tensor newValues) {
        Tensor k = keys[layer] == null ? newKeys.detach() : Tensor.concat(2, keys[layer], newKeys).detach();
        Tensor v = values[layer] == null ? newValues.detach() : Tensor.concat(2, values[layer], newValues).detach();
        keys[layer] = k;
        values[layer] = v;
        return new Tensor[] {k, v};
    }

    void advance(int positions) {
        length += positions;
    }
}
