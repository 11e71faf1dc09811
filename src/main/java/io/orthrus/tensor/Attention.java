package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tensor.kernel.Scratch;
import java.util.Arrays;

/**
 * Fused multi-head self-attention from the packed output of a Q, K, V projection: the composite
 * {@code split → reshape → permute → Q·Kᵀ·scale → mask → softmax → ·V → permute → reshape} as
 * one op with one closed-form backward.
 *
 * <p>Each (batch row, head) pair is one task on the shared pool: its Q, K and V are gathered
 * from {@code qkv} into small contiguous matrices in a scratch array of the thread's own, the
 * scores go through a single-threaded GEMM, and the softmax probabilities {@code P (B, nh, T, T)}
 * are kept for backward, which computes {@code dV = Pᵀ·dO}, {@code dP = dO·Vᵀ},
 * {@code dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale}, {@code dQ = dS·K} and {@code dK = dSᵀ·Q}. No
 * (B, nh, T, hs) copy of the inputs or outputs is made. Tests check it against the composite
 * ops, in value and gradient.
 */
public final class Attention {
    /** One head's matrices, a few kilobytes per thread, reused by every head the thread works on (they stay in L1). */
    private static final Scratch HEAD = new Scratch();

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
        int b = shape[0], t = shape[1], c = shape[2] / 3, hs = c / heads;
        int maskRows = checkMask(blocked, b, t);
        float[] mask = blocked == null ? null : blocked.data();
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] x = qkv.data(), out = Workspace.uninitialized(b * t * c);
        float[] probs = Workspace.uninitialized(b * heads * t * t); // P, kept for backward
        Gemm gemm = Kernels.serialGemm();
        Parallel.shared().forEach(b * heads, task -> {
            int bi = task / heads, h = task % heads;
            // This thread's Q, K, V and O of one head, (T, hs) each, side by side.
            float[] head = HEAD.atLeast(4 * t * hs);
            int q = 0, k = t * hs, v = 2 * t * hs, o = 3 * t * hs;
            gather(x, bi, t, c, 0, h, hs, head, q);
            gather(x, bi, t, c, 1, h, hs, head, k);
            gather(x, bi, t, c, 2, h, hs, head, v);
            int pOffset = task * t * t;
            gemm.gemm(false, true, t, t, hs, head, q, head, k, probs, pOffset, false); // S = Q·Kᵀ (T, T)
            int maskOffset = mask == null ? 0 : (maskRows == 1 ? 0 : bi) * t * t;
            for (int i = 0; i < t; i++) {
                softmaxRow(probs, pOffset + i * t, t, scale, mask, maskOffset + i * t);
            }
            gemm.gemm(false, false, t, hs, t, probs, pOffset, head, v, head, o, false); // O = P·V (T, hs)
            scatter(head, o, bi, t, c, h, hs, out);
        });
        return Tensor.fromOp("selfAttention", out, new int[] {b, t, c}, g -> {
            // The tasks together write every element of the gradient, so the first one to reach qkv is stored.
            float[] newGx = qkv.gradBufferToOverwrite();
            boolean store = newGx != null;
            float[] gx = store ? newGx : qkv.gradBuffer();
            Parallel.shared().forEach(b * heads, task -> {
                int bi = task / heads, h = task % heads;
                // This thread's Q, K, V, dO, dQ, dK, dV of one head, (T, hs) each, then dP (T, T).
                float[] head = HEAD.atLeast(7 * t * hs + t * t);
                int q = 0, k = t * hs, v = 2 * t * hs, dO = 3 * t * hs;
                int dQ = 4 * t * hs, dK = 5 * t * hs, dV = 6 * t * hs, dP = 7 * t * hs;
                gather(x, bi, t, c, 0, h, hs, head, q);
                gather(x, bi, t, c, 1, h, hs, head, k);
                gather(x, bi, t, c, 2, h, hs, head, v);
                gatherOutput(g, bi, t, c, h, hs, head, dO);
                int pOffset = task * t * t;
                gemm.gemm(true, false, t, hs, t, probs, pOffset, head, dO, head, dV, false); // dV = Pᵀ·dO
                gemm.gemm(false, true, t, t, hs, head, dO, head, v, head, dP, false); // dP = dO·Vᵀ
                for (int i = 0; i < t; i++) { // dS = P ⊙ (dP − Σⱼ dP·P)·scale, in place in dP
                    int row = dP + i * t, pRow = pOffset + i * t;
                    float dot = 0;
                    for (int j = 0; j < t; j++) {
                        dot += head[row + j] * probs[pRow + j];
                    }
                    for (int j = 0; j < t; j++) {
                        head[row + j] = probs[pRow + j] * (head[row + j] - dot) * scale;
                    }
                }
                gemm.gemm(false, false, t, hs, t, head, dP, head, k, head, dQ, false); // dQ = dS·K
                gemm.gemm(true, false, t, hs, t, head, dP, head, q, head, dK, false); // dK = dSᵀ·Q
                // Each task owns its head's channels, so these writes never overlap.
                accumulate(head, dQ, bi, t, c, 0, h, hs, gx, store);
                accumulate(head, dK, bi, t, c, 1, h, hs, gx, store);
                accumulate(head, dV, bi, t, c, 2, h, hs, gx, store);
            });
        }, qkv);
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

    /** Scaled, masked, numerically stable softmax of one row of scores, in place. */
    private static void softmaxRow(float[] s, int at, int n, float scale, float[] mask, int maskAt) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            boolean hidden = mask != null && mask[maskAt + j] != 0;
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
    private static void gather(float[] qkv, int bi, int t, int c, int part, int h, int hs, float[] dst, int at) {
        for (int i = 0; i < t; i++) {
            System.arraycopy(qkv, (bi * t + i) * 3 * c + part * c + h * hs, dst, at + i * hs, hs);
        }
    }

    private static void gatherOutput(float[] out, int bi, int t, int c, int h, int hs, float[] dst, int at) {
        for (int i = 0; i < t; i++) {
            System.arraycopy(out, (bi * t + i) * c + h * hs, dst, at + i * hs, hs);
        }
    }

    private static void scatter(float[] src, int at, int bi, int t, int c, int h, int hs, float[] out) {
        for (int i = 0; i < t; i++) {
            System.arraycopy(src, at + i * hs, out, (bi * t + i) * c + h * hs, hs);
        }
    }

    /** Adds (or, with {@code store}, copies) {@code src (T, hs)} into part {@code part}, head {@code h} of the gradient. */
    private static void accumulate(float[] src, int at, int bi, int t, int c, int part, int h, int hs, float[] grad,
                                   boolean store) {
        for (int i = 0; i < t; i++) {
            int to = (bi * t + i) * 3 * c + part * c + h * hs, from = at + i * hs;
            if (store) {
                System.arraycopy(src, from, grad, to, hs);
                continue;
            }
            for (int j = 0; j < hs; j++) {
                grad[to + j] += src[from + j];
            }
        }
    }
}
