package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tensor.kernel.Scratch;
import java.util.Arrays;

/**
 * Fused multi-head self-attention from the packed output of a Q, K, V projection: the composite
 * {@code split → reshape → permute → Q·Kᵀ·scale → mask → softmax → ·V → permute → reshape} as
 * one op with one closed-form backward.
 *
 * <p>Each (batch row, key/value head) pair is one task on the shared pool: its K and V, and then
 * the Q of each query head it serves, are gathered from {@code qkv} into small contiguous matrices in a
 * scratch array of the thread's own (queries and keys turned there for rotary positions), and the
 * products run on a single-threaded GEMM. Backward computes {@code dV = Pᵀ·dO},
 * {@code dP = dO·Vᵀ}, {@code dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale}, {@code dQ = dS·K} and
 * {@code dK = dSᵀ·Q} from the probabilities P kept by forward. No (B, nh, T, hs) copy of the
 * inputs or outputs is made.
 *
 * <p>Masked keys are skipped, not computed and then zeroed: the queries are taken in blocks of
 * {@link #BLOCK_ROWS} rows, and a block multiplies only by the keys up to the last one any of its
 * rows may see. Under a causal mask that is a prefix of K and V that grows block by block, which
 * removes three eighths of the products at T = 256 and close to half for long contexts; within a
 * block, the softmax and its backward stop at each row's own last visible key. Each block's
 * probabilities are stored compactly (rows × visible keys) in the head's T × T slot of P. Tests
 * check the op against the composite ops, in value and gradient, under causal, prefix, padding
 * and full masks.
 */
public final class Attention {
    /** One head's matrices, a few kilobytes per thread, reused by every head the thread works on (they stay in L1). */
    private static final Scratch HEAD = new Scratch();
    /**
     * Queries per block: small enough that a causal mask lets early blocks skip most keys, large
     * enough that repacking the key prefix for each block, and the calls themselves, stay cheap
     * beside the multiply. At T ≤ 64 there is one block; the per-row limits of the softmax still
     * apply.
     */
    static final int BLOCK_ROWS = 64;
    /** Softmax rows are padded to a multiple of this many floats: a 512-bit vector, or two of 256 bits. */
    private static final int ROW_PAD = 16;

    private Attention() {}

    /**
     * {@code softmax(Q·Kᵀ/√hs, masked)·V} per head, heads concatenated.
     *
     * @param qkv     {@code (B, T, 3C)}: queries, keys and values side by side, each {@code (B, T, C)} with heads
     *                of size {@code hs = C / heads} in consecutive channels
     * @param heads   number of heads nh
     * @param blocked {@code (B', 1, T, T)} or {@code (B', T, T)} with B' = B or 1: 1 where query i must not
     *                see key j, 0 where it may; null for no mask
     * @return {@code (B, T, C)}
     */
    public static Tensor selfAttention(Tensor qkv, int heads, Tensor blocked) {
        int[] shape = qkv.shape();
        if (shape.length != 3 || shape[2] % 3 != 0 || heads <= 0 || (shape[2] / 3) % heads != 0) {
            throw new IllegalArgumentException("selfAttention: expected qkv (B, T, 3C) with C divisible by heads "
                    + heads + ", got shape " + Arrays.toString(shape));
        }
        return selfAttention(qkv, heads, heads, shape[2] / 3 / heads, null, blocked);
    }

