package io.orthrus.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM kernel against the naive reference, in all four transpose variants, at sizes that
 * hit every edge of the blocking. Runs on the plain-Java kernel always, and on the Vector API
 * kernel when the JVM has the module (the build runs this class both ways).
 */
class GemmTest {
    /** Agreement bound relative to Σₚ|aᵢₚ·bₚⱼ| of each output element (float rounding over k terms). */
    private static final double RELATIVE_TOLERANCE = 1e-5;
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 5, 1}, {7, 13, 33}, {8, 32, 16}, {17, 1, 40}, {65, 300, 129}, {3, 600, 5}, {150, 20, 290}, {24, 300, 333},
        {41, 261, 170}, // A packed with gathers, and an odd last block of k (256 + 5) that ends a float at a time
    };

    static Stream<Gemm> kernels() {
        List<Gemm> kernels = new ArrayList<>();
        kernels.add(new JavaGemm(new Parallel(1)));
        kernels.add(new JavaGemm(new Parallel(3)));
        Kernels.vectorGemm(new Parallel(1)).ifPresent(kernels::add);
        Kernels.vectorGemm(new Parallel(3)).ifPresent(kernels::add);
        kernels.add(Kernels.gemm());
        return kernels.stream();
    }

    private static float[] random(Rng rng, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return values;
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void agreesWithTheNaiveReferenceInEveryTransposeVariant(Gemm kernel) {
        Rng rng = new Rng(99);
        Gemm naive = new NaiveGemm();
        for (int[] shape : SHAPES) {
            int m = shape[0], k = shape[1], n = shape[2];
            for (int variant = 0; variant < 4; variant++) {
                boolean transA = (variant & 1) != 0, transB = (variant & 2) != 0;
                int aOffset = 3, bOffset = 5, cOffset = 2;
                float[] a = random(rng, aOffset + m * k), b = random(rng, bOffset + k * n);
                float[] initial = random(rng, cOffset + m * n);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] expected = initial.clone(), actual = initial.clone();
                    naive.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, expected, cOffset, accumulate);
                    kernel.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, actual, cOffset, accumulate);
                    for (int i = 0; i < cOffset; i++) {
                        assertEquals(initial[i], actual[i], "wrote before C's offset");
                    }
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double scale = accumulate ? Math.abs(initial[cOffset + i * n + j]) : 0;
                            for (int p = 0; p < k; p++) {
                                float aip = transA ? a[aOffset + p * m + i] : a[aOffset + i * k + p];
                                float bpj = transB ? b[bOffset + j * k + p] : b[bOffset + p * n + j];
                                scale += Math.abs((double) aip * bpj);
                            }
                            int idx = cOffset + i * n + j;
                            assertEquals(expected[idx], actual[idx], RELATIVE_TOLERANCE * scale + 1e-30,
                                    kernel.name() + " m=" + m + " k=" + k + " n=" + n + " transA=" + transA
                                            + " transB=" + transB + " accumulate=" + accumulate + " at (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        Rng rng = new Rng(5);
        // Tall products split C by rows; wide and short ones (a weight gradient) by column slivers. The third is
        // tall with a packed B large enough for the row tasks to share one copy (Bᵀ, with a partial last sliver).
        for (int[] shape : new int[][] {{301, 517, 97}, {37, 300, 517}, {300, 600, 260}}) {
            bitIdenticalForAnyThreadCount(rng, shape[0], shape[1], shape[2]);
        }
    }

    private static void bitIdenticalForAnyThreadCount(Rng rng, int m, int k, int n) {
        float[] a = random(rng, m * k), b = random(rng, k * n);
        List<List<Gemm>> families = new ArrayList<>();
        families.add(List.of(new JavaGemm(new Parallel(1)), new JavaGemm(new Parallel(2)), new JavaGemm(new Parallel(5))));
        if (Kernels.vectorApiAvailable()) {
            families.add(List.of(Kernels.vectorGemm(new Parallel(1)).orElseThrow(),
                    Kernels.vectorGemm(new Parallel(2)).orElseThrow(), Kernels.vectorGemm(new Parallel(5)).orElseThrow()));
        }
        for (List<Gemm> family : families) {
            float[] reference = null;
            for (Gemm kernel : family) {
                float[] c = new float[m * n];
                kernel.gemm(m < n, m > n, m, n, k, a, 0, b, 0, c, 0, false);
                if (reference == null) {
                    reference = c;
                } else {
                    assertArrayEquals(reference, c, 0f, kernel.name());
                }
            }
        }
    }

    @Test
    void oneAndTwoRowProductsAreBitIdenticalToTheSameRowsOfABlockedProduct() {
        // Generation computes one row at a time; it must give exactly the rows of a full pass. With
        // n = 300 and k = 600 a one-row product is split over the pool and has column tails.
        Rng rng = new Rng(6);
        int m = 37, k = 600, n = 300;
        for (Gemm kernel : kernels().toList()) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] a = random(rng, m * k), b = random(rng, k * n), start = random(rng, m * n);
                    float[] full = start.clone();
                    kernel.gemm(false, transB, m, n, k, a, 0, b, 0, full, 0, accumulate);
                    for (int rows = 1; rows <= 2; rows++) {
                        for (int i = 0; i + rows <= m; i += 9) {
                            float[] part = java.util.Arrays.copyOfRange(start, i * n, (i + rows) * n);
                            kernel.gemm(false, transB, rows, n, k, a, i * k, b, 0, part, 0, accumulate);
                            assertArrayEquals(java.util.Arrays.copyOfRange(full, i * n, (i + rows) * n), part, 0f,
                                    kernel.name() + " rows " + i + ".." + (i + rows) + " transB=" + transB
                                            + " accumulate=" + accumulate);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneRowProductsOfATransposedAAreBitIdenticalToo() {
        Rng rng = new Rng(7);
        int m = 20, k = 300, n = 41;
        float[] at = random(rng, k * m), b = random(rng, k * n), full = new float[m * n];
        for (Gemm kernel : kernels().toList()) {
            kernel.gemm(true, false, m, n, k, at, 0, b, 0, full, 0, false);
            float[] row = new float[n];
            // Row 5 of Aᵀᵀ is column 5 of the stored (k, m) matrix: read with stride m from offset 5.
            kernel.gemm(true, false, 1, n, k, column(at, k, m, 5), 0, b, 0, row, 0, false);
            assertArrayEquals(java.util.Arrays.copyOfRange(full, 5 * n, 6 * n), row, 0f, kernel.name());
        }
    }

    private static float[] column(float[] matrix, int rows, int cols, int col) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = matrix[r * cols + col];
        }
        return out;
    }

    @Test
    void theChosenKernelIsTheVectorApiOneExactlyWhenTheModuleIsPresent() {
        String expected = Kernels.vectorApiAvailable() ? "vector-api" : "plain-java";
        assertEquals(expected, Kernels.gemm().name());
    }

    @Test
    void emptyDimensionsAreHandled() {
        float[] c = {7f, 7f};
        for (Gemm kernel : kernels().toList()) {
            kernel.gemm(false, false, 1, 2, 0, new float[0], 0, new float[0], 0, c, 0, false);
            assertArrayEquals(new float[] {0f, 0f}, c, 0f, kernel.name());
            c[0] = 7f;
            kernel.gemm(false, false, 0, 2, 3, new float[0], 0, new float[6], 0, c, 0, false);
            assertEquals(7f, c[0]);
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWrite() {
        for (Gemm kernel : kernels().toList()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> kernel.gemm(false, false, 2, 2, 2, new float[3], 0, new float[4], 0, new float[4], 0, false));
            assertTrue(e.getMessage().contains("matrix A"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> kernel.gemm(false, false, -1, 2, 2, new float[4], 0, new float[4], 0, new float[4], 0, false));
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aPackedBGivesTheSameBitsAsTheUnpackedProduct(Gemm kernel) {
        Rng rng = new Rng(8);
        // Tall (row tasks), wide and short (sliver tasks), one and two rows, a partial last sliver, k over a block.
        int[][] shapes = {{1, 300, 41}, {2, 37, 600}, {1, 600, 300}, {37, 600, 300}, {301, 517, 97}, {150, 290, 20}, {7, 13, 33}};
        for (int[] shape : shapes) {
            int m = shape[0], k = shape[1], n = shape[2];
            for (int variant = 0; variant < 4; variant++) {
                boolean transA = (variant & 1) != 0, transB = (variant & 2) != 0;
                float[] a = random(rng, 3 + m * k), b = random(rng, 5 + k * n), start = random(rng, 2 + m * n);
                float[] original = b.clone();
                Gemm.Packed packed = kernel.pack(transB, k, n, b, 5);
                java.util.Arrays.fill(b, 1f); // the packed copy no longer depends on b
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] expected = start.clone(), actual = start.clone();
                    kernel.gemm(transA, transB, m, n, k, a, 3, original, 5, expected, 2, accumulate);
                    kernel.gemm(transA, m, a, 3, packed, actual, 2, accumulate);
                    assertArrayEquals(expected, actual, 0f, kernel.name() + " m=" + m + " k=" + k + " n=" + n
                            + " transA=" + transA + " transB=" + transB + " accumulate=" + accumulate);
                }
                assertEquals(k, packed.k());
                assertEquals(n, packed.n());
            }
        }
    }

    @Test
    void aPackedBIsReadOnlyByTheKindOfKernelThatPackedIt() {
        Gemm java = new JavaGemm(new Parallel(1));
        Gemm.Packed packed = new NaiveGemm().pack(false, 2, 2, new float[4], 0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> java.gemm(false, 2, new float[4], 0, packed, new float[4], 0, false));
        assertTrue(e.getMessage().contains("packed by the"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> java.pack(true, 3, 3, new float[8], 0));
    }
}
