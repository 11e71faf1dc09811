package io.orthrus.tensor.kernel;

/**
 * The reference GEMM: a triple loop with double accumulation, single-threaded. Slow and
 * obviously right; the fast kernels are tested against it.
 */
public final class NaiveGemm implements Gemm {
    /** The triple loop; it keeps no state. */
    public NaiveGemm() {}

    @Override
    public String name() {
        return "naive";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, boolean accumulate) {
        Gemm.checkArguments(name(), m, n, k, a, aOffset, b, bOffset, c, cOffset);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? c[cOffset + i * n + j] : 0.0;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOffset + p * m + i] : a[aOffset + i * k + p];
                    float bpj = transB ? b[bOffset + j * k + p] : b[bOffset + p * n + j];
                    sum += (double) aip * bpj;
                }
                c[cOffset + i * n + j] = (float) sum;
            }
        }
    }
}