    /**
     * Grouped-query self-attention with optional rotary positions: {@code nkv} key/value heads, each
     * serving {@code nh / nkv} consecutive query heads (transformers' {@code repeat_kv}, read in place),
     * and, with {@code rotary}, queries and keys turned for positions {@code 0 .. T − 1} before their
     * product (as {@link RotaryTable#rotate}; the backward turns their gradients back). With
     * {@code nkv = nh} and no rotary it is {@link #selfAttention(Tensor, int, Tensor)}.
     *
     * @param qkv      {@code (B, T, (nh + 2·nkv)·hs)}: the nh query heads, then the nkv key heads, then the
     *                 nkv value heads, {@code hs} consecutive channels each
     * @param heads    query heads nh, a multiple of {@code kvHeads}
     * @param kvHeads  key/value heads nkv
     * @param headSize channels per head hs (even with rotary)
     * @param rotary   the angle frequencies of rotary positions, {@code hs/2} of them, or null
     * @param blocked  as for {@link #selfAttention(Tensor, int, Tensor)}
     * @return {@code (B, T, nh·hs)}
     */
    public static Tensor selfAttention(Tensor qkv, int heads, int kvHeads, int headSize, float[] rotary, Tensor blocked) {
        int[] shape = qkv.shape();
        if (shape.length != 3 || heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headSize <= 0
                || shape[2] != (heads + 2 * kvHeads) * headSize || (rotary != null && 2 * rotary.length != headSize)) {
            throw new IllegalArgumentException("selfAttention: expected qkv (B, T, (" + heads + " + 2·" + kvHeads + ")·"
                    + headSize + ") with the heads a multiple of the key/value heads"
                    + (rotary == null ? "" : " and " + headSize + "/2 rotary frequencies, got " + rotary.length)
                    + "; got shape " + Arrays.toString(shape));
        }
        Plan plan = new Plan(shape[0], shape[1], heads, kvHeads, headSize, rotary, blocked);
        int b = plan.b, t = plan.t, hs = plan.hs, group = plan.group;
        int maskRows = plan.maskRows, blocks = plan.blocks, out1 = heads * hs;
        int[] rowEnd = plan.rowEnd, blockEnd = plan.blockEnd;
        boolean[] dense = plan.dense;
        float[] mask = plan.mask;
        float scale = plan.scale;
        float[] x = qkv.data(), out = Workspace.uninitialized(b * t * out1);
        float[] probs = Workspace.uninitialized(b * heads * t * t); // P, block by block, kept for backward
        Gemm gemm = Kernels.serialGemm();
        MathKernel math = Kernels.math();
        Parallel.shared().forEach(b * kvHeads, task -> { // one key/value head and the query heads it serves
            int bi = task / kvHeads, kv = task % kvHeads, m = maskRows <= 1 ? 0 : bi;
            // This thread's Q, K, V and O of one head, (T, hs) each, side by side.
            float[] head = HEAD.atLeast(4 * t * hs);
            int q = 0, k = t * hs, v = 2 * t * hs, o = 3 * t * hs;
            plan.gather(math, x, bi, plan.keyChannel(kv), head, k);
            plan.gather(math, x, bi, plan.valueChannel(kv), head, v);
            for (int h = kv * group; h < (kv + 1) * group; h++) {
                plan.gather(math, x, bi, h * hs, head, q);
                int p = (bi * heads + h) * t * t; // this head's probabilities (rows × keys), one block after another
                for (int block = 0; block < blocks; block++) {
                    int r0 = block * BLOCK_ROWS, rows = Math.min(BLOCK_ROWS, t - r0), keys = blockEnd[m * blocks + block];
                    if (keys == 0) { // no row of the block sees any key: it attends to nothing
                        Arrays.fill(head, o + r0 * hs, o + (r0 + rows) * hs, 0f);
                        continue;
                    }
                    gemm.gemm(false, true, rows, keys, hs, head, q + r0 * hs, head, k, probs, p, false); // S = Q·Kᵀ
                    for (int i = 0; i < rows; i++) {
                        int row = p + i * keys, end = rowEnd[m * t + r0 + i];
                        if (dense[m * t + r0 + i]) {
                            int padded = paddedWidth(end, keys);
                            Arrays.fill(probs, row + end, row + padded, Float.NEGATIVE_INFINITY); // probability 0
                            math.scaledSoftmax(probs, row, padded, scale);
                        } else {
                            softmaxRow(probs, row, end, scale, mask, (m * t + r0 + i) * t);
                        }
                        Arrays.fill(probs, row + end, row + keys, 0f);
                    }
                    gemm.gemm(false, false, rows, hs, keys, probs, p, head, v, head, o + r0 * hs, false); // O = P·V
                    p += rows * keys;
                }
                math.copyRows(head, o, hs, out, bi * t * out1 + h * hs, out1, t, hs, false); // O into its head's channels
            }
        });
        return Tensor.fromOp("selfAttention", out, new int[] {b, t, out1},
                g -> selfAttentionBackward(qkv, g, plan, probs), qkv);
    }

