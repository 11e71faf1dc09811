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
 * {@link MathKernel} on the Vector API: the exponential through {@code VectorOperators.EXP} (which
 * HotSpot implements with SIMD library routines on x86), GELU through the same rational erf as
 * {@link JavaMath}, and layer norm with its row sums kept in vector lanes, evaluated a vector at
 * a time. Tails shorter than a vector use the scalar code.
 * Load it only when the JVM has {@code jdk.incubator.vector} ({@link Kernels} checks).
 */
public final class VectorMath implements MathKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final JavaMath SCALAR = new JavaMath();

    @Override
    public String name() {
        return "vector-api";
    }

    @Override
    public float expShiftedSum(float[] src, int srcOffset, float[] dst, int dstOffset, int n, float shift) {
        int bound = SPECIES.loopBound(n);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector e = FloatVector.fromArray(SPECIES, src, srcOffset + j).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(dst, dstOffset + j);
            sum = sum.add(e);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        return total + SCALAR.expShiftedSum(src, srcOffset + bound, dst, dstOffset + bound, n - bound, shift);
    }

    @Override
    public void gelu(float[] x, float[] out, int n) {
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(INV_SQRT_2).max(-LIMIT).min(LIMIT);
            FloatVector z = u.mul(u);
            FloatVector erf = u.mul(numerator(z)).div(denominator(z));
            v.mul(0.5f).mul(erf.add(1f)).intoArray(out, i);
        }
        for (int i = bound; i < n; i++) {
            out[i] = 0.5f * x[i] * (1f + ErfApproximation.erf(x[i] * INV_SQRT_2));
        }
    }

    @Override
    public void geluBackward(float[] x, float[] grad, float[] gradX, int n) {
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(INV_SQRT_2).max(-LIMIT).min(LIMIT);
            FloatVector z = u.mul(u);
            FloatVector p = numerator(z), q = denominator(z);
            FloatVector dp = z.mul(6 * P6).add(5 * P5).mul(z).add(4 * P4).mul(z).add(3 * P3).mul(z).add(2 * P2).mul(z).add(P1);
            FloatVector dq = z.mul(4 * Q4).add(3 * Q3).mul(z).add(2 * Q2).mul(z).add(Q1);
            FloatVector cdf = u.mul(p).div(q).add(1f).mul(0.5f);
            // erf'(u) = ((P + 2zP')·Q − 2z·P·Q') / Q², and φ(x) = erf'(x/√2)/(2√2)
            FloatVector derivative = p.add(z.mul(2f).mul(dp)).mul(q).sub(z.mul(2f).mul(p).mul(dq)).div(q.mul(q));
            FloatVector pdf = derivative.mul(0.5f * INV_SQRT_2);
            FloatVector local = cdf.add(v.mul(pdf));
            FloatVector.fromArray(SPECIES, grad, i).fma(local, FloatVector.fromArray(SPECIES, gradX, i)).intoArray(gradX, i);
        }
        if (bound < n) {
            float[] tailX = java.util.Arrays.copyOfRange(x, bound, n), tailG = java.util.Arrays.copyOfRange(grad, bound, n);
            float[] tailGx = java.util.Arrays.copyOfRange(gradX, bound, n);
            SCALAR.geluBackward(tailX, tailG, tailGx, n - bound);
            System.arraycopy(tailGx, 0, gradX, bound, n - bound);
        }
    }

    @Override
    public void layerNorm(float[] x, int rows, int c, float[] w, float[] b, float eps, float[] out, float[] xHat,
                          float[] rstd) {
        int bound = SPECIES.loopBound(c);
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                acc = acc.add(FloatVector.fromArray(SPECIES, x, base + i));
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < c; i++) {
                sum += x[base + i];
            }
            float mean = sum / c;
            acc = FloatVector.zero(SPECIES);
            for (int i = 0; i < bound; i += SPECIES.length()) {
                FloatVector dev = FloatVector.fromArray(SPECIES, x, base + i).sub(mean);
                acc = dev.fma(dev, acc);
            }
            float squares = acc.reduceLanes(VectorOperators.ADD);
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
    public void layerNormBackward(float[] g, float[] xHat, float[] rstd, float[] w, int rows, int c, float[] gradX,
                                  float[] gradW, float[] gradB) {
        int bound = SPECIES.loopBound(c);
        for (int r = 0; r < rows; r++) {
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
            float sumDy = dySum.reduceLanes(VectorOperators.ADD), sumDyXhat = dyXhatSum.reduceLanes(VectorOperators.ADD);
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
