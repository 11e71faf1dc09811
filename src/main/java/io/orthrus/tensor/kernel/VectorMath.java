package io.orthrus.tensor.kernel;

import static io.orthrus.tensor.kernel.ErfApproximation.INV_SQRT_2;
import static io.orthrus.tensor.kernel.ErfApproximation.LIMIT;
import static io.orthrus.tensor.kernel.ErfApproximation.P0;
import static io.orthrus.tensor.kernel.ErfApproximation.P1;
import static io.orthrus.tensor.kernel.ErfApproximation.P2;
import static io.orthrus.tensor.kernel.ErfApproximation.P3;
import static io.orthrus.tensor.kernel.ErfApproximation.P4;
import static io.orthrus.tensor.kernel.ErfApproximation.P5;
import static io.orthrus.tensor.kernel.ErfApproximation.P6;
import static io.orthrus.tensor.kernel.ErfApproximation.Q1;
import static io.orthrus.tensor.kernel.ErfApproximation.Q2;
import static io.orthrus.tensor.kernel.ErfApproximation.Q3;
import static io.orthrus.tensor.kernel.ErfApproximation.Q4;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MathKernel} on the Vector API: the exponential from a short polynomial, GELU through the
 * same rational erf as {@link JavaMath}, and layer norm with its row sums kept in vector lanes,
 * evaluated a vector at a time. Tails shorter than a vector use scalar code.
 *
 * <p>Only operations that IEEE 754 defines exactly are used (add, multiply, divide, fused
 * multiply-add, min, max, bit moves), and lanes are summed in a fixed order: the Vector API
 * runs interpreted until the JIT compiles it, and a transcendental or a lane reduction could round
 * differently in the two forms, so that identical runs would differ in the last bit.
 * Load it only when the JVM has {@code jdk.incubator.vector} ({@link Kernels} checks).
 */