    /**
     * Backward of {@link #selfAttention}: from the output's gradient {@code g} {@code (B, T, nh·hs)} and
     * the probabilities {@code probs} forward kept, {@code dV = Pᵀ·dO}, {@code dP = dO·Vᵀ},
     * {@code dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale}, {@code dQ = dS·K}, {@code dK = dSᵀ·Q}, block by
     * block over the same visible keys, summed over the query heads a key/value head serves, and
     * turned back by the inverse rotation, into qkv's gradient.
     */
    private static void selfAttentionBackward(Tensor qkv, float[] g, Plan plan, float[] probs) {
        int b = plan.b, t = plan.t, hs = plan.hs, group = plan.group, heads = plan.heads;
        int kvHeads = plan.kvHeads, maskRows = plan.maskRows, blocks = plan.blocks, out1 = heads * hs;
        int[] rowEnd = plan.rowEnd, blockEnd = plan.blockEnd;
        boolean[] dense = plan.dense;
        float scale = plan.scale;
        float[] x = qkv.data();
        Gemm gemm = Kernels.serialGemm();
        MathKernel math = Kernels.math();
        // The tasks together write every element of the gradient, so the first one to reach qkv is stored.
        float[] newGx = qkv.gradBufferToOverwrite();
        boolean store = newGx != null;
        float[] gx = store ? newGx : qkv.gradBuffer();
        Parallel.shared().forEach(b * kvHeads, task -> {
            int bi = task / kvHeads, kv = task % kvHeads, m = maskRows <= 1 ? 0 : bi;
            // This thread's Q, K, V, dO, dQ, dK, dV of one head, (T, hs) each, then one block's dP (rows × T).
            float[] head = HEAD.atLeast(7 * t * hs + BLOCK_ROWS * t);
            int q = 0, k = t * hs, v = 2 * t * hs, dO = 3 * t * hs;
            int dQ = 4 * t * hs, dK = 5 * t * hs, dV = 6 * t * hs, dP = 7 * t * hs;
            plan.gather(math, x, bi, plan.keyChannel(kv), head, k);
            plan.gather(math, x, bi, plan.valueChannel(kv), head, v);
            Arrays.fill(head, dK, dK + 2 * t * hs, 0f); // dK and dV gather block after block, head after head
            for (int h = kv * group; h < (kv + 1) * group; h++) {
                plan.gather(math, x, bi, h * hs, head, q);
                math.copyRows(g, bi * t * out1 + h * hs, out1, head, dO, hs, t, hs, false); // this head's dO
                int p = (bi * heads + h) * t * t;
                for (int block = 0; block < blocks; block++) {
                    int r0 = block * BLOCK_ROWS, rows = Math.min(BLOCK_ROWS, t - r0), keys = blockEnd[m * blocks + block];
                    if (keys == 0) {
                        Arrays.fill(head, dQ + r0 * hs, dQ + (r0 + rows) * hs, 0f);
                        continue;
                    }
                    gemm.gemm(true, false, keys, hs, rows, probs, p, head, dO + r0 * hs, head, dV, true); // dV += Pᵀ·dO
                    gemm.gemm(false, true, rows, keys, hs, head, dO + r0 * hs, head, v, head, dP, false); // dP = dO·Vᵀ
                    for (int i = 0; i < rows; i++) { // dS = P ⊙ (dP − Σⱼ dP·P)·scale, in place in dP
                        int row = dP + i * keys, pRow = p + i * keys, end = rowEnd[m * t + r0 + i];
                        // Past end P is 0, so the padded width adds nothing (and its dS is overwritten below).
                        math.softmaxBackward(head, row, probs, pRow,
                                dense[m * t + r0 + i] ? paddedWidth(end, keys) : end, scale);
                        Arrays.fill(head, row + end, row + keys, 0f);
                    }
                    gemm.gemm(false, false, rows, hs, keys, head, dP, head, k, head, dQ + r0 * hs, false); // dQ = dS·K
                    gemm.gemm(true, false, keys, hs, rows, head, dP, head, q + r0 * hs, head, dK, true); // dK += dSᵀ·Q
                    p += rows * keys;
                }
                plan.scatter(math, head, dQ, gx, bi, h * hs, !store); // each head's own channels: never overlapping
            }
            plan.scatter(math, head, dK, gx, bi, plan.keyChannel(kv), !store);
            plan.scatter(math, head, dV, gx, bi, plan.valueChannel(kv), !store);
        });
    }

