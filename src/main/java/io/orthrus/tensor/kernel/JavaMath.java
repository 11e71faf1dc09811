package io.orthrus.tensor.kernel;

/** {@link MathKernel} in plain Java: the reference, and the kernel used without the Vector API module. */
public final class JavaMath implements MathKernel {
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
    public void gelu(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = 0.5f * x[i] * (1f + ErfApproximation.erf(x[i] * ErfApproximation.INV_SQRT_2));
        }
    }

    @Override
    public void geluBackward(float[] x, float[] grad, float[] gradX, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i], u = v * ErfApproximation.INV_SQRT_2;
            float cdf = 0.5f * (1f + ErfApproximation.erf(u));
            float pdf = 0.5f * ErfApproximation.INV_SQRT_2 * ErfApproximation.derivative(u); // φ(x) = Φ'(x)
            gradX[i] += grad[i] * (cdf + v * pdf); // d(xΦ(x))/dx = Φ(x) + xφ(x)
        }
    }
}
