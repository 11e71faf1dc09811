package io.orthrus.tensor.kernel;

/**
 * A cache-blocked GEMM in plain Java, for JVMs without the Vector API module.
 *
 * <p>Each task owns a band of rows of C. For a block of {@code KC} steps of k and {@code NC}
 * columns, the block of B is copied into one array per row, and every row of the band is
 * updated with an axpy over the block's columns, four steps of k at a time:
 * {@code acc[j] += a₀·B₀[j] + a₁·B₁[j] + a₂·B₂[j] + a₃·B₃[j]}, where {@code acc} holds the row
 * segment of C. Every array in that loop is indexed by the same {@code j}, which is what lets
 * HotSpot's C2 compile it to SIMD instructions: with different offsets into one array it
 * cannot rule out overlap and falls back to scalar code.
 *
 * <p>Each element of C is summed in the same order whatever the thread count, so results are
 * bit-identical across pools.
 */
public final class JavaGemm implements Gemm {
    private static final int KC = 256;
    private static final int NC = 256;
    private static final int MIN_ROWS_PER_TASK = 8;

    private final Parallel parallel;
    private final ThreadLocal<float[][]> packedB = ThreadLocal.withInitial(() -> new float[KC][NC]);
    private final ThreadLocal<float[]> rowSegment = ThreadLocal.withInitial(() -> new float[NC]);

    /** A kernel that runs on the shared pool. */
    public JavaGemm() {
        this(Parallel.shared());
    }

    /** A kernel that runs on {@code parallel}. */
    public JavaGemm(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() {
        return "plain-java";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, boolean accumulate) {
        Gemm.checkArguments(name(), m, n, k, a, aOffset, b, bOffset, c, cOffset);
        if (m == 0 || n == 0) {
            return;
        }
        int rowsPerTask = Math.max(MIN_ROWS_PER_TASK, ceilDiv(m, 2 * parallel.threads()));
        int tasks = ceilDiv(m, rowsPerTask);
        parallel.forEach(tasks, t -> {
            int rowStart = t * rowsPerTask;
            int rowEnd = Math.min(m, rowStart + rowsPerTask);
            band(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate, rowStart, rowEnd);
        });
    }

    private void band(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset,
                      float[] b, int bOffset, float[] c, int cOffset, boolean accumulate, int rowStart, int rowEnd) {
        if (!accumulate) {
            java.util.Arrays.fill(c, cOffset + rowStart * n, cOffset + rowEnd * n, 0f);
        }
        float[][] rowsOfB = packedB.get();
        float[] acc = rowSegment.get();
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                for (int p = 0; p < kc; p++) { // rowsOfB[p][j] = B[pc + p, jc + j]
                    float[] row = rowsOfB[p];
                    if (transB) {
                        for (int j = 0; j < nc; j++) {
                            row[j] = b[bOffset + (jc + j) * k + pc + p];
                        }
                    } else {
                        System.arraycopy(b, bOffset + (pc + p) * n + jc, row, 0, nc);
                    }
                }
                for (int i = rowStart; i < rowEnd; i++) {
                    int cRow = cOffset + i * n + jc;
                    System.arraycopy(c, cRow, acc, 0, nc);
                    int p = 0;
                    for (; p + 4 <= kc; p += 4) {
                        float a0 = aAt(transA, a, aOffset, m, k, i, pc + p);
                        float a1 = aAt(transA, a, aOffset, m, k, i, pc + p + 1);
                        float a2 = aAt(transA, a, aOffset, m, k, i, pc + p + 2);
                        float a3 = aAt(transA, a, aOffset, m, k, i, pc + p + 3);
                        axpy4(acc, rowsOfB[p], rowsOfB[p + 1], rowsOfB[p + 2], rowsOfB[p + 3], a0, a1, a2, a3, nc);
                    }
                    for (; p < kc; p++) {
                        axpy(acc, rowsOfB[p], aAt(transA, a, aOffset, m, k, i, pc + p), nc);
                    }
                    System.arraycopy(acc, 0, c, cRow, nc);
                }
            }
        }
    }

    /** acc[j] += a0·b0[j] + a1·b1[j] + a2·b2[j] + a3·b3[j] for j &lt; n. */
    private static void axpy4(float[] acc, float[] b0, float[] b1, float[] b2, float[] b3,
                              float a0, float a1, float a2, float a3, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
    }

    /** acc[j] += a0·b0[j] for j &lt; n. */
    private static void axpy(float[] acc, float[] b0, float a0, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += a0 * b0[j];
        }
    }

    private static float aAt(boolean transA, float[] a, int aOffset, int m, int k, int i, int p) {
        return transA ? a[aOffset + p * m + i] : a[aOffset + i * k + p];
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
