package io.orthrus.nn;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;

/**
 * The keys and values that a stack's attention layers have already computed during generation,
 * so that each new token attends to them instead of recomputing them: a token then costs
 * O(T) attention rather than a full pass over the sequence. Holds {@code (B, nh, T, hs)} per layer,
 * and for a decoder with cross-attention the keys and values of the encoder's output
 * {@code (B, nh, S, hs)} per layer, projected once per source.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final Tensor[] memoryKeys;
    private final Tensor[] memoryValues;
    private int length;

    /** An empty cache for a stack of {@code layers} blocks. */
    public KvCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
        memoryKeys = new Tensor[layers];
        memoryValues = new Tensor[layers];
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /** Drops everything cached. */
    public void clear() {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
        java.util.Arrays.fill(memoryKeys, null);
        java.util.Arrays.fill(memoryValues, null);
        length = 0;
    }

    /**
     * Keeps batch rows {@code rows} of everything cached, in that order (a row may repeat): beam
     * search calls it after each step so that every surviving beam carries its parent's keys and values.
     */
    public void selectRows(int[] rows) {
        IntTensor index = IntTensor.of(rows, rows.length);
        for (Tensor[] table : new Tensor[][] {keys, values, memoryKeys, memoryValues}) {
            for (int layer = 0; layer < table.length; layer++) {
                if (table[layer] != null) {
                    table[layer] = table[layer].indexSelect(0, index).detach();
                }
            }
        }
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

    /** The cached memory keys and values {@code (B, nh, S, hs)} of {@code layer}, or null before the first pass. */
    Tensor[] memory(int layer) {
        return memoryKeys[layer] == null ? null : new Tensor[] {memoryKeys[layer], memoryValues[layer]};
    }

    void storeMemory(int layer, Tensor keys, Tensor values) {
        memoryKeys[layer] = keys.detach();
        memoryValues[layer] = values.detach();
    }

    void advance(int positions) {
        length += positions;
    }
}