    /**
     * The shape of one attention call and what its mask leaves visible, shared by forward and
     * backward: per mask row and query one past its last visible key ({@code rowEnd}) and whether
     * every key before it is visible ({@code dense}); per mask row and block of queries the keys
     * the block reads ({@code blockEnd}).
     */
    private static final class Plan {
        final int b, t, heads, kvHeads, group, hs, width, maskRows, blocks;
        final float scale;
        final float[] mask;
        final int[] rowEnd, blockEnd;
        final boolean[] dense;
        final RotaryTable rotary;

        Plan(int b, int t, int heads, int kvHeads, int hs, float[] frequencies, Tensor blocked) {
            this.b = b;
            this.t = t;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.group = heads / kvHeads;
            this.hs = hs;
            this.width = (heads + 2 * kvHeads) * hs;
            this.maskRows = checkMask(blocked, b, t);
            this.mask = blocked == null ? null : blocked.data();
            this.rowEnd = visibleEnds(mask, maskRows, t);
            this.dense = denseRows(mask, rowEnd, t);
            this.blocks = (t + BLOCK_ROWS - 1) / BLOCK_ROWS;
            this.blockEnd = blockEnds(rowEnd, maskRows, t, blocks);
            this.scale = (float) (1.0 / Math.sqrt(hs));
            this.rotary = frequencies == null ? null : new RotaryTable(frequencies, 0, t);
        }

        /** The first channel of key head {@code kv} in a row of qkv. */
        int keyChannel(int kv) {
            return (heads + kv) * hs;
        }

        /** The first channel of value head {@code kv} in a row of qkv. */
        int valueChannel(int kv) {
            return (heads + kvHeads + kv) * hs;
        }

        /**
         * Copies the head at {@code channel} of batch row {@code bi} of qkv into {@code dst (T, hs)} at
         * {@code at}; a query or key head is turned for its positions when rotary.
         */
        void gather(MathKernel math, float[] qkv, int bi, int channel, float[] dst, int at) {
            math.copyRows(qkv, bi * t * width + channel, width, dst, at, hs, t, hs, false);
            if (rotary != null && channel < valueChannel(0)) {
                rotary.rotate(dst, at, dst, at, t, false, false);
            }
        }

        /**
         * The backward of {@link #gather}: the head's gradient {@code src (T, hs)} at {@code at}, turned
         * back when rotary (in place), stored or added into qkv's gradient at {@code channel}.
         */
        void scatter(MathKernel math, float[] src, int at, float[] gx, int bi, int channel, boolean add) {
            if (rotary != null && channel < valueChannel(0)) {
                rotary.rotate(src, at, src, at, t, true, false);
            }
            math.copyRows(src, at, hs, gx, bi * t * width + channel, width, t, hs, add);
        }
    }

