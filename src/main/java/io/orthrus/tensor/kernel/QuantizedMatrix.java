package io.orthrus.tensor.kernel;

import java.util.Arrays;

/**
 * A weight matrix {@code (rows, cols)} held in fewer bytes than float32, for inference whose speed is
 * the bytes of weights read per token: bfloat16 (2 bytes a value: a float's upper half, rounded to
 * nearest even) or int8 with one float scale per group of columns of a row (symmetric, as GGUF's Q8_0:
 * {@code scale = max|w| / 127}, {@code q = round(w / scale)}; about 1.1 bytes a value for groups of 32).
 * A product with one vector reads the compact values and widens them on the fly
 * ({@link MathKernel#int8Rows}); {@link #dequantize} gives floats back for the matrix kernel. Immutable.
 */
public final class QuantizedMatrix {
    /** How the values are held. */
    public enum Format {
        /** bfloat16: 8 bits of mantissa, the float's full range. */
        BF16,
        /** int8 with a float scale per group of columns. */
        INT8
    }

    private final Format format;
    private final int rows;
    private final int cols;
    private final int group;
    private final byte[] q;
    private final float[] scales;
    private final short[] bf16;

    private QuantizedMatrix(Format format, int rows, int cols, int group, byte[] q, float[] scales, short[] bf16) {
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.group = group;
        this.q = q;
        this.scales = scales;
        this.bf16 = bf16;
    }

    private static void checkShape(String who, float[] w, int offset, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || offset < 0 || (long) offset + (long) rows * cols > w.length) {
            throw new IllegalArgumentException(who + ": a " + rows + " × " + cols + " matrix at offset " + offset
                    + " does not fit an array of " + w.length);
        }
    }

    /**
     * {@code w[offset …]} (row-major {@code rows × cols}) as int8 with a scale per {@code group} columns of
     * a row (the last group of a row may be shorter). A group of zeros has scale 0.
     */
    public static QuantizedMatrix int8(float[] w, int offset, int rows, int cols, int group) {
        checkShape("QuantizedMatrix.int8", w, offset, rows, cols);
        if (group <= 0) {
            throw new IllegalArgumentException("QuantizedMatrix.int8: the group size must be positive, got " + group);
        }
        int groups = (cols + group - 1) / group;
        byte[] q = new byte[rows * cols];
        float[] scales = new float[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int start = r * cols + g * group, end = r * cols + Math.min(cols, (g + 1) * group);
                float max = 0;
                for (int i = start; i < end; i++) {
                    max = Math.max(max, Math.abs(w[offset + i]));
                }
                float scale = max / 127f;
                scales[r * groups + g] = scale;
                float inverse = scale == 0 ? 0 : 1f / scale;
                for (int i = start; i < end; i++) {
                    q[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[offset + i] * inverse)));
                }
            }
        }
        return new QuantizedMatrix(Format.INT8, rows, cols, group, q, scales, null);
    }

    /** {@code w[offset …]} (row-major {@code rows × cols}) as bfloat16, each value rounded to nearest even. */
    public static QuantizedMatrix bf16(float[] w, int offset, int rows, int cols) {
        checkShape("QuantizedMatrix.bf16", w, offset, rows, cols);
        short[] out = new short[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = toBf16(w[offset + i]);
        }
        return new QuantizedMatrix(Format.BF16, rows, cols, 0, null, null, out);
    }

    /** The bfloat16 nearest {@code x} (ties to even); NaN stays NaN. */
    static short toBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** How the values are held. */
    public Format format() {
        return format;
    }

    /** Rows (outputs of a layer). */
    public int rows() {
        return rows;
    }

    /** Columns (inputs of a layer). */
    public int cols() {
        return cols;
    }

    /** Columns per scale (int8), or 0 (bfloat16). */
    public int group() {
        return group;
    }

    /** Bytes the values and scales take. */
    public long bytes() {
        return format == Format.BF16 ? 2L * bf16.length : q.length + 4L * scales.length;
    }

    /** {@code y[yAt + r] = row r · x[xAt …]} for rows {@code from ≤ r < to}, by {@code kernel}. */
    public void multiplyRows(MathKernel kernel, float[] x, int xAt, float[] y, int yAt, int from, int to) {
        if (from < 0 || to > rows || from > to) {
            throw new IllegalArgumentException("QuantizedMatrix.multiplyRows: rows [" + from + ", " + to + ") of " + rows);
        }
        if (format == Format.INT8) {
            kernel.int8Rows(q, scales, cols, group, x, xAt, y, yAt, from, to);
        } else {
            kernel.bf16Rows(bf16, cols, x, xAt, y, yAt, from, to);
        }
    }

    /** Rows {@code [from, to)} as floats, row-major into {@code out[outAt …]}, widened by {@code kernel}. */
    public void dequantize(MathKernel kernel, int from, int to, float[] out, int outAt) {
        if (from < 0 || to > rows || from > to) {
            throw new IllegalArgumentException("QuantizedMatrix.dequantize: rows [" + from + ", " + to + ") of " + rows);
        }
        if (format == Format.BF16) {
            kernel.bf16ToFloat(bf16, from * cols, out, outAt, (to - from) * cols);
            return;
        }
        int groups = (cols + group - 1) / group;
        for (int r = from, o = outAt; r < to; r++) {
            for (int g = 0; g < groups; g++) {
                int start = g * group, n = Math.min(cols, start + group) - start;
                kernel.int8ToFloat(q, r * cols + start, scales[r * groups + g], out, o + start, n);
            }
            o += cols;
        }
    }

    /** Rows {@code [from, to)} as floats, row-major into {@code out[outAt …]}. */
    public void dequantize(int from, int to, float[] out, int outAt) {
        dequantize(Kernels.math(), from, to, out, outAt);
    }

    /** All values as floats, row-major. */
    public float[] toFloats() {
        float[] out = new float[rows * cols];
        dequantize(0, rows, out, 0);
        return out;
    }

    @Override
    public String toString() {
        return "QuantizedMatrix(" + format + (format == Format.INT8 ? " groups of " + group : "") + ", " + rows + " × "
                + cols + ")";
    }

    /** Equal when format, shape, group and every stored value are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizedMatrix m && m.format == format && m.rows == rows && m.cols == cols && m.group == group
                && Arrays.equals(m.q, q) && Arrays.equals(m.scales, scales) && Arrays.equals(m.bf16, bf16);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {format.ordinal(), rows, cols, group, Arrays.hashCode(q), Arrays.hashCode(bf16)});
    }
}