public final class VectorMath implements MathKernel {
    /** The Vector API kernels; they keep no state. */
    public VectorMath() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Lane i ↔ lane i ^ k (for k below the lane count; the identity otherwise): the steps of {@link #sumLanes}. */
    private static final VectorShuffle<Float> SWAP_8 = swap(8), SWAP_4 = swap(4), SWAP_2 = swap(2), SWAP_1 = swap(1);
    private static final JavaMath SCALAR = new JavaMath();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187045e-6f;
    private static final float ROUNDER = 12582912f; // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    private static final int ROUNDER_BITS = 0x4B400000; // its bit pattern
    private static final float EXP_MIN = -87f, EXP_MAX = 88f;
    // The constants of the exponential as vectors, made once (see expShiftedSum).
    private static final FloatVector V_EXP_MIN = FloatVector.broadcast(SPECIES, EXP_MIN),
            V_EXP_MAX = FloatVector.broadcast(SPECIES, EXP_MAX), V_LOG2E = FloatVector.broadcast(SPECIES, LOG2E),
            V_ROUNDER = FloatVector.broadcast(SPECIES, ROUNDER), V_LN2_HI = FloatVector.broadcast(SPECIES, LN2_HI),
            V_LN2_LO = FloatVector.broadcast(SPECIES, LN2_LO), V_1_720 = FloatVector.broadcast(SPECIES, 1f / 720),
            V_1_120 = FloatVector.broadcast(SPECIES, 1f / 120), V_1_24 = FloatVector.broadcast(SPECIES, 1f / 24),
            V_1_6 = FloatVector.broadcast(SPECIES, 1f / 6), V_ZERO = FloatVector.zero(SPECIES);
    /** Subtracted from the rounded value's bits to leave k + 127, the biased exponent of 2^k, in the low bits. */
    private static final IntVector I_EXPONENT_BIAS = V_ZERO.reinterpretAsInts().broadcast(ROUNDER_BITS - 127);
    // The constants of GELU's backward pass as vectors, made once (see geluBackward).
    private static final FloatVector V_INV_SQRT_2 = FloatVector.broadcast(SPECIES, INV_SQRT_2);
    private static final FloatVector V_LIMIT = FloatVector.broadcast(SPECIES, LIMIT);
    private static final FloatVector V_MINUS_LIMIT = FloatVector.broadcast(SPECIES, -LIMIT);
    private static final FloatVector V_ONE = FloatVector.broadcast(SPECIES, 1f);
    private static final FloatVector V_HALF = FloatVector.broadcast(SPECIES, 0.5f);
    private static final FloatVector V_P6 = FloatVector.broadcast(SPECIES, P6), V_P5 = FloatVector.broadcast(SPECIES, P5),
            V_P4 = FloatVector.broadcast(SPECIES, P4), V_P3 = FloatVector.broadcast(SPECIES, P3),
            V_P2 = FloatVector.broadcast(SPECIES, P2), V_P1 = FloatVector.broadcast(SPECIES, P1),
            V_P0 = FloatVector.broadcast(SPECIES, P0);
    private static final FloatVector V_Q4 = FloatVector.broadcast(SPECIES, Q4), V_Q3 = FloatVector.broadcast(SPECIES, Q3),
            V_Q2 = FloatVector.broadcast(SPECIES, Q2), V_Q1 = FloatVector.broadcast(SPECIES, Q1);
    /** 2P'(z): the coefficients 2k·P_k. */
    private static final FloatVector V_2DP6 = FloatVector.broadcast(SPECIES, 12 * P6),
            V_2DP5 = FloatVector.broadcast(SPECIES, 10 * P5), V_2DP4 = FloatVector.broadcast(SPECIES, 8 * P4),
            V_2DP3 = FloatVector.broadcast(SPECIES, 6 * P3), V_2DP2 = FloatVector.broadcast(SPECIES, 4 * P2),
            V_2DP1 = FloatVector.broadcast(SPECIES, 2 * P1);
    /** 2Q'(z): the coefficients 2k·Q_k. */
    private static final FloatVector V_2DQ4 = FloatVector.broadcast(SPECIES, 8 * Q4),
            V_2DQ3 = FloatVector.broadcast(SPECIES, 6 * Q3), V_2DQ2 = FloatVector.broadcast(SPECIES, 4 * Q2),
            V_2DQ1 = FloatVector.broadcast(SPECIES, 2 * Q1);

    @Override
    public String name() {
        return "vector-api";
    }

    /**
     * e^(x − shift) for each x, written to {@code dst}, and their sum. The exponential uses
     * IEEE-exact operations only (multiply, fused multiply-add, bit moves): round x·log₂e to an
     * integer k with the 1.5·2²³ trick, reduce r = x − k·ln 2 in two steps (Cody–Waite), a degree-6
     * Taylor polynomial for e^r on |r| ≤ 0.35 (relative error below 2e-7), and 2^k built in the
     * exponent bits. {@code VectorOperators.EXP} is not used because its compiled and interpreted
     * forms may differ in the last bit, which would make a run depend on when the JIT compiled it.
     * Inputs below −87 give 0.
     */
    @Override
    public float expShiftedSum(float[] src, int srcOffset, float[] dst, int dstOffset, int n, float shift) {
        // The exponential is written out, not called: a vector passed to a call C2 may not inline is boxed
        // (docs/performance.md#no-vector-crosses-a-call-that-may-not-be-inlined). The sum is taken afterwards
        // from dst, not in a vector carried across the loop, which short rows skip
        // (docs/performance.md#no-vector-carried-across-a-loop-that-short-inputs-skip).
        int bound = SPECIES.loopBound(n);
        FloatVector shifts = FloatVector.broadcast(SPECIES, shift);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector x = FloatVector.fromArray(SPECIES, src, srcOffset + j).sub(shifts);
            FloatVector clamped = x.max(V_EXP_MIN).min(V_EXP_MAX);
            FloatVector rounded = clamped.fma(V_LOG2E, V_ROUNDER); // x·log₂e + 1.5·2²³, one rounding
            FloatVector k = rounded.sub(V_ROUNDER);
            FloatVector r = clamped.sub(k.mul(V_LN2_HI)).sub(k.mul(V_LN2_LO)); // k·LN2_HI is exact
            FloatVector p = r.fma(V_1_720, V_1_120).fma(r, V_1_24).fma(r, V_1_6).fma(r, V_HALF).fma(r, V_ONE).fma(r, V_ONE);
            FloatVector scale = rounded.reinterpretAsInts().sub(I_EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            p.mul(scale).blend(V_ZERO, x.compare(VectorOperators.LT, V_EXP_MIN)).intoArray(dst, dstOffset + j);
        }
        for (int j = bound; j < n; j++) {
            dst[dstOffset + j] = exp(src[srcOffset + j] - shift);
        }
        return sumOf(dst, dstOffset, n);
    }

    /**
     * Σ a[from … from+n), in eight interleaved chains (element j into chain j mod 8) added
     * pairwise at the end: a fixed order, so the same inputs always give the same bits.
     */
    static float sumOf(float[] a, int from, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int i = from + j;
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        int rest = n - j, i = from + j; // fewer than 8 left: element j + t goes to chain t
        s0 += rest > 0 ? a[i] : 0f;
        s1 += rest > 1 ? a[i + 1] : 0f;
        s2 += rest > 2 ? a[i + 2] : 0f;
        s3 += rest > 3 ? a[i + 3] : 0f;
        s4 += rest > 4 ? a[i + 4] : 0f;
        s5 += rest > 5 ? a[i + 5] : 0f;
        s6 += rest > 6 ? a[i + 6] : 0f;
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    @Override
    public void scaledSoftmax(float[] s, int at, int n, float scale) {
        // Scale in place while finding the maximum (lanes' maxima combine in any order to the same value),
        // then expShiftedSum's exponentials and sum, then normalise: JavaMath's steps, a vector at a time.
        int bound = SPECIES.loopBound(n);
        FloatVector scales = FloatVector.broadcast(SPECIES, scale), maxima = FloatVector.broadcast(SPECIES,
                Float.NEGATIVE_INFINITY);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector scaled = FloatVector.fromArray(SPECIES, s, at + j).mul(scales);
            scaled.intoArray(s, at + j);
            maxima = maxima.max(scaled);
        }
        float max = maxima.reduceLanes(VectorOperators.MAX);
        for (int j = bound; j < n; j++) {
            s[at + j] *= scale;
            max = Math.max(max, s[at + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(s, at, at + n, 0f);
            return;
        }
        float inv = 1f / expShiftedSum(s, at, s, at, n, max);
        FloatVector invs = FloatVector.broadcast(SPECIES, inv);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, s, at + j).mul(invs).intoArray(s, at + j);
        }
        for (int j = bound; j < n; j++) {
            s[at + j] *= inv;
        }
    }

    @Override
    public void softmaxBackward(float[] dp, int dpAt, float[] p, int pAt, int n, float scale) {
        // Σ dp·p in eight scalar chains (a fixed order, as sumOf), then the update a vector at a time.
        float d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int a = dpAt + j, b = pAt + j;
            d0 = Math.fma(dp[a], p[b], d0);
            d1 = Math.fma(dp[a + 1], p[b + 1], d1);
            d2 = Math.fma(dp[a + 2], p[b + 2], d2);
            d3 = Math.fma(dp[a + 3], p[b + 3], d3);
            d4 = Math.fma(dp[a + 4], p[b + 4], d4);
            d5 = Math.fma(dp[a + 5], p[b + 5], d5);
            d6 = Math.fma(dp[a + 6], p[b + 6], d6);
            d7 = Math.fma(dp[a + 7], p[b + 7], d7);
        }
        int rest = n - j, a = dpAt + j, b = pAt + j; // fewer than 8 left: element j + t goes to chain t
        d0 = rest > 0 ? Math.fma(dp[a], p[b], d0) : d0;
        d1 = rest > 1 ? Math.fma(dp[a + 1], p[b + 1], d1) : d1;
        d2 = rest > 2 ? Math.fma(dp[a + 2], p[b + 2], d2) : d2;
        d3 = rest > 3 ? Math.fma(dp[a + 3], p[b + 3], d3) : d3;
        d4 = rest > 4 ? Math.fma(dp[a + 4], p[b + 4], d4) : d4;
        d5 = rest > 5 ? Math.fma(dp[a + 5], p[b + 5], d5) : d5;
        d6 = rest > 6 ? Math.fma(dp[a + 6], p[b + 6], d6) : d6;
        float dot = ((d0 + d1) + (d2 + d3)) + ((d4 + d5) + (d6 + d7));
        int bound = SPECIES.loopBound(n);
        FloatVector dots = FloatVector.broadcast(SPECIES, dot), scales = FloatVector.broadcast(SPECIES, scale);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector g = FloatVector.fromArray(SPECIES, dp, dpAt + i);
            FloatVector.fromArray(SPECIES, p, pAt + i).mul(g.sub(dots)).mul(scales).intoArray(dp, dpAt + i);
        }
        for (int i = bound; i < n; i++) {
            dp[dpAt + i] = p[pAt + i] * (dp[dpAt + i] - dot) * scale;
        }
    }

    @Override
    public void copyRows(float[] src, int srcAt, int srcStride, float[] dst, int dstAt, int dstStride, int rows,
                         int width, boolean add) {
        // A loop per mode, so that a copy is a plain move (and its tail one System.arraycopy).
        int bound = SPECIES.loopBound(width);
        for (int r = 0; r < rows; r++) {
            int from = srcAt + r * srcStride, to = dstAt + r * dstStride;
            if (add) {
                for (int j = 0; j < bound; j += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, src, from + j).add(FloatVector.fromArray(SPECIES, dst, to + j))
                            .intoArray(dst, to + j);
                }
                for (int j = bound; j < width; j++) {
                    dst[to + j] += src[from + j];
                }
            } else {
                for (int j = 0; j < bound; j += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, src, from + j).intoArray(dst, to + j);
                }
                if (bound < width) {
                    System.arraycopy(src, from + bound, dst, to + bound, width - bound);
                }
            }
        }
    }

    /** e^x by {@link #expShiftedSum}'s operations on one float, for tails, so that a row gives the same values however it is split. */
    static float exp(float x) {
        float clamped = Math.max(EXP_MIN, Math.min(EXP_MAX, x));
        float rounded = Math.fma(clamped, LOG2E, ROUNDER);
        float k = rounded - ROUNDER;
        float r = clamped - k * LN2_HI - k * LN2_LO;
        float p = Math.fma(r, 1f / 720, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(rounded) - (ROUNDER_BITS - 127)) << 23);
        return x < EXP_MIN ? 0f : p * scale;
    }

    /**
     * Sum of the lanes, pairwise: each step adds the upper half of the lanes still in play to the
     * lower half, log₂(lanes) shuffle-and-add steps in a fixed order, where adding lane after lane
     * is one long chain of dependent adds ({@code reduceLanes(ADD)} promises no order). Each piece
     * is at most 35 bytes of bytecode, which C2 inlines even from a cold call site
     * (docs/performance.md#no-vector-crosses-a-call-that-may-not-be-inlined).
     */
    private static float sumLanes(FloatVector v) {
        return VL == 16 ? sumOfSixteenLanes(v) : VL == 8 ? sumOfEightLanes(v) : sumLanesInOrder(v);
    }

    private static float sumOfSixteenLanes(FloatVector v) {
        return halve(halve(halve(halve(v, SWAP_8), SWAP_4), SWAP_2), SWAP_1).lane(0);
    }

    private static float sumOfEightLanes(FloatVector v) {
        return halve(halve(halve(v, SWAP_4), SWAP_2), SWAP_1).lane(0);
    }

    /** Lane i + lane i ^ k in lane i ({@code swap} the shuffle of that k). */
    private static FloatVector halve(FloatVector v, VectorShuffle<Float> swap) {
        return v.add(v.rearrange(swap));
    }

    /** Sum of the lanes in lane order, for lane counts other than 8 and 16. */
    private static float sumLanesInOrder(FloatVector v) {
        float total = 0;
        for (int i = 0; i < VL; i++) {
            total += v.lane(i); // lane by lane: toArray() would allocate an array per call
        }
        return total;
    }

    private static VectorShuffle<Float> swap(int k) {
        return VectorShuffle.fromOp(SPECIES, i -> k < VL ? i ^ k : i);
    }

    @Override
    public void gelu(float[] x, float[] out, int from, int to) {
        // x·Φ(x) = x/2 + (x/2)·erf(u), u = x/√2 clamped to ±4, erf(u) = u·P(u²)/Q(u²), with the
        // polynomials by fused multiply-add and the constants in static vectors, as in geluBackward.
        int bound = from + SPECIES.loopBound(to - from);
        for (int i = from; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(V_INV_SQRT_2).max(V_MINUS_LIMIT).min(V_LIMIT);
            FloatVector z = u.mul(u);
            FloatVector p = z.fma(V_P6, V_P5).fma(z, V_P4).fma(z, V_P3).fma(z, V_P2).fma(z, V_P1).fma(z, V_P0);
            FloatVector q = z.fma(V_Q4, V_Q3).fma(z, V_Q2).fma(z, V_Q1).fma(z, V_ONE);
            FloatVector halfX = v.mul(V_HALF);
            halfX.fma(u.mul(p).div(q), halfX).intoArray(out, i);
        }
        for (int i = bound; i < to; i++) {
            float u = Math.min(LIMIT, Math.max(-LIMIT, x[i] * INV_SQRT_2)), z = u * u;
            float p = erfNumerator(z);
            float q = erfDenominator(z);
            float halfX = x[i] * 0.5f;
            out[i] = Math.fma(halfX, u * p / q, halfX);
        }
    }

    /** Elements per run of {@link #siluGate}'s sigmoids, which go through a per-thread array of this length. */
    private static final int SIGMOID_RUN = 1024;
    private static final Scratch SIGMOIDS = new Scratch();

    @Override
    public void siluGate(float[] x, float[] up, float[] out, int from, int to) {
        float[] s = SIGMOIDS.atLeast(SIGMOID_RUN);
        for (int start = from; start < to; start += SIGMOID_RUN) {
            int n = Math.min(SIGMOID_RUN, to - start), bound = SPECIES.loopBound(n);
            sigmoids(x, start, n, s);
            for (int j = 0; j < bound; j += VL) {
                FloatVector silu = FloatVector.fromArray(SPECIES, x, start + j).mul(FloatVector.fromArray(SPECIES, s, j));
                (up == null ? silu : silu.mul(FloatVector.fromArray(SPECIES, up, start + j))).intoArray(out, start + j);
            }
            for (int j = bound; j < n; j++) {
                float silu = x[start + j] * s[j];
                out[start + j] = up == null ? silu : silu * up[start + j];
            }
        }
    }

    @Override
    public void siluGateBackward(float[] x, float[] up, float[] grad, float[] gradX, float[] gradUp, int from, int to) {
        float[] s = SIGMOIDS.atLeast(SIGMOID_RUN);
        for (int start = from; start < to; start += SIGMOID_RUN) {
            int n = Math.min(SIGMOID_RUN, to - start), bound = SPECIES.loopBound(n);
            sigmoids(x, start, n, s);
            for (int j = 0; j < bound; j += VL) {
                int i = start + j;
                FloatVector v = FloatVector.fromArray(SPECIES, x, i), sv = FloatVector.fromArray(SPECIES, s, j);
                FloatVector g = FloatVector.fromArray(SPECIES, grad, i);
                if (gradX != null) { // d(xσ)/dx = σ(1 + x(1 − σ))
                    FloatVector gated = up == null ? g : g.mul(FloatVector.fromArray(SPECIES, up, i));
                    FloatVector slope = sv.mul(v.fma(V_ONE.sub(sv), V_ONE));
                    gated.fma(slope, FloatVector.fromArray(SPECIES, gradX, i)).intoArray(gradX, i);
                }
                if (gradUp != null) {
                    g.mul(v.mul(sv)).add(FloatVector.fromArray(SPECIES, gradUp, i)).intoArray(gradUp, i);
                }
            }
            for (int j = bound; j < n; j++) {
                int i = start + j;
                float v = x[i], sj = s[j];
                if (gradX != null) {
                    float gated = up == null ? grad[i] : grad[i] * up[i];
                    gradX[i] = Math.fma(gated, sj * Math.fma(v, 1f - sj, 1f), gradX[i]);
                }
                if (gradUp != null) {
                    gradUp[i] += grad[i] * (v * sj);
                }
            }
        }
    }

    /**
     * {@code s[j] = σ(x[at + j]) = 1/(1 + e^(−x))} for {@code j < n}, the exponential as in
     * {@link #expShiftedSum} (written out for the same reason); arrays in, arrays out, so that no
     * vector crosses the call.
     */
    private static void sigmoids(float[] x, int at, int n, float[] s) {
        int bound = SPECIES.loopBound(n);
        for (int j = 0; j < bound; j += VL) {
            FloatVector minusX = FloatVector.fromArray(SPECIES, x, at + j).neg();
            FloatVector clamped = minusX.max(V_EXP_MIN).min(V_EXP_MAX);
            FloatVector rounded = clamped.fma(V_LOG2E, V_ROUNDER);
            FloatVector k = rounded.sub(V_ROUNDER);
            FloatVector r = clamped.sub(k.mul(V_LN2_HI)).sub(k.mul(V_LN2_LO));
            FloatVector p = r.fma(V_1_720, V_1_120).fma(r, V_1_24).fma(r, V_1_6).fma(r, V_HALF).fma(r, V_ONE).fma(r, V_ONE);
            FloatVector scale = rounded.reinterpretAsInts().sub(I_EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = p.mul(scale).blend(V_ZERO, minusX.compare(VectorOperators.LT, V_EXP_MIN));
            V_ONE.div(e.add(V_ONE)).intoArray(s, j);
        }
        for (int j = bound; j < n; j++) {
            s[j] = 1f / (1f + exp(-x[at + j]));
        }
    }

    /** Elements per run of {@link #sumOfSquares}: a multiple of 2·VL for every vector length up to 2048 bits. */
    private static final int SQUARES_RUN = 256;

    @Override
    public double sumOfSquares(float[] x, int from, int to) {
        // Squares in float vectors over a run, the run's lanes summed pairwise, the runs in double: as
        // accurate as summing in double for a norm, and not bound by one chain of adds.
        double total = 0;
        int i = from;
        for (; i + SQUARES_RUN <= to; i += SQUARES_RUN) {
            total += squaresOfRun(x, i);
        }
        for (; i < to; i++) {
            total += (double) x[i] * x[i];
        }
        return total;
    }

    /**
     * Σ x[at + j]² for j below {@link #SQUARES_RUN}, in two vector chains. A method of its own so
     * that no vector lives across the loop over runs (128 of them in a chunk of 32,768 gradients;
     * docs/performance.md#no-vector-carried-across-a-loop-that-short-inputs-skip).
     */
    private static float squaresOfRun(float[] x, int at) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = FloatVector.zero(SPECIES);
        for (int j = at; j < at + SQUARES_RUN; j += 2 * VL) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, x, j), v1 = FloatVector.fromArray(SPECIES, x, j + VL);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
        }
        return sumLanes(a0.add(a1));
    }

    @Override
    public void adamStep(float[] values, float[] grad, int at, float[] m, float[] v, int stateAt, int n, AdamStep step) {
        // The scalar kernel's operations, one lane at a time: results are bit-identical to it.
        float b1 = step.beta1(), b2 = step.beta2(), oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2;
        float decay = step.coupledDecay(), shrink = step.shrink(), stepSize = step.stepSize();
        float root = step.rootCorrection2(), epsilon = step.epsilon();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            int p = at + i, s = stateAt + i;
            FloatVector theta = FloatVector.fromArray(SPECIES, values, p);
            FloatVector g = FloatVector.fromArray(SPECIES, grad, p).add(theta.mul(decay));
            FloatVector m1 = FloatVector.fromArray(SPECIES, m, s).mul(b1).add(g.mul(oneMinusB1));
            FloatVector v1 = FloatVector.fromArray(SPECIES, v, s).mul(b2).add(g.mul(g).mul(oneMinusB2));
            m1.intoArray(m, s);
            v1.intoArray(v, s);
            FloatVector denominator = v1.lanewise(VectorOperators.SQRT).div(root).add(epsilon);
            theta.mul(shrink).sub(m1.mul(stepSize).div(denominator)).intoArray(values, p);
        }
        SCALAR.adamStep(values, grad, at + bound, m, v, stateAt + bound, n - bound, step);
    }

    @Override
    public void geluBackward(float[] x, float[] grad, float[] gradX, int from, int to, boolean accumulate) {
        // GELU'(x) = Φ(x) + x·φ(x). With w = x/√2, u = w clamped to ±4, z = u², erf(u) = u·P(z)/Q(z) and
        // r = 1/Q: Φ = (1 + u·P·r)/2 and x·φ(x) = w·erf'(u)/2, erf'(u) = (P + 2z·(P' − P·Q'·r))·r, so
        // GELU' = (1 + (u·P + w·(P + z·(2P' − P·2Q'·r)))·r)/2 (2P' and 2Q' have their own coefficients).
        // 31 vector operations, constants in static vectors: within the loop's operation budget
        // (docs/performance.md#a-loops-operation-budget); check alloc_mb_per_step after any change.
        int bound = from + SPECIES.loopBound(to - from);
        for (int i = from; i < bound; i += SPECIES.length()) {
            FloatVector w = FloatVector.fromArray(SPECIES, x, i).mul(V_INV_SQRT_2);
            FloatVector u = w.max(V_MINUS_LIMIT).min(V_LIMIT);
            FloatVector z = u.mul(u);
            FloatVector p = z.fma(V_P6, V_P5).fma(z, V_P4).fma(z, V_P3).fma(z, V_P2).fma(z, V_P1).fma(z, V_P0);
            FloatVector r = V_ONE.div(z.fma(V_Q4, V_Q3).fma(z, V_Q2).fma(z, V_Q1).fma(z, V_ONE));
            FloatVector twoDp = z.fma(V_2DP6, V_2DP5).fma(z, V_2DP4).fma(z, V_2DP3).fma(z, V_2DP2).fma(z, V_2DP1);
            FloatVector twoDq = z.fma(V_2DQ4, V_2DQ3).fma(z, V_2DQ2).fma(z, V_2DQ1);
            FloatVector erfSlope = z.fma(twoDp.sub(p.mul(twoDq).mul(r)), p); // erf'(u)/r
            FloatVector slope = u.fma(p, w.mul(erfSlope)).mul(r).fma(V_HALF, V_HALF);
            FloatVector dx = FloatVector.fromArray(SPECIES, grad, i);
            FloatVector result = accumulate ? dx.fma(slope, FloatVector.fromArray(SPECIES, gradX, i)) : dx.mul(slope);
            result.intoArray(gradX, i);
        }
        for (int i = bound; i < to; i++) {
            float slope = geluSlope(x[i]);
            gradX[i] = accumulate ? Math.fma(grad[i], slope, gradX[i]) : grad[i] * slope;
        }
    }

    /** P(z) of the rational erf by the vector loops' fused multiply-adds, for scalar tails. */
    private static float erfNumerator(float z) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, P6, P5), z, P4), z, P3), z, P2), z, P1), z, P0);
    }

    /** Q(z) of the rational erf by the vector loops' fused multiply-adds, for scalar tails. */
    private static float erfDenominator(float z) {
        return Math.fma(Math.fma(Math.fma(Math.fma(z, Q4, Q3), z, Q2), z, Q1), z, 1f);
    }

    /** d GELU/dx at one float by the vector loop's operations in its order, for tails. */
    private static float geluSlope(float x) {
        float w = x * INV_SQRT_2, u = Math.min(LIMIT, Math.max(-LIMIT, w)), z = u * u;
        float p = erfNumerator(z);
        float r = 1f / erfDenominator(z);
        float twoDp = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, 12 * P6, 10 * P5), z, 8 * P4), z, 6 * P3), z,
                4 * P2), z, 2 * P1);
        float twoDq = Math.fma(Math.fma(Math.fma(z, 8 * Q4, 6 * Q3), z, 4 * Q2), z, 2 * Q1);
        float erfSlope = Math.fma(z, twoDp - p * twoDq * r, p);
        return Math.fma(Math.fma(u, p, w * erfSlope) * r, 0.5f, 0.5f);
    }

    @Override
    public void layerNorm(float[] x, int rowFrom, int rowTo, int c, float[] w, float[] b, float eps, boolean center,
                          float[] out, float[] xHat, float[] rstd) {
        int bound = SPECIES.loopBound(c);
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * c;
            float sum = 0;
            if (center) { // RMS normalisation takes the mean as 0
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int i = 0; i < bound; i += SPECIES.length()) {
                    acc = acc.add(FloatVector.fromArray(SPECIES, x, base + i));
                }
                sum = sumLanes(acc);
                for (int i = bound; i < c; i++) {
                    sum += x[base + i];
                }
            }
            float mean = sum / c;
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                FloatVector dev = FloatVector.fromArray(SPECIES, x, base + i).sub(mean);
                acc = dev.fma(dev, acc);
            }
            float squares = sumLanes(acc);
            for (int i = bound; i < c; i++) {
                float dev = x[base + i] - mean;
                squares += dev * dev;
            }
            float inv = (float) (1.0 / Math.sqrt(squares / c + eps));
            rstd[r] = inv;
            for (int i = 0; i < bound; i += SPECIES.length()) {
                FloatVector h = FloatVector.fromArray(SPECIES, x, base + i).sub(mean).mul(inv);
                h.intoArray(xHat, base + i);
                FloatVector y = w == null ? h : h.mul(FloatVector.fromArray(SPECIES, w, i));
                if (b != null) {
                    y = y.add(FloatVector.fromArray(SPECIES, b, i));
                }
                y.intoArray(out, base + i);
            }
            for (int i = bound; i < c; i++) {
                float h = (x[base + i] - mean) * inv;
                xHat[base + i] = h;
                out[base + i] = (w == null ? h : h * w[i]) + (b == null ? 0f : b[i]);
            }
        }
    }

    @Override
    public void layerNormBackward(float[] g, float[] xHat, float[] rstd, float[] w, boolean center, int rowFrom,
                                  int rowTo, int c, float[] gradX, float[] gradW, float[] gradB) {
        int bound = SPECIES.loopBound(c);
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * c;
            FloatVector dySum = FloatVector.zero(SPECIES), dyXhatSum = FloatVector.zero(SPECIES);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, base + i);
                FloatVector hv = FloatVector.fromArray(SPECIES, xHat, base + i);
                FloatVector dy = w == null ? gv : gv.mul(FloatVector.fromArray(SPECIES, w, i));
                dySum = dySum.add(dy);
                dyXhatSum = dy.fma(hv, dyXhatSum);
                if (gradW != null) {
                    gv.fma(hv, FloatVector.fromArray(SPECIES, gradW, i)).intoArray(gradW, i);
                }
                if (gradB != null) {
                    gv.add(FloatVector.fromArray(SPECIES, gradB, i)).intoArray(gradB, i);
                }
            }
            float sumDy = sumLanes(dySum), sumDyXhat = sumLanes(dyXhatSum);
            for (int i = bound; i < c; i++) {
                float dy = w == null ? g[base + i] : g[base + i] * w[i];
                sumDy += dy;
                sumDyXhat += dy * xHat[base + i];
                if (gradW != null) {
                    gradW[i] += g[base + i] * xHat[base + i];
                }
                if (gradB != null) {
                    gradB[i] += g[base + i];
                }
            }
            if (gradX == null) {
                continue;
            }
            float dyMean = center ? sumDy / c : 0f, dyXhatMean = sumDyXhat / c, inv = rstd[r];
            for (int i = 0; i < bound; i += SPECIES.length()) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, base + i);
                FloatVector dy = w == null ? gv : gv.mul(FloatVector.fromArray(SPECIES, w, i));
                FloatVector hv = FloatVector.fromArray(SPECIES, xHat, base + i);
                FloatVector dx = dy.sub(dyMean).sub(hv.mul(dyXhatMean)).mul(inv);
                dx.add(FloatVector.fromArray(SPECIES, gradX, base + i)).intoArray(gradX, base + i);
            }
            for (int i = bound; i < c; i++) {
                float dy = w == null ? g[base + i] : g[base + i] * w[i];
                gradX[base + i] += inv * (dy - dyMean - xHat[base + i] * dyXhatMean);
            }
        }
    }

    /** VL bytes, widened to VL floats by {@code B2F}; VL shorts, to VL ints by {@code S2I}. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 8));
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(VL * 16));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SPECIES.vectorShape());

    @Override
    public void int8Rows(byte[] q, float[] scales, int cols, int group, float[] x, int xAt, float[] y, int yAt, int from,
                         int to) {
        if (group % (2 * VL) != 0 || cols % group != 0) { // a ragged or narrow group: the plain loop
            SCALAR.int8Rows(q, scales, cols, group, x, xAt, y, yAt, from, to);
            return;
        }
        for (int r = from; r < to; r++) {
            y[yAt + r] = int8Row(q, scales, cols, group, x, xAt, r);
        }
    }

    /**
     * One row of {@link #int8Rows}, in blocks of 2·VL values of one group each: the block's products,
     * times its group's scale, added to the row's sum. One loop, no vector carried across an inner
     * one, which C2 compiles to straight vector code (docs/performance.md#int8-and-bfloat16-weights).
     */
    private static float int8Row(byte[] q, float[] scales, int cols, int group, float[] x, int xAt, int r) {
        FloatVector sum = FloatVector.zero(SPECIES); // made here, not the V_ZERO constant: a constant is boxed
        int at = r * cols, scale = r * (cols / group), blocks = group / (2 * VL), left = blocks;
        for (int c = 0; c < cols; c += 2 * VL) {
            FloatVector w0 = (FloatVector) ByteVector.fromArray(BYTES, q, at + c).convertShape(VectorOperators.B2F, SPECIES, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(BYTES, q, at + c + VL)
                    .convertShape(VectorOperators.B2F, SPECIES, 0);
            FloatVector block = w0.mul(FloatVector.fromArray(SPECIES, x, xAt + c))
                    .add(w1.mul(FloatVector.fromArray(SPECIES, x, xAt + c + VL)));
            sum = block.fma(FloatVector.broadcast(SPECIES, scales[scale]), sum);
            if (--left == 0) { // the next group (a counter, not c / group: a division per block costs more than the block)
                scale++;
                left = blocks;
            }
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void bf16Rows(short[] w, int cols, float[] x, int xAt, float[] y, int yAt, int from, int to) {
        int vectorCols = cols - cols % VL;
        for (int r = from; r < to; r++) {
            int at = r * cols;
            float sum = bf16Run(w, at, vectorCols, x, xAt);
            for (int c = vectorCols; c < cols; c++) {
                sum += Float.intBitsToFloat(w[at + c] << 16) * x[xAt + c];
            }
            y[yAt + r] = sum;
        }
    }

    /** Σ w[at + c]·x[xAt + c] for c below {@code n} (a multiple of VL), the shorts widened to floats. */
    private static float bf16Run(short[] w, int at, int n, float[] x, int xAt) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int c = 0; c < n; c += VL) {
            IntVector bits = (IntVector) ShortVector.fromArray(SHORTS, w, at + c).convertShape(VectorOperators.S2I, INTS, 0);
            FloatVector v = bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            sum = v.fma(FloatVector.fromArray(SPECIES, x, xAt + c), sum);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dot(float[] a, int aAt, float[] b, int bAt, int n) {
        FloatVector sum = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + VL <= n; i += VL) {
            sum = FloatVector.fromArray(SPECIES, a, aAt + i).fma(FloatVector.fromArray(SPECIES, b, bAt + i), sum);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            total += a[aAt + i] * b[bAt + i];
        }
        return total;
    }

    @Override
    public void axpy(float alpha, float[] x, int xAt, float[] y, int yAt, int n) {
        FloatVector a = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i + VL <= n; i += VL) {
            FloatVector.fromArray(SPECIES, x, xAt + i).fma(a, FloatVector.fromArray(SPECIES, y, yAt + i))
                    .intoArray(y, yAt + i);
        }
        for (; i < n; i++) {
            y[yAt + i] += alpha * x[xAt + i];
        }
    }

    @Override
    public void int8ToFloat(byte[] q, int qAt, float scale, float[] out, int outAt, int n) {
        FloatVector s = FloatVector.broadcast(SPECIES, scale);
        int i = 0;
        for (; i + VL <= n; i += VL) {
            ((FloatVector) ByteVector.fromArray(BYTES, q, qAt + i).convertShape(VectorOperators.B2F, SPECIES, 0)).mul(s)
                    .intoArray(out, outAt + i);
        }
        for (; i < n; i++) {
            out[outAt + i] = q[qAt + i] * scale;
        }
    }

    @Override
    public void bf16ToFloat(short[] w, int at, float[] out, int outAt, int n) {
        int i = 0;
        for (; i + VL <= n; i += VL) {
            ((IntVector) ShortVector.fromArray(SHORTS, w, at + i).convertShape(VectorOperators.S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, outAt + i);
        }
        for (; i < n; i++) {
            out[outAt + i] = Float.intBitsToFloat(w[at + i] << 16);
        }
    }
}
