package io.orthrus.tensor.kernel;

import java.util.Arrays;

/**
 * General matrix multiply on row-major {@code float[]} arrays:
 * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}.
 *
 * <p>{@code op(A)} is {@code m × k}: stored row-major as {@code m × k}, or as {@code k × m} when
 * {@code transA} (so backward can use Aᵀ without materialising it). {@code op(B)} is
 * {@code k × n}: stored as {@code k × n}, or as {@code n × k} when {@code transB}. {@code C} is
 * {@code m × n}. Each matrix starts at its offset in its array; only {@code C} is modified.
 *
 * <p>A {@code B} used in many products (a weight at inference) can be {@linkplain #pack packed}
 * once into the layout the kernel multiplies by, which it would otherwise copy B into on every call.
 */
public interface Gemm {
    /** A short name for logs and benchmarks, such as {@code "vector-api"}. */
    String name();

    /** Computes {@code C (+)= op(A) · op(B)} as described on the interface. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, boolean accumulate);

    /**
     * A copy of {@code op(B)} ({@code k × n}: stored as {@code k × n}, or {@code n × k} when
     * {@code transB}) in this kernel's layout, for {@link #gemm(boolean, int, float[], int, Packed,
     * float[], int, boolean)}. Later changes to {@code b} do not reach the copy.
     */
    default Packed pack(boolean transB, int k, int n, float[] b, int bOffset) {
        Packed.checkShape(name(), k, n, b, bOffset);
        return new Packed(name(), transB, k, n, Arrays.copyOfRange(b, bOffset, bOffset + k * n));
    }

    /**
     * {@code C (+)= op(A) · B} with {@code B} packed by this kernel ({@code op(A)} is
     * {@code m × b.k()}, C is {@code m × b.n()}): the same bits as the product with B unpacked.
     */
    default void gemm(boolean transA, int m, float[] a, int aOffset, Packed b, float[] c, int cOffset, boolean accumulate) {
        b.checkKernel(name());
        gemm(transA, b.transposed, m, b.n, b.k, a, aOffset, b.data, 0, c, cOffset, accumulate);
    }

    /** A matrix {@code B} ({@code k × n}) laid out by one kind of kernel's {@link #pack}; immutable. */
    final class Packed {
        private final String kernel;
        final boolean transposed;
        final int k;
        final int n;
        final float[] data;

        Packed(String kernel, boolean transposed, int k, int n, float[] data) {
            this.kernel = kernel;
            this.transposed = transposed;
            this.k = k;
            this.n = n;
            this.data = data;
        }

        /** Rows of B: the length of the products' inner dimension. */
        public int k() {
            return k;
        }

        /** Columns of B: the width of C. */
        public int n() {
            return n;
        }

        /** Floats held, padding included. */
        public long floats() {
            return data.length;
        }

        void checkKernel(String name) {
            if (!kernel.equals(name)) {
                throw new IllegalArgumentException(name + ": B was packed by the " + kernel + " kernel, whose layout"
                        + " this one does not read; pack it with the kernel that multiplies by it");
            }
        }

        static void checkShape(String kernel, int k, int n, float[] b, int bOffset) {
            if (k < 1 || n < 1) {
                throw new IllegalArgumentException(kernel + ": a packed B needs k, n >= 1, got k=" + k + ", n=" + n);
            }
            check(kernel, "B", b, bOffset, (long) k * n);
        }
    }

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
