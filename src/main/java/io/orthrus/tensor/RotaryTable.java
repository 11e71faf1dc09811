package io.orthrus.tensor;

/**
 * The cosines and sines of rotary positions {@code offset .. offset + positions − 1} for a head of
 * {@code 2·frequencies.length} channels, and the rotation they make: the pair {@code (x[i], x[i + hs/2])}
 * of a row at position p turns by {@code p·frequencies[i]}, the angle in float32 as transformers
 * computes {@code position · inv_freq}. The inverse rotation is the rotation's backward. One table
 * serves the composite rotary op and the fused attention kernel, so both rotate alike.
 */
public final class RotaryTable {
    private final int positions;
    private final int half;
    private final float[] cos;
    private final float[] sin;

    /** The table of {@code positions} positions from {@code offset}, one angle frequency per rotated pair. */
    public RotaryTable(float[] frequencies, int offset, int positions) {
        if (frequencies.length == 0 || positions <= 0 || offset < 0) {
            throw new IllegalArgumentException("RotaryTable: needs frequencies and positions, got "
                    + frequencies.length + " frequencies, " + positions + " positions from " + offset);
        }
        this.positions = positions;
        this.half = frequencies.length;
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) (offset + p) * frequencies[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Channels of the head this table rotates: twice its frequencies. */
    public int headSize() {
        return 2 * half;
    }

    /**
     * Rotates {@code rows} consecutive rows of {@link #headSize()} floats from {@code src} at
     * {@code srcAt} into {@code dst} at {@code dstAt}, row r at position {@code r mod positions}; by
     * the opposite angles when {@code inverse}; added to {@code dst} when {@code add}. In place
     * ({@code src == dst}, same offset) is allowed.
     */
    public void rotate(float[] src, int srcAt, float[] dst, int dstAt, int rows, boolean inverse, boolean add) {
        int hs = 2 * half;
        for (int r = 0; r < rows; r++) {
            int from = srcAt + r * hs, to = dstAt + r * hs, angles = (r % positions) * half;
            for (int i = 0; i < half; i++) {
                float c = cos[angles + i], s = inverse ? -sin[angles + i] : sin[angles + i];
                float a = src[from + i], b = src[from + i + half];
                float ra = a * c - b * s, rb = b * c + a * s;
                dst[to + i] = add ? dst[to + i] + ra : ra;
                dst[to + i + half] = add ? dst[to + i + half] + rb : rb;
            }
        }
    }
}
