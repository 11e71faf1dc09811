package io.orthrus.nn;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;

/**
 * The keys and values that a stack's attention layers have already computed during generation,
 * so that each new token attends to them instead of recomputing them: a token then costs
 * O(T) attention rather than a full pass over the sequence. Holds {@code (B, nkv, T, hs)} per layer,
 * with room to grow,
 * and for a decoder with cross-attention the keys and values of the encoder's output
 * {@code (B, nh, S, hs)} per layer, projected once per source.
 */
public final class KvCache {
    // Per layer, (B, nkv, capacity, hs): room for more positions than cached, so a new token is written in
    // place and the cache grows by doubling instead of being copied whole at every step.
    private final float[][] keys;
    private final float[][] values;
    private final int[][] shape; // per layer: B, nkv, capacity, hs
    private final int[] filled;
    private final Tensor[] memoryKeys;
    private final Tensor[] memoryValues;
    private int length;

    /** An empty cache for a stack of {@code layers} blocks. */
    public KvCache(int layers) {
        keys = new float[layers][];
        values = new float[layers][];
        shape = new int[layers][];
        filled = new int[layers];
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
        java.util.Arrays.fill(shape, null);
        java.util.Arrays.fill(filled, 0);
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
        for (Tensor[] table : new Tensor[][] {memoryKeys, memoryValues}) {
            for (int layer = 0; layer < table.length; layer++) {
                if (table[layer] != null) {
                    table[layer] = table[layer].indexSelect(0, index).detach();
                }
            }
        }
        for (int layer = 0; layer < keys.length; layer++) {
            if (keys[layer] != null) {
                int[] s = shape[layer];
                int row = s[1] * s[2] * s[3];
                for (float[][] table : new float[][][] {keys, values}) {
                    float[] picked = new float[rows.length * row];
                    for (int r = 0; r < rows.length; r++) {
                        if (rows[r] < 0 || rows[r] >= s[0]) {
                            throw new IllegalArgumentException("KvCache.selectRows: row " + rows[r] + " of a batch of " + s[0]);
                        }
                        System.arraycopy(table[layer], rows[r] * row, picked, r * row, row);
                    }
                    table[layer] = picked;
                }
                shape[layer] = new int[] {rows.length, s[1], s[2], s[3]};
            }
        }
    }

    /**
     * Appends new keys and values {@code (B, nkv, Tnew, hs)} for {@code layer} and returns the full
     * ones {@code (B, nkv, Tcached + Tnew, hs)} (copies). The stack advances {@link #length()} once per
     * pass, after its last layer.
     */
    Tensor[] append(int layer, Tensor newKeys, Tensor newValues) {
        store(layer, newKeys, newValues);
        int[] s = shape[layer];
        int t = filled[layer];
        return new Tensor[] {Tensor.wrap(compact(keys[layer], s, t), s[0], s[1], t, s[3]),
                Tensor.wrap(compact(values[layer], s, t), s[0], s[1], t, s[3])};
    }

    /** The first {@code t} positions of each (batch, head) of a {@code (B, nkv, capacity, hs)} table. */
    private static float[] compact(float[] table, int[] s, int t) {
        float[] out = new float[s[0] * s[1] * t * s[3]];
        for (int bh = 0; bh < s[0] * s[1]; bh++) {
            System.arraycopy(table, bh * s[2] * s[3], out, bh * t * s[3], t * s[3]);
        }
        return out;
    }

    /** Writes new keys and values {@code (B, nkv, Tnew, hs)} of {@code layer} after its cached ones. */
    void store(int layer, Tensor newKeys, Tensor newValues) {
        int b = newKeys.size(0), heads = newKeys.size(1), t = newKeys.size(2), hs = newKeys.size(3);
        int[] s = shape[layer];
        if (s != null && (s[0] != b || s[1] != heads || s[3] != hs)) {
            throw new IllegalArgumentException("KvCache: layer " + layer + " holds (" + s[0] + ", " + s[1] + ", …, " + s[3]
                    + ") keys; new ones are " + java.util.Arrays.toString(newKeys.shape()));
        }
        int have = filled[layer], need = have + t;
        if (s == null || need > s[2]) {
            int capacity = Math.max(need, s == null ? Math.max(16, t) : 2 * s[2]);
            Memory.require("KvCache: layer " + layer + " of " + capacity + " positions", 8L * b * heads * capacity * hs);
            float[] k = new float[b * heads * capacity * hs], v = new float[k.length];
            if (s != null) {
                for (int bh = 0; bh < b * heads; bh++) {
                    System.arraycopy(keys[layer], bh * s[2] * hs, k, bh * capacity * hs, have * hs);
                    System.arraycopy(values[layer], bh * s[2] * hs, v, bh * capacity * hs, have * hs);
                }
            }
            keys[layer] = k;
            values[layer] = v;
            s = shape[layer] = new int[] {b, heads, capacity, hs};
        }
        float[] nk = newKeys.data(), nv = newValues.data();
        for (int bh = 0; bh < b * heads; bh++) {
            System.arraycopy(nk, bh * t * hs, keys[layer], (bh * s[2] + have) * hs, t * hs);
            System.arraycopy(nv, bh * t * hs, values[layer], (bh * s[2] + have) * hs, t * hs);
        }
        filled[layer] = need;
    }

    /** {@code layer}'s keys as stored: {@code (B, nkv, capacity, hs)}, the first {@link #positions} of each head filled. */
    float[] keyTable(int layer) {
        return keys[layer];
    }

    /** {@code layer}'s values as stored, laid out as {@link #keyTable}. */
    float[] valueTable(int layer) {
        return values[layer];
    }

    /** Key/value heads of {@code layer}. */
    int kvHeads(int layer) {
        return shape[layer][1];
    }

    /** Positions a head's rows are apart in {@link #keyTable} and {@link #valueTable} of {@code layer}. */
    int capacity(int layer) {
        return shape[layer][2];
    }

    /** Positions {@code layer} holds (during a pass, the new ones included). */
    int positions(int layer) {
        return filled[layer];
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
