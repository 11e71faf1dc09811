package io.orthrus.nn;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * Which keys each query may attend to: the one thing that separates an autoregressive model
 * from an autoencoding one on the same stack. The objective chooses it; attention applies it.
 *
 * <ul>
 *   <li>{@link #causal()}: position i sees positions ≤ i (GPT).</li>
 *   <li>{@link #bidirectional()}: every position sees every position (BERT).</li>
 *   <li>{@link #prefix(int)}: the first n positions see each other; the rest are causal (prefix LM, UniLM).</li>
 * </ul>
 * Any of them can be combined with key padding ({@link #withKeyPadding}): padded keys are never seen.
 * Positions are absolute, so a query at position {@code offset + i} of a cached generation is
 * masked correctly.
 */
public final class AttentionMask {
    /** The pattern over positions. */
    public enum Kind {
        /** Each position sees itself and the positions before it (GPT). */
        CAUSAL,
        /** Every position sees every position (BERT). */
        BIDIRECTIONAL,
        /** The first positions see each other, the rest are causal (prefix LM). */
        PREFIX
    }

    private static final AttentionMask CAUSAL = new AttentionMask(Kind.CAUSAL, 0, null);
    private static final AttentionMask BIDIRECTIONAL = new AttentionMask(Kind.BIDIRECTIONAL, 0, null);

    private final Kind kind;
    private final int prefixLength;
    private final int[] keyValid; // (B, Tk) row-major, 1 = real token, 0 = padding; null = no padding
    private final int keyLength;

    private AttentionMask(Kind kind, int prefixLength, IntTensor keyPadding) {
        this.kind = kind;
        this.prefixLength = prefixLength;
        this.keyValid = keyPadding == null ? null : keyPadding.data().clone();
        this.keyLength = keyPadding == null ? 0 : keyPadding.shape()[1];
    }

    /** Each position sees itself and the positions before it. */
    public static AttentionMask causal() {
        return CAUSAL;
    }

    /** Every position sees every position. */
    public static AttentionMask bidirectional() {
        return BIDIRECTIONAL;
    }

    /** The first {@code length} positions see each other; later positions are causal (and see the prefix). */
    public static AttentionMask prefix(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("AttentionMask.prefix: length must be >= 0, got " + length);
        }
        return new AttentionMask(Kind.PREFIX, length, null);
    }

    /**
     * This mask with padded keys hidden. {@code attention} is {@code (B, Tk)} with 1 for a real token
     * and 0 for padding (the Hugging Face {@code attention_mask} convention).
     */
    public AttentionMask withKeyPadding(IntTensor attention) {
        int[] shape = attention.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("AttentionMask.withKeyPadding: expected (B, T) of 0/1, got shape "
                    + Arrays.toString(shape));
        }
        for (int v : attention.data()) {
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException("AttentionMask.withKeyPadding: values must be 1 (token) or 0 (padding), found " + v);
            }
        }
        return new AttentionMask(kind, prefixLength, attention);
    }

    /** The pattern. */
    public Kind kind() {
        return kind;
    }

    /** True when the query at absolute position {@code query} of batch row {@code batch} may see the key at {@code key}. */
    public boolean allows(int batch, int query, int key) {
        if (keyValid != null && keyValid[batch * keyLength + key] == 0) {
            return false;
        }
        return switch (kind) {
            case BIDIRECTIONAL -> true;
            case CAUSAL -> key <= query;
            case PREFIX -> key <= query || (query < prefixLength && key < prefixLength);
        };
    }

    /**
     * The blocked positions as a tensor of 1 (blocked) and 0 (allowed), shape {@code (B', 1, Tq, Tk)}
     * with B' = B under key padding and 1 otherwise, for queries at absolute positions
     * {@code queryOffset .. queryOffset + Tq - 1}; it broadcasts over heads.
     */
    public Tensor blocked(int batch, int queries, int keys, int queryOffset) {
        if (keyValid != null && (keyLength != keys || keyValid.length != batch * keys)) {
            throw new IllegalArgumentException("AttentionMask: key padding of shape (" + keyValid.length / Math.max(1, keyLength)
                    + ", " + keyLength + ") does not match a batch of " + batch + " with " + keys + " keys");
        }
        int rows = keyValid == null ? 1 : batch;
        float[] out = new float[rows * queries * keys];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < queries; i++) {
                for (int j = 0; j < keys; j++) {
                    out[(b * queries + i) * keys + j] = allows(b, queryOffset + i, j) ? 0f : 1f;
                }
            }
        }
        return Tensor.wrap(out, rows, 1, queries, keys);
    }

    @Override
    public String toString() {
        return "AttentionMask(" + kind + (kind == Kind.PREFIX ? " " + prefixLength : "")
                + (keyValid != null ? ", key padding" : "") + ")";
    }
}
