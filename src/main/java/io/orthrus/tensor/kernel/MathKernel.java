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

    /**
     * Softmax of {@code scale·s[at + j]} for {@code j < n}, in place, shifted by the row's maximum
     * for stability; a row whose scores are all −∞ becomes zeros. Its exponentials and their sum are
     * {@link #expShiftedSum}'s of the scaled scores {@code fl(scale·s)} shifted by their maximum.
     */
    void scaledSoftmax(float[] s, int at, int n, float scale);

    /**
     * The backward of a softmax row, in place: {@code dp[dpAt + j] = (p[pAt + j]·(dp[dpAt + j] − Σₖ dp·p))·scale}
     * for {@code j < n}, the gradient of the scaled scores from that of the probabilities {@code p}.
     */
    void softmaxBackward(float[] dp, int dpAt, float[] p, int pAt, int n, float scale);

    /**
     * Copies {@code rows} runs of {@code width} floats from {@code src} (run r at
     * {@code srcAt + r·srcStride}) to {@code dst} (at {@code dstAt + r·dstStride}); with
     * {@code add}, adds them to {@code dst} instead. Runs must not overlap. A head's rows of
     * attention's packed Q, K, V are such runs, a few dozen floats each: too short for
     * {@code System.arraycopy}'s per-call cost.
     */
    void copyRows(float[] src, int srcAt, int srcStride, float[] dst, int dstAt, int dstStride, int rows, int width,
                  boolean add);

    /**
     * Σ x[i]² for {@code from ≤ i < to}, in double, in an order fixed by the implementation and the
     * range alone (gradient clipping's norm). The vector kernel sums squares in float over runs of
     * 256 elements and the runs in double: within a relative 1e-6 of the exact sum.
     */
    double sumOfSquares(float[] x, int from, int to);

    /**
     * One Adam(W) update of {@code n} elements, as {@link AdamStep} describes it: parameter values
     * and gradient at {@code at + i}, first and second moments {@code m}, {@code v} at
     * {@code stateAt + i}. Every implementation does the same float operations in the same order
     * (no fused multiply-add), so all agree bit for bit.
     */
    void adamStep(float[] values, float[] grad, int at, float[] m, float[] v, int stateAt, int n, AdamStep step);

    /** {@code out[i] = x[i]·Φ(x[i])} (exact GELU, through {@code ErfApproximation}) for {@code from ≤ i < to}. */
    void gelu(float[] x, float[] out, int from, int to);

    /**
     * {@code gradX[i] += grad[i]·(Φ(x[i]) + x[i]·φ(x[i]))} for {@code from ≤ i < to}: the backward
     * of {@link #gelu}; with {@code accumulate} false, {@code =} instead of {@code +=}.
     */
    void geluBackward(float[] x, float[] grad, float[] gradX, int from, int to, boolean accumulate);

    /**
     * {@code out[i] = x[i]·σ(x[i])·up[i]} for {@code from ≤ i < to}: SwiGLU's gated product, or SiLU
     * alone ({@code x·σ(x)}) when {@code up} is null.
     */
    void siluGate(float[] x, float[] up, float[] out, int from, int to);

    /**
     * The backward of {@link #siluGate} for {@code from ≤ i < to}, with {@code s = σ(x[i])}:
     * {@code gradX[i] += grad[i]·up[i]·s·(1 + x[i]·(1 − s))} and {@code gradUp[i] += grad[i]·x[i]·s}
     * ({@code up[i]} taken as 1 when {@code up} is null); a null {@code gradX} or {@code gradUp} is skipped.
     */
    void siluGateBackward(float[] x, float[] up, float[] grad, float[] gradX, float[] gradUp, int from, int to);

    /**
     * Layer normalisation of rows {@code [rowFrom, rowTo)} of width {@code c}: {@code xHat = (x − mean)·rstd},
     * {@code out = xHat·w + b}, with {@code rstd = 1/√(var + eps)} (biased variance). With {@code center}
     * false the mean is taken as 0: RMS normalisation, {@code rstd = 1/√(mean(x²) + eps)}. {@code w} and
     * {@code b} may be null; {@code xHat} and {@code rstd} are written for the backward.
     */
    void layerNorm(float[] x, int rowFrom, int rowTo, int c, float[] w, float[] b, float eps, boolean center, float[] out,
                   float[] xHat, float[] rstd);

    /**
     * The backward of {@link #layerNorm} for rows {@code [rowFrom, rowTo)}: with {@code dy = g·w},
     * {@code gradX += rstd·(dy − mean(dy) − xHat·mean(dy·xHat))} (without the {@code mean(dy)} term when
     * not {@code center}), {@code gradW += Σ g·xHat}, {@code gradB += Σ g}. Any of {@code w},
     * {@code gradX}, {@code gradW}, {@code gradB} may be null.
     */
    void layerNormBackward(float[] g, float[] xHat, float[] rstd, float[] w, boolean center, int rowFrom, int rowTo,
                           int c, float[] gradX, float[] gradW, float[] gradB);

    /**
     * {@code y[yAt + r] = Σ_c q[r·cols + c]·scales[r·groups + c/group]·x[xAt + c]} for rows
     * {@code from ≤ r < to} of an int8 matrix of {@code cols} columns whose runs of {@code group} columns
     * share a scale ({@code groups = ⌈cols/group⌉} per row): a decoding step's product of a quantized
     * weight and one input vector, with the weights widened on the fly.
     */
    void int8Rows(byte[] q, float[] scales, int cols, int group, float[] x, int xAt, float[] y, int yAt, int from, int to);

    /**
     * {@code y[yAt + r] = Σ_c w[r·cols + c]·x[xAt + c]} for rows {@code from ≤ r < to} of a bfloat16
     * matrix (each value the upper 16 bits of a float), widened on the fly.
     */
    void bf16Rows(short[] w, int cols, float[] x, int xAt, float[] y, int yAt, int from, int to);

    /** {@code Σ a[aAt + i]·b[bAt + i]} for {@code i < n}: attention's score of a query and a key. */
    float dot(float[] a, int aAt, float[] b, int bAt, int n);

    /** {@code y[yAt + i] += alpha·x[xAt + i]} for {@code i < n}: attention's weighted sum of values. */
    void axpy(float alpha, float[] x, int xAt, float[] y, int yAt, int n);

    /** {@code out[outAt + i] = q[qAt + i]·scale} for {@code i < n}: int8 values widened to floats. */
    void int8ToFloat(byte[] q, int qAt, float scale, float[] out, int outAt, int n);

    /** {@code out[outAt + i]} = the float whose upper half is {@code w[at + i]}, for {@code i < n}: bfloat16 widened. */
    void bf16ToFloat(short[] w, int at, float[] out, int outAt, int n);
}
