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

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
    private static final JavaMath SCALAR = new JavaMath();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187045e-6f;
    private static final float ROUNDER = 12582912f; // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    private static final int ROUNDER_BITS = 0x4B400000; // its bit pattern
    private static final float EXP_MIN = -87f, EXP_MAX = 88f;

    @Override
    public String name() {
        return "vector-api";
    }

    @Override
    public float expShiftedSum(float[] src, int srcOffset, float[] dst, int dstOffset, int n, float shift) {
        int bound = SPECIES.loopBound(n);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector e = exp(FloatVector.fromArray(SPECIES, src, srcOffset + j).sub(shift));
            e.intoArray(dst, dstOffset + j);
            sum = sum.add(e);
        }
        float total = sumLanes(sum);
        for (int j = bound; j < n; j++) {
            float e = exp(src[srcOffset + j] - shift);
            dst[dstOffset + j] = e;
            total += e;
        }
        return total;
    }

    /**
     * e^x from IEEE-exact operations only (multiply, fused multiply-add, bit moves): round
     * x·log₂e to an integer k with the 1.5·2²³ trick, reduce r = x − k·ln 2 in two steps
     * (Cody–Waite), a degree-6 Taylor polynomial for e^r on |r| ≤ 0.35 (relative error below
     * 2e-7), and 2^k built in the exponent bits. {@code VectorOperators.EXP} is not used because
     * its compiled and interpreted forms may differ in the last bit, which would make a run
     * depend on when the JIT compiled it. Inputs below −87 give 0.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector rounded = clamped.fma(LOG2E, ROUNDER); // x·log₂e + 1.5·2²³, one rounding
        FloatVector k = rounded.sub(ROUNDER);
        FloatVector r = clamped.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO)); // k·LN2_HI is exact
        FloatVector p = r.fma(1f / 720, 1f / 120);
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 0.5f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        FloatVector scale = rounded.reinterpretAsInts().sub(ROUNDER_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }

    /** The same computation on one float, for tails, so that a row gives the same values however it is split. */
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

    /** Sum of the lanes in lane order: {@code reduceLanes(ADD)} may add in a different order once compiled. */
    private static float sumLanes(FloatVector v) {
        float total = 0;
        for (int i = 0; i < SPECIES.length(); i++) {
            total += v.lane(i); // lane by lane: toArray() would allocate an array per call
        }
        return total;
    }

    @Override
    public void gelu(float[] x, float[] out, int from, int to) {
        int bound = from + SPECIES.loopBound(to - from);
        for (int i = from; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(INV_SQRT_2).max(-LIMIT).min(LIMIT);
            FloatVector z = u.mul(u);
            FloatVector erf = u.mul(numerator(z)).div(denominator(z));
            v.mul(0.5f).mul(erf.add(1f)).intoArray(out, i);
        }
        for (int i = bound; i < to; i++) {
            out[i] = 0.5f * x[i] * (1f + ErfApproximation.erf(x[i] * INV_SQRT_2));
        }
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
        // The constants as vectors, made once, rather than scalar operands that each inline a broadcast.
        // C2 on JDK 17 compiles this long loop without some of its vector intrinsics in about half of
        // JVMs (every vector through them boxed: 49-57 MB allocated per nanoGPT step, 1.2-1.4 GB per step
        // of the larger configuration); with the constants hoisted the same happens as often, but boxes
        // a fifth as much (9.8 and 0.23 GB). Not seen on JDK 25. See docs/performance.md.
        FloatVector invSqrt2 = FloatVector.broadcast(SPECIES, INV_SQRT_2), limit = FloatVector.broadcast(SPECIES, LIMIT);
        FloatVector minusLimit = FloatVector.broadcast(SPECIES, -LIMIT), one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector half = FloatVector.broadcast(SPECIES, 0.5f), two = FloatVector.broadcast(SPECIES, 2f);
        FloatVector pdfScale = FloatVector.broadcast(SPECIES, 0.5f * INV_SQRT_2);
        FloatVector p6 = FloatVector.broadcast(SPECIES, P6), p5 = FloatVector.broadcast(SPECIES, P5);
        FloatVector p4 = FloatVector.broadcast(SPECIES, P4), p3 = FloatVector.broadcast(SPECIES, P3);
        FloatVector p2 = FloatVector.broadcast(SPECIES, P2), p1 = FloatVector.broadcast(SPECIES, P1);
        FloatVector p0 = FloatVector.broadcast(SPECIES, P0);
        FloatVector q4 = FloatVector.broadcast(SPECIES, Q4), q3 = FloatVector.broadcast(SPECIES, Q3);
        FloatVector q2 = FloatVector.broadcast(SPECIES, Q2), q1 = FloatVector.broadcast(SPECIES, Q1);
        FloatVector dp6 = FloatVector.broadcast(SPECIES, 6 * P6), dp5 = FloatVector.broadcast(SPECIES, 5 * P5);
        FloatVector dp4 = FloatVector.broadcast(SPECIES, 4 * P4), dp3 = FloatVector.broadcast(SPECIES, 3 * P3);
        FloatVector dp2 = FloatVector.broadcast(SPECIES, 2 * P2);
        FloatVector dq4 = FloatVector.broadcast(SPECIES, 4 * Q4), dq3 = FloatVector.broadcast(SPECIES, 3 * Q3);
        FloatVector dq2 = FloatVector.broadcast(SPECIES, 2 * Q2);
        int bound = from + SPECIES.loopBound(to - from);
        for (int i = from; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(invSqrt2).max(minusLimit).min(limit);
            FloatVector z = u.mul(u);
            FloatVector p = z.mul(p6).add(p5).mul(z).add(p4).mul(z).add(p3).mul(z).add(p2).mul(z).add(p1).mul(z).add(p0);
            FloatVector q = z.mul(q4).add(q3).mul(z).add(q2).mul(z).add(q1).mul(z).add(one);
            FloatVector dp = z.mul(dp6).add(dp5).mul(z).add(dp4).mul(z).add(dp3).mul(z).add(dp2).mul(z).add(p1);
            FloatVector dq = z.mul(dq4).add(dq3).mul(z).add(dq2).mul(z).add(q1);
            // One division, not three: a 512-bit divide costs as much as a dozen multiply-adds.
            FloatVector r = one.div(q);
            FloatVector cdf = u.mul(p).mul(r).add(one).mul(half);
            // erf'(u) = ((P + 2zP')·Q − 2z·P·Q') / Q² = ((P + 2zP') − 2z·P·Q'/Q) / Q, and φ(x) = erf'(x/√2)/(2√2)
            FloatVector twoZ = z.mul(two);
            FloatVector derivative = p.add(twoZ.mul(dp)).sub(twoZ.mul(p).mul(dq).mul(r)).mul(r);
            FloatVector local = cdf.add(v.mul(derivative.mul(pdfScale)));
            FloatVector dx = FloatVector.fromArray(SPECIES, grad, i);
            // Each branch stores its own vector, as VectorGemm's micro-kernels do (here that alone did not stop the above).
            if (accumulate) {
                dx.fma(local, FloatVector.fromArray(SPECIES, gradX, i)).intoArray(gradX, i);
            } else {
                dx.mul(local).intoArray(gradX, i);
            }
        }
        SCALAR.geluBackward(x, grad, gradX, bound, to, accumulate);
    }

    @Override
    public void layerNorm(float[] x, int rowFrom, int rowTo, int c, float[] w, float[] b, float eps, float[] out,
                          float[] xHat, float[] rstd) {
        int bound = SPECIES.loopBound(c);
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * c;
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                acc = acc.add(FloatVector.fromArray(SPECIES, x, base + i));
            }
            float sum = sumLanes(acc);
            for (int i = bound; i < c; i++) {
                sum += x[base + i];
            }
            float mean = sum / c;
            acc = FloatVector.zero(SPECIES);
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
    public void layerNormBackward(float[] g, float[] xHat, float[] rstd, float[] w, int rowFrom, int rowTo, int c,
                                  float[] gradX, float[] gradW, float[] gradB) {
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
            float dyMean = sumDy / c, dyXhatMean = sumDyXhat / c, inv = rstd[r];
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

    private static FloatVector numerator(FloatVector z) {
        return z.mul(P6).add(P5).mul(z).add(P4).mul(z).add(P3).mul(z).add(P2).mul(z).add(P1).mul(z).add(P0);
    }

    private static FloatVector denominator(FloatVector z) {
        return z.mul(Q4).add(Q3).mul(z).add(Q2).mul(z).add(Q1).mul(z).add(1f);
    }
}