    /**
     * A dense row's softmax runs over its visible keys rounded up to a multiple of {@link #ROW_PAD}
     * (at most the block's keys), the extra scores set to −∞: whole vectors instead of a scalar
     * tail, which cost more than the vectors themselves on causal rows of a few dozen keys. The
     * padding's probabilities are exactly 0 and add nothing to any sum, so results are unchanged.
     */
    private static int paddedWidth(int end, int keys) {
        return Math.min(keys, (end + ROW_PAD - 1) / ROW_PAD * ROW_PAD);
    }

    private static int checkMask(Tensor blocked, int b, int t) {
        if (blocked == null) {
            return 0;
        }
        int[] s = blocked.shape();
        boolean ok = (s.length == 4 && s[1] == 1 && s[2] == t && s[3] == t) || (s.length == 3 && s[1] == t && s[2] == t);
        if (!ok || (s[0] != 1 && s[0] != b)) {
            throw new IllegalArgumentException("selfAttention: mask of shape " + Arrays.toString(s)
                    + " does not fit; expected (1 or " + b + ", 1, " + t + ", " + t + ")");
        }
        return s[0];
    }

    /**
     * For each mask row and query i, one past the last key i may see (0 when it sees none; T
     * without a mask): the keys after it need no score.
     */
    private static int[] visibleEnds(float[] mask, int maskRows, int t) {
        int[] ends = new int[Math.max(1, maskRows) * t];
        for (int r = 0; r < ends.length; r++) {
            int end = t;
            if (mask != null) {
                while (end > 0 && mask[r * t + end - 1] != 0) {
                    end--;
                }
            }
            ends[r] = end;
        }
        return ends;
    }

    /** For each mask row and block of queries, the largest {@link #visibleEnds} of its rows. */
    private static int[] blockEnds(int[] rowEnd, int maskRows, int t, int blocks) {
        int[] ends = new int[Math.max(1, maskRows) * blocks];
        for (int m = 0; m < Math.max(1, maskRows); m++) {
            for (int i = 0; i < t; i++) {
                int at = m * blocks + i / BLOCK_ROWS;
                ends[at] = Math.max(ends[at], rowEnd[m * t + i]);
            }
        }
        return ends;
    }

    /**
     * Scaled, masked, numerically stable softmax of the first {@code n} scores of a row, in place,
     * for a row with hidden keys among its first {@code n} ({@link #denseRows} go to the kernel);
     * {@code maskAt} is the row's start in {@code mask}.
     */
    private static void softmaxRow(float[] s, int at, int n, float scale, float[] mask, int maskAt) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            boolean hidden = mask[maskAt + j] != 0;
            s[at + j] = hidden ? Float.NEGATIVE_INFINITY : s[at + j] * scale;
            max = Math.max(max, s[at + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) { // every key hidden: attend to nothing
            Arrays.fill(s, at, at + n, 0f);
            return;
        }
        float total = Kernels.math().expShiftedSum(s, at, s, at, n, max);
        float inv = 1f / total;
        for (int j = 0; j < n; j++) {
            s[at + j] *= inv;
        }
    }

    /**
     * Whether each query of each mask row sees every key before its {@link #visibleEnds} (no hidden
     * key in between, as under a causal or padding mask): such rows take the kernel's softmax,
     * which reads no mask.
     */
    private static boolean[] denseRows(float[] mask, int[] rowEnd, int t) {
        boolean[] dense = new boolean[rowEnd.length];
        for (int r = 0; r < rowEnd.length; r++) {
            dense[r] = true;
            for (int j = 0; mask != null && j < rowEnd[r] && dense[r]; j++) {
                dense[r] = mask[r * t + j] == 0;
            }
        }
        return dense;
    }
}
