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
 * <p>Each (batch row, head) pair is one task on the shared pool: its Q, K and V are gathered
 * from {@code qkv} into small contiguous matrices in a scratch array of the thread's own, and the
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
        Plan plan = new Plan(shape[0], shape[1], shape[2] / 3, heads, blocked);
        int b = plan.b, t = plan.t, c = plan.c, hs = plan.hs, maskRows = plan.maskRows, blocks = plan.blocks;
        int[] rowEnd = plan.rowEnd, blockEnd = plan.blockEnd;
        boolean[] dense = plan.dense;
        float[] mask = plan.mask;
        float scale = plan.scale;
        float[] x = qkv.data(), out = Workspace.uninitialized(b * t * c);
        float[] probs = Workspace.uninitialized(b * heads * t * t); // P, block by block, kept for backward
        Gemm gemm = Kernels.serialGemm();
        MathKernel math = Kernels.math();
        Parallel.shared().forEach(b * heads, task -> {
            int bi = task / heads, h = task % heads, m = maskRows <= 1 ? 0 : bi;
            // This thread's Q, K, V and O of one head, (T, hs) each, side by side.
            float[] head = HEAD.atLeast(4 * t * hs);
            int q = 0, k = t * hs, v = 2 * t * hs, o = 3 * t * hs;
            gather(math, x, bi, t, c, 0, h, hs, head, q);
            gather(math, x, bi, t, c, 1, h, hs, head, k);
            gather(math, x, bi, t, c, 2, h, hs, head, v);
            int p = task * t * t; // this block's probabilities (rows × keys), packed one block after another
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
                        int width = paddedWidth(end, keys);
                        Arrays.fill(probs, row + end, row + width, Float.NEGATIVE_INFINITY); // probability 0
                        math.scaledSoftmax(probs, row, width, scale);
                    } else {
                        softmaxRow(probs, row, end, scale, mask, (m * t + r0 + i) * t);
                    }
                    Arrays.fill(probs, row + end, row + keys, 0f);
                }
                gemm.gemm(false, false, rows, hs, keys, probs, p, head, v, head, o + r0 * hs, false); // O = P·V
                p += rows * keys;
            }
            math.copyRows(head, o, hs, out, bi * t * c + h * hs, c, t, hs, false); // O into its head's channels
        });
        return Tensor.fromOp("selfAttention", out, new int[] {b, t, c},
                g -> selfAttentionBackward(qkv, g, heads, plan, probs), qkv);
    }

    /**
     * Backward of {@link #selfAttention}: from the output's gradient {@code g} {@code (B, T, C)} and
     * the probabilities {@code probs} forward kept, {@code dV = Pᵀ·dO}, {@code dP = dO·Vᵀ},
     * {@code dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale}, {@code dQ = dS·K}, {@code dK = dSᵀ·Q}, block by
     * block over the same visible keys, into qkv's gradient {@code (B, T, 3C)}.
     */
    private static void selfAttentionBackward(Tensor qkv, float[] g, int heads, Plan plan, float[] probs) {
        int b = plan.b, t = plan.t, c = plan.c, hs = plan.hs, maskRows = plan.maskRows, blocks = plan.blocks;
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
        Parallel.shared().forEach(b * heads, task -> {
            int bi = task / heads, h = task % heads, m = maskRows <= 1 ? 0 : bi;
            // This thread's Q, K, V, dO, dQ, dK, dV of one head, (T, hs) each, then one block's dP (rows × T).
            float[] head = HEAD.atLeast(7 * t * hs + BLOCK_ROWS * t);
            int q = 0, k = t * hs, v = 2 * t * hs, dO = 3 * t * hs;
            int dQ = 4 * t * hs, dK = 5 * t * hs, dV = 6 * t * hs, dP = 7 * t * hs;
            gather(math, x, bi, t, c, 0, h, hs, head, q);
            gather(math, x, bi, t, c, 1, h, hs, head, k);
            gather(math, x, bi, t, c, 2, h, hs, head, v);
            math.copyRows(g, bi * t * c + h * hs, c, head, dO, hs, t, hs, false); // this head's dO
            Arrays.fill(head, dK, dK + 2 * t * hs, 0f); // dK and dV gather block after block
            int p = task * t * t;
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
                    math.softmaxBackward(head, row, probs, pRow, dense[m * t + r0 + i] ? paddedWidth(end, keys) : end,
                            scale);
                    Arrays.fill(head, row + end, row + keys, 0f);
                }
                gemm.gemm(false, false, rows, hs, keys, head, dP, head, k, head, dQ + r0 * hs, false); // dQ = dS·K
                gemm.gemm(true, false, keys, hs, rows, head, dP, head, q + r0 * hs, head, dK, true); // dK += dSᵀ·Q
                p += rows * keys;
            }
            // Each task owns its head's channels, so these writes never overlap.
            for (int part = 0; part < 3; part++) { // dQ, dK, dV: stored or added
                math.copyRows(head, dQ + part * t * hs, hs, gx, bi * t * 3 * c + part * c + h * hs, 3 * c, t, hs, !store);
            }
        });
    }

    /**
     * The shape of one attention call and what its mask leaves visible, shared by forward and
     * backward: per mask row and query one past its last visible key ({@code rowEnd}) and whether
     * every key before it is visible ({@code dense}); per mask row and block of queries the keys
     * the block reads ({@code blockEnd}).
     */
    private static final class Plan {
        final int b, t, c, hs, maskRows, blocks;
        final float scale;
        final float[] mask;
        final int[] rowEnd, blockEnd;
        final boolean[] dense;

        Plan(int b, int t, int c, int heads, Tensor blocked) {
            this.b = b;
            this.t = t;
            this.c = c;
            this.hs = c / heads;
            this.maskRows = checkMask(blocked, b, t);
            this.mask = blocked == null ? null : blocked.data();
            this.rowEnd = visibleEnds(mask, maskRows, t);
            this.dense = denseRows(mask, rowEnd, t);
            this.blocks = (t + BLOCK_ROWS - 1) / BLOCK_ROWS;
            this.blockEnd = blockEnds(rowEnd, maskRows, t, blocks);
            this.scale = (float) (1.0 / Math.sqrt(hs));
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
     * Copies part {@code part} (0 = Q, 1 = K, 2 = V), head {@code h} of batch row {@code bi} into
     * {@code dst (T, hs)} starting at {@code at}.
     */
    private static void gather(MathKernel math, float[] qkv, int bi, int t, int c, int part, int h, int hs, float[] dst,
                               int at) {
        math.copyRows(qkv, bi * t * 3 * c + part * c + h * hs, 3 * c, dst, at, hs, t, hs, false);
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
