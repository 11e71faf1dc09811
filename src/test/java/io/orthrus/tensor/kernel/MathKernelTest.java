package io.orthrus.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orthrus.tensor.Rng;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Every math kernel against the plain-Java reference (and the reference against double precision). */
class MathKernelTest {
    /** Float32 exp and rational GELU in different evaluation orders agree to a few ulps of values up to ~10. */
    private static final float TOLERANCE = 2e-6f;

    private static List<MathKernel> kernels() {
        List<MathKernel> list = new ArrayList<>(List.of(new JavaMath(), Kernels.math()));
        Kernels.vectorMath().ifPresent(list::add);
        return list;
    }

    private static float[] random(int n, float scale) {
        Rng rng = new Rng(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (float) rng.nextGaussian();
        }
        return v;
    }

    @Test
    void expShiftedSumMatchesMathExp() {
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {1, 7, 16, 67, 300}) {
                float[] x = random(n, 3f), out = new float[n + 3];
                float total = kernel.expShiftedSum(x, 0, out, 3, n, 2f);
                double expected = 0;
                for (int j = 0; j < n; j++) {
                    double e = Math.exp(x[j] - 2.0);
                    expected += e;
                    assertEquals(e, out[3 + j], 1e-6 * Math.max(1, e), kernel.name() + " n=" + n);
                }
                assertEquals(expected, total, 1e-5 * expected, kernel.name());
            }
        }
    }

    @Test
    void resultsDoNotChangeOnceTheJitHasCompiledTheKernel() {
        // The first calls run interpreted; after many calls the kernel is compiled. Both must agree bit for bit.
        for (MathKernel kernel : kernels()) {
            float[] x = random(300, 4f), out = new float[300], g = random(301, 1f);
            float[] expFirst = new float[300], ln = new float[300], lnHat = new float[300], rstd = new float[10];
            float firstTotal = kernel.expShiftedSum(x, 0, expFirst, 0, 300, 1f);
            float[] softmaxFirst = x.clone(), dsFirst = g.clone();
            kernel.scaledSoftmax(softmaxFirst, 0, 300, 0.3f);
            kernel.softmaxBackward(dsFirst, 0, softmaxFirst, 0, 300, 0.3f);
            float[] geluFirst = new float[300];
            kernel.gelu(x, geluFirst, 0, 300);
            float[] gradFirst = new float[300];
            kernel.geluBackward(x, g, gradFirst, 0, 300, true);
            kernel.layerNorm(x, 0, 10, 30, null, null, 1e-5f, true, ln, lnHat, rstd);
            float[] lnFirst = ln.clone();
            float[] siluFirst = new float[300], siluGradFirst = new float[300], siluUpGradFirst = new float[300];
            kernel.siluGate(x, g, siluFirst, 0, 300);
            kernel.siluGateBackward(x, g, g, siluGradFirst, siluUpGradFirst, 0, 300);
            for (int i = 0; i < 20_000; i++) {
                kernel.expShiftedSum(x, 0, out, 0, 300, 1f);
                kernel.siluGate(x, g, out, 0, 300);
                kernel.siluGateBackward(x, g, g, out, null, 0, 300);
                kernel.gelu(x, out, 0, 300);
                kernel.layerNorm(x, 0, 10, 30, null, null, 1e-5f, true, ln, lnHat, rstd);
                System.arraycopy(x, 0, out, 0, 300);
                kernel.scaledSoftmax(out, 0, 300, 0.3f);
                kernel.softmaxBackward(out, 0, softmaxFirst, 0, 300, 0.3f);
            }
            float[] softmaxLater = x.clone(), dsLater = g.clone();
            kernel.scaledSoftmax(softmaxLater, 0, 300, 0.3f);
            assertArrayEquals(softmaxFirst, softmaxLater, 0f, kernel.name());
            kernel.softmaxBackward(dsLater, 0, softmaxLater, 0, 300, 0.3f);
            assertArrayEquals(dsFirst, dsLater, 0f, kernel.name());
            float[] expLater = new float[300], geluLater = new float[300], gradLater = new float[300];
            assertEquals(firstTotal, kernel.expShiftedSum(x, 0, expLater, 0, 300, 1f), 0f, kernel.name());
            assertArrayEquals(expFirst, expLater, 0f, kernel.name());
            kernel.gelu(x, geluLater, 0, 300);
            assertArrayEquals(geluFirst, geluLater, 0f, kernel.name());
            kernel.geluBackward(x, g, gradLater, 0, 300, true);
            assertArrayEquals(gradFirst, gradLater, 0f, kernel.name());
            kernel.layerNorm(x, 0, 10, 30, null, null, 1e-5f, true, ln, lnHat, rstd);
            assertArrayEquals(lnFirst, ln, 0f, kernel.name());
            float[] siluLater = new float[300], siluGradLater = new float[300], siluUpGradLater = new float[300];
            kernel.siluGate(x, g, siluLater, 0, 300);
            kernel.siluGateBackward(x, g, g, siluGradLater, siluUpGradLater, 0, 300);
            assertArrayEquals(siluFirst, siluLater, 0f, kernel.name());
            assertArrayEquals(siluGradFirst, siluGradLater, 0f, kernel.name());
            assertArrayEquals(siluUpGradFirst, siluUpGradLater, 0f, kernel.name());
        }
    }

    @Test
    void siluGateAndItsBackwardMatchTheDoublePrecisionFormulas() {
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {1, 7, 16, 300, 2500}) { // 2500: runs of the vector kernel's sigmoid scratch
                float[] x = random(n, 4f), up = random(n + 1, 1f), g = random(n + 2, 1f);
                x[0] = n > 1 ? 95f : -95f; // beyond the exponential's clamp: σ is 1 or 0
                float[] gated = new float[n], plain = new float[n], gx = random(n + 3, 1f), gu = random(n + 4, 1f);
                float[] gx0 = gx.clone(), gu0 = gu.clone(), gxPlain = new float[n];
                kernel.siluGate(x, up, gated, 0, n);
                kernel.siluGate(x, null, plain, 0, n);
                kernel.siluGateBackward(x, up, g, gx, gu, 0, n);
                kernel.siluGateBackward(x, null, g, gxPlain, null, 0, n);
                for (int i = 0; i < n; i++) {
                    double s = 1 / (1 + Math.exp(-x[i])), silu = x[i] * s, slope = s * (1 + x[i] * (1 - s));
                    String at = kernel.name() + " n=" + n + " i=" + i;
                    assertEquals(silu * up[i], gated[i], 1e-6 * Math.max(1, Math.abs(silu)), at);
                    assertEquals(silu, plain[i], 1e-6 * Math.max(1, Math.abs(silu)), at);
                    assertEquals(gx0[i] + g[i] * up[i] * slope, gx[i], 2e-6 * Math.max(1, Math.abs(gx[i])), at);
                    assertEquals(gu0[i] + g[i] * silu, gu[i], 2e-6 * Math.max(1, Math.abs(gu[i])), at);
                    assertEquals(g[i] * slope, gxPlain[i], 2e-6, at);
                }
                assertEquals(gx0[n], gx[n], 0f, "after the range");
            }
        }
    }

    @Test
    void scaledSoftmaxMatchesTheDoublePrecisionFormula() {
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {1, 7, 16, 33, 64, 257}) {
                float[] row = random(n + 5, 4f), expected = row.clone();
                float scale = 0.17f;
                kernel.scaledSoftmax(row, 2, n, scale);
                double max = Double.NEGATIVE_INFINITY, total = 0;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, (double) (expected[2 + j] * scale));
                }
                for (int j = 0; j < n; j++) {
                    total += Math.exp(expected[2 + j] * scale - max);
                }
                for (int j = 0; j < n; j++) {
                    double p = Math.exp(expected[2 + j] * scale - max) / total;
                    assertEquals(p, row[2 + j], 1e-6 * Math.max(p, 1e-3), kernel.name() + " n=" + n + " j=" + j);
                }
                assertEquals(expected[0], row[0], 0f, "before the row");
                assertEquals(expected[n + 2], row[n + 2], 0f, "after the row");
            }
            float[] hidden = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
            kernel.scaledSoftmax(hidden, 0, 3, 1f);
            assertArrayEquals(new float[3], hidden, 0f, kernel.name() + ": every key hidden attends to nothing");
        }
    }

    @Test
    void scaledSoftmaxAgreesWithScalingThenExpShiftedSum() {
        // The kernel's values are the composite's (fl(scale·s) − max, the same exponential), to rounding of the sum.
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {5, 32, 100}) {
                float[] scores = random(n, 3f), fused = scores.clone(), composite = new float[n];
                float scale = 0.25f, max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    composite[j] = scores[j] * scale;
                    max = Math.max(max, composite[j]);
                }
                float inv = 1f / kernel.expShiftedSum(composite, 0, composite, 0, n, max);
                for (int j = 0; j < n; j++) {
                    composite[j] *= inv;
                }
                kernel.scaledSoftmax(fused, 0, n, scale);
                assertArrayEquals(composite, fused, 1e-7f, kernel.name() + " n=" + n);
            }
        }
    }

    @Test
    void softmaxBackwardMatchesTheFormula() {
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {1, 9, 16, 47, 64}) {
                float[] p = random(n + 1, 1f), dp = random(n + 4, 1f), expected = dp.clone();
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += (double) dp[3 + j] * p[1 + j];
                }
                kernel.softmaxBackward(dp, 3, p, 1, n, 0.5f);
                for (int j = 0; j < n; j++) {
                    double want = p[1 + j] * (expected[3 + j] - dot) * 0.5;
                    assertEquals(want, dp[3 + j], 1e-5, kernel.name() + " n=" + n + " j=" + j);
                }
                assertEquals(expected[2], dp[2], 0f, "before the row");
            }
        }
    }

    @Test
    void copyRowsCopiesOrAddsStridedRunsAndNothingElse() {
        for (MathKernel kernel : kernels()) {
            for (int width : new int[] {3, 16, 32, 37}) {
                int rows = 5, srcStride = width + 7, dstStride = width + 2;
                float[] src = random(4 + rows * srcStride, 1f), dst = random(1 + rows * dstStride + 3, 1f);
                float[] copied = dst.clone(), added = dst.clone();
                kernel.copyRows(src, 4, srcStride, copied, 1, dstStride, rows, width, false);
                kernel.copyRows(src, 4, srcStride, added, 1, dstStride, rows, width, true);
                for (int i = 0; i < dst.length; i++) {
                    int r = (i - 1) / dstStride, j = (i - 1) % dstStride;
                    boolean inRun = i >= 1 && r < rows && j < width;
                    float from = inRun ? src[4 + r * srcStride + j] : 0f;
                    assertEquals(inRun ? from : dst[i], copied[i], 0f, kernel.name() + " copy, width " + width + " at " + i);
                    assertEquals(inRun ? dst[i] + from : dst[i], added[i], 0f,
                            kernel.name() + " add, width " + width + " at " + i);
                }
            }
        }
    }

    @Test
    void aMaskedScoreHasProbabilityExactlyZero() {
        for (MathKernel kernel : kernels()) {
            float[] scores = new float[40];
            java.util.Arrays.fill(scores, Float.NEGATIVE_INFINITY);
            scores[3] = 0.5f;
            float[] out = new float[40];
            assertEquals(1f, kernel.expShiftedSum(scores, 0, out, 0, 40, 0.5f), 0f, kernel.name());
            assertEquals(0f, out[0], 0f);
            assertEquals(0f, out[39], 0f);
        }
    }

    @Test
    void adamStepAgreesBitForBitAcrossKernels() {
        JavaMath reference = new JavaMath();
        AdamStep adamW = new AdamStep(0.9f, 0.99f, 0.01f / 0.19f, (float) Math.sqrt(1 - 0.99 * 0.99), 1e-8f, 0f, 0.999f);
        AdamStep adam = new AdamStep(0.9f, 0.999f, 0.003f, 0.5f, 1e-8f, 0.05f, 1f);
        for (MathKernel kernel : kernels()) {
            for (AdamStep step : new AdamStep[] {adamW, adam}) {
                for (int n : new int[] {1, 16, 37, 100}) {
                    // Values and gradient at offset 3, moments at offset 5 of larger arrays.
                    float[] values = random(n + 7, 1f), grad = random(n + 8, 0.1f);
                    float[] m = random(n + 9, 0.01f), v = random(n + 10, 0.001f);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Math.abs(v[i]);
                    }
                    float[] values2 = values.clone(), m2 = m.clone(), v2 = v.clone();
                    reference.adamStep(values, grad, 3, m, v, 5, n, step);
                    kernel.adamStep(values2, grad, 3, m2, v2, 5, n, step);
                    assertArrayEquals(values, values2, 0f, kernel.name() + " n=" + n);
                    assertArrayEquals(m, m2, 0f, kernel.name() + " n=" + n);
                    assertArrayEquals(v, v2, 0f, kernel.name() + " n=" + n);
                }
            }
        }
    }

    @Test
    void sumOfSquaresMatchesTheDoublePrecisionSum() {
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {0, 1, 15, 256, 257, 1000, 33_000}) {
                float[] x = random(n + 9, 3f);
                double expected = 0;
                for (int i = 5; i < 5 + n; i++) {
                    expected += (double) x[i] * x[i];
                }
                assertEquals(expected, kernel.sumOfSquares(x, 5, 5 + n), 1e-6 * expected, kernel.name() + " n=" + n);
                assertEquals(kernel.sumOfSquares(x, 5, 5 + n), kernel.sumOfSquares(x, 5, 5 + n), 0.0); // a fixed order
            }
        }
    }

    @Test
    void geluAndItsBackwardAgreeAcrossKernels() {
        JavaMath reference = new JavaMath();
        for (MathKernel kernel : kernels()) {
            for (int n : new int[] {5, 16, 101}) {
                float[] x = random(n, 3f), g = random(n + 1, 1f);
                float[] expected = new float[n], actual = new float[n];
                reference.gelu(x, expected, 0, n);
                kernel.gelu(x, actual, 0, n);
                assertArrayEquals(expected, actual, TOLERANCE, kernel.name());
                float[] gxExpected = random(n + 2, 1f), gxActual = gxExpected.clone();
                reference.geluBackward(x, g, gxExpected, 0, n, true);
                kernel.geluBackward(x, g, gxActual, 0, n, true);
                assertArrayEquals(gxExpected, gxActual, TOLERANCE, kernel.name());
                float[] stored = java.util.Arrays.copyOf(random(n + 3, 5f), n); // old contents that must not count
                kernel.geluBackward(x, g, stored, 0, n, false);
                float[] fromZero = new float[n];
                kernel.geluBackward(x, g, fromZero, 0, n, true);
                assertArrayEquals(fromZero, stored, 0f, kernel.name());
            }
        }
    }

    @Test
    void geluGivesTheSameBitsHoweverTheRangeIsSplit() {
        // Vector loops hand their tails to scalar code: both must compute alike, or a result would depend on
        // where a thread's share of the array begins.
        int n = 203;
        float[] x = random(n, 3f), g = random(n + 1, 1f);
        for (MathKernel kernel : kernels()) {
            float[] whole = new float[n], pieces = new float[n], gradWhole = random(n + 2, 1f);
            float[] gradPieces = gradWhole.clone();
            kernel.gelu(x, whole, 0, n);
            kernel.geluBackward(x, g, gradWhole, 0, n, true);
            int[] cuts = {0, 3, 40, 41, 100, 133, n};
            for (int c = 0; c + 1 < cuts.length; c++) {
                kernel.gelu(x, pieces, cuts[c], cuts[c + 1]);
                kernel.geluBackward(x, g, gradPieces, cuts[c], cuts[c + 1], true);
            }
            assertArrayEquals(whole, pieces, 0f, kernel.name());
            assertArrayEquals(gradWhole, gradPieces, 0f, kernel.name());
        }
    }

    @Test
    void compiledGeluKernelsAllocateNothing() {
        // On JDK 17, C2 compiled a longer GELU backward loop without some of its vector intrinsics in about
        // half of JVMs, and every vector was then boxed on the heap (docs/performance.md).
        int n = 1 << 14;
        float[] x = random(n, 3f), g = random(n + 1, 1f), out = new float[n];
        assertCompiledCallsAllocateNothing("200 calls of gelu and geluBackward", kernel -> {
            for (int call = 0; call < 200; call++) {
                int from = call % 7, to = n - call % 5; // vary the tails and both modes, as training does
                kernel.gelu(x, out, from, to);
                kernel.geluBackward(x, g, out, from, to, call % 2 == 0);
            }
        });
    }

    @Test
    void compiledSoftmaxKernelsAllocateNothing() {
        // Attention's kernels, on rows of the lengths a causal mask gives (1 to 64 keys, most shorter than a few
        // vectors). expShiftedSum used to carry a vector accumulator and, run in this JVM after GemmTest, kept
        // allocating ~370 bytes a call in 1 of 6 runs (docs/performance.md); it now sums its row from memory.
        float[] scores = random(64 * 64, 3f), row = new float[64 * 64], p = new float[64 * 64], dp = random(64 * 64, 1f);
        float[] copy = new float[64 * 96];
        assertCompiledCallsAllocateNothing("the softmax kernels and copyRows", kernel -> {
            for (int i = 0; i < 64; i++) {
                int n = i + 1, at = i * 64;
                kernel.expShiftedSum(scores, at, row, at, n, 1f);
                System.arraycopy(scores, at, p, at, 64);
                kernel.scaledSoftmax(p, at, n, 0.2f);
                kernel.softmaxBackward(dp, at, p, at, n, 0.2f);
            }
            kernel.copyRows(scores, 0, 64, copy, 0, 96, 64, 32, false);
            kernel.copyRows(scores, 0, 64, copy, 32, 96, 64, 48, true);
        });
    }

    @Test
    void compiledLaneSummingKernelsAllocateNothing() {
        // Their sums across lanes use shuffles; a shuffle, or an accumulator started from a vector constant,
        // that C2 fails to intrinsify boxes every vector of the loop (measured: 5x slower).
        int c = 128, rows = 12;
        float[] x = random(rows * (c + 7), 2f), w = random(c + 7, 1f), b = random(c + 7, 1f), g = random(rows * (c + 7), 1f);
        float[] out = new float[rows * (c + 7)], xHat = new float[rows * (c + 7)], rstd = new float[rows];
        float[] gx = new float[rows * (c + 7)], gw = new float[c + 7], gb = new float[c + 7];
        int[] widths = {c, c + 7}; // whole vectors, and a scalar tail
        float[] gradients = random(1 << 15, 1f);
        boolean[] centring = {true, false}; // layer norm and RMS norm; made here, so that the round allocates nothing
        assertCompiledCallsAllocateNothing("layerNorm, layerNormBackward and sumOfSquares", kernel -> {
            for (int width : widths) {
                for (boolean center : centring) {
                    kernel.layerNorm(x, 0, rows, width, w, b, 1e-5f, center, out, xHat, rstd);
                    kernel.layerNormBackward(g, xHat, rstd, w, center, 0, rows, width, gx, gw, gb);
                }
            }
            kernel.sumOfSquares(gradients, 3, gradients.length); // runs of 256 and a tail, as gradient clipping does
        });
    }

    /**
     * Runs {@code round} on the Vector API kernels until a round allocates nothing (the JIT compiles
     * in the background, so this waits for it, up to 60 s) and fails if none does: once compiled, a
     * kernel that boxes no vector allocates nothing.
     */
    private static void assertCompiledCallsAllocateNothing(String what, java.util.function.Consumer<MathKernel> round) {
        Assumptions.assumeTrue(Kernels.vectorMath().isPresent(), "needs jdk.incubator.vector");
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs per-thread allocation counts");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MathKernel kernel = Kernels.vectorMath().orElseThrow();
        long perRound = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (perRound > 0 && System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            round.accept(kernel);
            perRound = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0L, perRound, "bytes allocated by compiled calls: " + what);
    }

    @Test
    void layerNormRmsNormAndTheirBackwardsAgreeAcrossKernels() {
        JavaMath reference = new JavaMath();
        for (MathKernel kernel : kernels()) {
            for (boolean center : new boolean[] {true, false}) {
                for (int c : new int[] {5, 16, 40}) {
                    int rows = 3, n = rows * c;
                    float[] x = random(n, 2f), w = random(c, 1f), b = random(c + 1, 1f), g = random(n + 3, 1f);
                    float[] out1 = new float[n], xh1 = new float[n], rs1 = new float[rows];
                    float[] out2 = new float[n], xh2 = new float[n], rs2 = new float[rows];
                    reference.layerNorm(x, 0, rows, c, w, b, 1e-5f, center, out1, xh1, rs1);
                    kernel.layerNorm(x, 0, rows, c, w, b, 1e-5f, center, out2, xh2, rs2);
                    assertArrayEquals(out1, out2, 1e-5f, kernel.name());
                    assertArrayEquals(rs1, rs2, 1e-5f * rs1[0], kernel.name());
                    float[] gx1 = new float[n], gw1 = new float[c], gb1 = new float[c];
                    float[] gx2 = new float[n], gw2 = new float[c], gb2 = new float[c];
                    reference.layerNormBackward(g, xh1, rs1, w, center, 0, rows, c, gx1, gw1, gb1);
                    kernel.layerNormBackward(g, xh2, rs2, w, center, 0, rows, c, gx2, gw2, gb2);
                    assertArrayEquals(gx1, gx2, 1e-5f, kernel.name());
                    assertArrayEquals(gw1, gw2, 1e-5f, kernel.name());
                    assertArrayEquals(gb1, gb2, 1e-5f, kernel.name());
                    kernel.layerNormBackward(g, xh2, rs2, null, center, 0, rows, c, null, gw2, null); // nulls are allowed
                }
            }
        }
    }

    @Test
    void geluMatchesTheExactFormula() {
        float[] x = {-3f, -1f, 0f, 0.5f, 1f, 2f, 6f}, out = new float[x.length];
        new JavaMath().gelu(x, out, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double cdf = 0.5 * (1 + ErfApproximationTest.referenceErf(x[i] / Math.sqrt(2)));
            assertEquals(x[i] * cdf, out[i], 1e-6, "gelu(" + x[i] + ")");
        }
    }

}
