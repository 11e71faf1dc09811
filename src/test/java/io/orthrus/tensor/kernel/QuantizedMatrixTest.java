package io.orthrus.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** bfloat16 and int8 matrices: rounding, scales, and the widening matrix–vector kernels of both math kernels. */
class QuantizedMatrixTest {
    private static List<MathKernel> kernels() {
        List<MathKernel> list = new ArrayList<>(List.of(new JavaMath()));
        Kernels.vectorMath().ifPresent(list::add);
        return list;
    }

    private static float[] random(int n, long seed) {
        Random rng = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rng.nextGaussian() * (i % 7 == 0 ? 3 : 1);
        }
        return out;
    }

    @Test
    void int8KeepsEachValueWithinHalfAStepOfItsGroup() {
        int rows = 5, cols = 100, group = 32; // a ragged last group of 4
        float[] w = random(rows * cols, 1);
        w[3] = 0;
        java.util.Arrays.fill(w, cols, cols + 32, 0f); // a group of zeros: scale 0
        QuantizedMatrix q = QuantizedMatrix.int8(w, 0, rows, cols, group);
        float[] back = q.toFloats();
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < 4; g++) {
                float max = 0;
                for (int c = g * group; c < Math.min(cols, (g + 1) * group); c++) {
                    max = Math.max(max, Math.abs(w[r * cols + c]));
                }
                float step = max / 127;
                for (int c = g * group; c < Math.min(cols, (g + 1) * group); c++) {
                    assertEquals(w[r * cols + c], back[r * cols + c], step / 2 + 1e-6f, "row " + r + " column " + c);
                }
            }
        }
        assertEquals(0f, back[cols + 5]);
        assertEquals(rows * cols + 4L * rows * 4, q.bytes());
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, QuantizedMatrix.toBf16(1f));
        assertEquals((short) 0x3F80, QuantizedMatrix.toBf16(Float.intBitsToFloat(0x3F808000))); // tie, even below
        assertEquals((short) 0x3F82, QuantizedMatrix.toBf16(Float.intBitsToFloat(0x3F818000))); // tie, even above
        assertEquals((short) 0x3F81, QuantizedMatrix.toBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0xBF80, QuantizedMatrix.toBf16(-1f));
        assertEquals((short) 0x7F80, QuantizedMatrix.toBf16(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Float.intBitsToFloat(QuantizedMatrix.toBf16(Float.NaN) << 16)));
        float[] w = random(3 * 50, 2);
        float[] back = QuantizedMatrix.bf16(w, 0, 3, 50).toFloats();
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], back[i], Math.abs(w[i]) / 256, "value " + i);
        }
    }

    @Test
    void theKernelsMultiplyByTheStoredValues() {
        for (int cols : new int[] {64, 576, 100, 7}) {
            int rows = 37;
            float[] w = random(rows * cols, cols), x = random(cols + 3, 99);
            for (QuantizedMatrix q : new QuantizedMatrix[] {QuantizedMatrix.int8(w, 0, rows, cols, 32),
                    QuantizedMatrix.int8(w, 0, rows, cols, 64), QuantizedMatrix.bf16(w, 0, rows, cols)}) {
                float[] stored = q.toFloats();
                for (MathKernel kernel : kernels()) {
                    float[] y = new float[rows + 2];
                    q.multiplyRows(kernel, x, 3, y, 1, 4, rows); // rows 4.. of the input at offset 3, out at 1 + r
                    for (int r = 0; r < rows; r++) {
                        double exact = 0, size = 0;
                        for (int c = 0; c < cols; c++) {
                            exact += (double) stored[r * cols + c] * x[3 + c];
                            size += Math.abs((double) stored[r * cols + c] * x[3 + c]);
                        }
                        float expected = r < 4 ? 0f : (float) exact;
                        assertEquals(expected, y[1 + r], 1e-5 * size + 1e-6, kernel.name() + " " + q + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void theWideningAndAttentionHelpersAgreeAcrossKernels() {
        for (int n : new int[] {64, 37, 5}) {
            float[] a = random(n + 2, 7), b = random(n + 3, 8);
            byte[] q = new byte[n + 1];
            short[] h = new short[n + 1];
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) (i * 37 - 128);
                h[i] = QuantizedMatrix.toBf16(a[Math.min(i, a.length - 1)]);
            }
            double exact = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[2 + i] * b[3 + i];
            }
            for (MathKernel kernel : kernels()) {
                assertEquals(exact, kernel.dot(a, 2, b, 3, n), 1e-5 * n, kernel.name() + " dot " + n);
                float[] y = b.clone();
                kernel.axpy(0.5f, a, 2, y, 3, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(b[3 + i] + 0.5f * a[2 + i], y[3 + i], 1e-6f, kernel.name() + " axpy");
                }
                float[] wide = new float[n + 1];
                kernel.int8ToFloat(q, 1, 0.25f, wide, 1, n);
                kernel.bf16ToFloat(h, 1, y, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(q[1 + i] * 0.25f, wide[1 + i], kernel.name() + " int8 " + i);
                    assertEquals(Float.intBitsToFloat(h[1 + i] << 16), y[i], kernel.name() + " bf16 " + i);
                }
            }
        }
    }

    @Test
    void dequantizedRowsAreTheStoredValues() {
        float[] w = random(6 * 40, 3);
        QuantizedMatrix q = QuantizedMatrix.int8(w, 0, 6, 40, 32);
        float[] all = q.toFloats(), part = new float[2 * 40 + 1];
        q.dequantize(2, 4, part, 1);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 80, 160), java.util.Arrays.copyOfRange(part, 1, 81));
    }

    @Test
    void badShapesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedMatrix.int8(new float[10], 0, 3, 4, 32));
        assertTrue(e.getMessage().contains("3 × 4 matrix at offset 0 does not fit an array of 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.int8(new float[12], 0, 3, 4, 0));
        QuantizedMatrix q = QuantizedMatrix.bf16(new float[12], 0, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> q.multiplyRows(new JavaMath(), new float[4], 0, new float[3], 0, 0, 4));
    }
}
