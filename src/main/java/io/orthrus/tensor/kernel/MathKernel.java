package io.orthrus.tensor.kernel;

/**
 * Element-wise loops that HotSpot cannot vectorise on its own (exponentials; loop bodies too
 * large to unroll), behind one interface so that a Vector API implementation can replace the
 * plain-Java one, as for {@link Gemm}. All arrays are read from offset 0 unless an offset is given.
 */
public interface MathKernel {
    /** A short name for logs, such as {@code "vector-api"}. */
    String name();

    /**
     * {@code dst[dstOffset + j] = exp(src[srcOffset + j] − shift)} for {@code j < n}; returns the
     * sum of the results (the softmax denominator).
     */
    float expShiftedSum(float[] src, int srcOffset, float[] dst, int dstOffset, int n, float shift);

    /** {@code out[i] = x[i]·Φ(x[i])} (exact GELU, through {@code ErfApproximation}) for {@code i < n}. */
    void gelu(float[] x, float[] out, int n);

    /** {@code gradX[i] += grad[i]·(Φ(x[i]) + x[i]·φ(x[i]))} for {@code i < n}: the backward of {@link #gelu}. */
    void geluBackward(float[] x, float[] grad, float[] gradX, int n);
}
