package io.orthrus.tensor.kernel;

/** {@link MathKernel} in plain Java: the reference, and the kernel used without the Vector API module. */
public final class JavaMath implements MathKernel {
    /** The plain-Java kernels; they keep no state. */
    public JavaMath() {}

    @Override
    public String name() {
        return "plain-java";
    }

    @Override
    public float expShiftedSum(float[] src, int srcOffset, float[] dst, int dstOffset, int n, float shift) {
        float total = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(src[srcOffset + j] - shift);
            dst[dstOffset + j] = e;
            total += e;
        }
        return total;
    }

    @Override
    public void scaledSoftmax(float[] s, int at, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            s[at + j] *= scale;
            max = Math.max(max, s[at + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(s, at, at + n, 0f);
            return;
        }
        float inv = 1f / expShiftedSum(s, at, s, at, n, max);
        for (int j = 0; j < n; j++) {
            s[at + j] *= inv;
        }
    }

    @Override
    public void softmaxBackward(float[] dp, int dpAt, float[] p, int pAt, int n, float scale) {
        float dot = 0;
        for (int j = 0; j < n; j++) {
            dot += dp[dpAt + j] * p[pAt + j];
        }
        for (int j = 0; j < n; j++) {
            dp[dpAt + j] = p[pAt + j] * (dp[dpAt + j] - dot) * scale;
        }
    }

    @Override
    public void copyRows(float[] src, int srcAt, int srcStride, float[] dst, int dstAt, int dstStride, int rows,
                         int width, boolean add) {
        for (int r = 0; r < rows; r++) {
            int from = srcAt + r * srcStride, to = dstAt + r * dstStride;
            if (!add) {
                System.arraycopy(src, from, dst, to, width);
                continue;
            }
            for (int j = 0; j < width; j++) {
                dst[to + j] += src[from + j];
            }
        }
    }

    @Override
    public void gelu(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = 0.5f * x[i] * (1f + ErfApproximation.erf(x[i] * ErfApproximation.INV_SQRT_2));
        }
    }

    @Override
    public void siluGate(float[] x, float[] up, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            float silu = x[i] * sigmoid(x[i]);
            out[i] = up == null ? silu : silu * up[i];
        }
    }

    @Override
    public void siluGateBackward(float[] x, float[] up, float[] grad, float[] gradX, float[] gradUp, int from, int to) {
        for (int i = from; i < to; i++) {
            float s = sigmoid(x[i]);
            if (gradX != null) {
                float g = up == null ? grad[i] : grad[i] * up[i];
                gradX[i] += g * s * (1f + x[i] * (1f - s)); // d(xσ)/dx = σ(1 + x(1 − σ))
            }
            if (gradUp != null) {
                gradUp[i] += grad[i] * x[i] * s;
            }
        }
    }

    /** The logistic function, without overflow for large |x|. */
    private static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    public double sumOfSquares(float[] x, int from, int to) {
        // Four independent sums, so the adds overlap instead of waiting on one another.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            s0 += (double) x[i] * x[i];
            s1 += (double) x[i + 1] * x[i + 1];
            s2 += (double) x[i + 2] * x[i + 2];
            s3 += (double) x[i + 3] * x[i + 3];
        }
        for (; i < to; i++) {
            s0 += (double) x[i] * x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void adamStep(float[] values, float[] grad, int at, float[] m, float[] v, int stateAt, int n, AdamStep step) {
        float b1 = step.beta1(), b2 = step.beta2(), oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2;
        float decay = step.coupledDecay(), shrink = step.shrink(), stepSize = step.stepSize();
        float root = step.rootCorrection2(), epsilon = step.epsilon();
        for (int i = 0; i < n; i++) {
            int p = at + i, s = stateAt + i;
            float g = grad[p] + decay * values[p];
            m[s] = b1 * m[s] + oneMinusB1 * g;
            v[s] = b2 * v[s] + oneMinusB2 * (g * g);
            float denominator = (float) Math.sqrt(v[s]) / root + epsilon;
            values[p] = shrink * values[p] - stepSize * m[s] / denominator;
        }
    }

    @Override
    public void geluBackward(float[] x, float[] grad, float[] gradX, int from, int to, boolean accumulate) {
        for (int i = from; i < to; i++) {
            float v = x[i], u = v * ErfApproximation.INV_SQRT_2;
            float cdf = 0.5f * (1f + ErfApproximation.erf(u));
            float pdf = 0.5f * ErfApproximation.INV_SQRT_2 * ErfApproximation.derivative(u); // φ(x) = Φ'(x)
            float dx = grad[i] * (cdf + v * pdf); // d(xΦ(x))/dx = Φ(x) + xφ(x)
            gradX[i] = accumulate ? gradX[i] + dx : dx;
        }
    }

    @Override
    public void layerNorm(float[] x, int rowFrom, int rowTo, int c, float[] w, float[] b, float eps, boolean center,
                          float[] out, float[] xHat, float[] rstd) {
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * c;
            float sum = 0;
            for (int i = 0; center && i < c; i++) {
                sum += x[base + i];
            }
            float mean = sum / c;
            float squares = 0;
            for (int i = 0; i < c; i++) {
                float dev = x[base + i] - mean;
                squares += dev * dev;
            }
            float inv = (float) (1.0 / Math.sqrt(squares / c + eps));
            rstd[r] = inv;
            for (int i = 0; i < c; i++) {
                float h = (x[base + i] - mean) * inv;
                xHat[base + i] = h;
                out[base + i] = (w == null ? h : h * w[i]) + (b == null ? 0f : b[i]);
            }
        }
    }

    @Override
    public void layerNormBackward(float[] g, float[] xHat, float[] rstd, float[] w, boolean center, int rowFrom,
                                  int rowTo, int c, float[] gradX, float[] gradW, float[] gradB) {
        for (int r = rowFrom; r < rowTo; r++) {
            int base = r * c;
            float dySum = 0, dyXhatSum = 0;
            for (int i = 0; i < c; i++) {
                float dy = w == null ? g[base + i] : g[base + i] * w[i];
                dySum += dy;
                dyXhatSum += dy * xHat[base + i];
                if (gradW != null) {
                    gradW[i] += g[base + i] * xHat[base + i];
                }
                if (gradB != null) {
                    gradB[i] += g[base + i];
                }
            }
            if (gradX != null) {
                float dyMean = center ? dySum / c : 0f, dyXhatMean = dyXhatSum / c;
                for (int i = 0; i < c; i++) {
                    float dy = w == null ? g[base + i] : g[base + i] * w[i];
                    gradX[base + i] += rstd[r] * (dy - dyMean - xHat[base + i] * dyXhatMean);
                }
            }
        }
    }

    @Override
    public void int8Rows(byte[] q, float[] scales, int cols, int group, float[] x, int xAt, float[] y, int yAt, int from,
                         int to) {
        int groups = (cols + group - 1) / group;
        for (int r = from; r < to; r++) {
            float sum = 0;
            for (int g = 0; g < groups; g++) {
                int start = g * group, end = Math.min(cols, start + group), at = r * cols;
                float part = 0;
                for (int c = start; c < end; c++) {
                    part += q[at + c] * x[xAt + c];
                }
                sum += part * scales[r * groups + g];
            }
            y[yAt + r] = sum;
        }
    }

    @Override
    public void bf16Rows(short[] w, int cols, float[] x, int xAt, float[] y, int yAt, int from, int to) {
        for (int r = from; r < to; r++) {
            float sum = 0;
            for (int c = 0, at = r * cols; c < cols; c++) {
                sum += Float.intBitsToFloat(w[at + c] << 16) * x[xAt + c];
            }
            y[yAt + r] = sum;
        }
    }

    @Override
    public float dot(float[] a, int aAt, float[] b, int bAt, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aAt + i] * b[bAt + i];
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xAt, float[] y, int yAt, int n) {
        for (int i = 0; i < n; i++) {
            y[yAt + i] += alpha * x[xAt + i];
        }
    }

    @Override
    public void int8ToFloat(byte[] q, int qAt, float scale, float[] out, int outAt, int n) {
        for (int i = 0; i < n; i++) {
            out[outAt + i] = q[qAt + i] * scale;
        }
    }

    @Override
    public void bf16ToFloat(short[] w, int at, float[] out, int outAt, int n) {
        for (int i = 0; i < n; i++) {
            out[outAt + i] = Float.intBitsToFloat(w[at + i] << 16);
        }
    }
}
