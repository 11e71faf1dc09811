package io.orthrus.tensor.kernel;

/**
 * General matrix multiply on row-major {@code float[]} arrays:
 * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}.
 *
 * <p>{@code op(A)} is {@code m × k}: stored row-major as {@code m × k}, or as {@code k × m} when
 * {@code transA} (so backward can use Aᵀ without materialising it). {@code op(B)} is
 * {@code k × n}: stored as {@code k × n}, or as {@code n × k} when {@code transB}. {@code C} is
 * {@code m × n}. Each matrix starts at its offset in its array; only {@code C} is modified.
 */
public interface Gemm {
    /** A short name for logs and benchmarks, such as {@code "vector-api"}. */
    String name();

    /** Computes {@code C (+)= op(A) · op(B)} as described on the interface. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, boolean accumulate);

    /** Checks sizes and array bounds; every implementation calls it before touching memory. */
    static void checkArguments(String kernel, int m, int n, int k, float[] a, int aOffset, float[] b, int bOffset,
                               float[] c, int cOffset) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(kernel + ": sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
        }
        check(kernel, "A", a, aOffset, (long) m * k);
        check(kernel, "B", b, bOffset, (long) k * n);
        check(kernel, "C", c, cOffset, (long) m * n);
    }

    private static void check(String kernel, String name, float[] array, int offset, long needed) {
        if (offset < 0 || offset + needed > array.length) {
            throw new IllegalArgumentException(kernel + ": matrix " + name + " needs " + needed + " floats from offset "
                    + offset + " but its array has " + array.length);
        }
    }
}
