package io.orthrus.nn;

import io.orthrus.tensor.RotaryTable;
import io.orthrus.tensor.Tensor;

/**
 * Rotary position embedding (Su et al., 2021), in the "rotate half" layout of GPT-NeoX and
 * Llama: within each head, the pair {@code (x[i], x[i + h/2])} is rotated by the angle
 * {@code position · base^(-2i/h)}. Applied to queries and keys, it makes their dot product
 * depend on the distance between positions only.
 */
public final class Rotary {
    /** The usual base of the angle frequencies. */
    public static final double BASE = 10000.0;

    private Rotary() {}

    /**
     * Rotates {@code x (B, nh, T, hs)} for positions {@code offset .. offset + T - 1} with base
     * {@link #BASE}; differentiable (the backward is the inverse rotation).
     */
    public static Tensor apply(Tensor x, int offset) {
        int[] shape = x.shape();
        return apply(x, offset, frequencies(shape.length == 4 ? shape[3] : 2, BASE, null));
    }

    /**
     * The angle frequencies of a head of {@code headSize} channels, one per rotated pair, in
     * float32 as transformers computes them: {@code theta^(-2i/hs)}, then, with {@code scaling},
     * Llama 3's: frequencies whose wavelength exceeds {@code originalContext / lowFreqFactor}
     * divided by the factor, those under {@code originalContext / highFreqFactor} kept, those
     * between blended linearly in {@code originalContext / wavelength}.
     */
    public static float[] frequencies(int headSize, double theta, TransformerConfig.RopeScaling scaling) {
        int half = headSize / 2;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) {
            out[i] = (float) (1.0 / (float) Math.pow(theta, (float) (2 * i) / headSize));
        }
        if (scaling == null) {
            return out;
        }
        float factor = (float) scaling.factor(), low = (float) scaling.lowFreqFactor(), high = (float) scaling.highFreqFactor();
        float context = scaling.originalContext(), lowWavelength = context / low, highWavelength = context / high;
        for (int i = 0; i < half; i++) {
            float wavelength = (float) (2 * Math.PI) / out[i];
            float scaled = wavelength > lowWavelength ? out[i] / factor : out[i];
            if (!(wavelength < highWavelength) && !(wavelength > lowWavelength)) {
                float smooth = (context / wavelength - low) / (high - low);
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            out[i] = scaled;
        }
        return out;
    }

    /**
     * Rotates {@code x (B, nh, T, hs)} for positions {@code offset .. offset + T - 1}, the pair
     * {@code (x[i], x[i + hs/2])} by {@code position · frequencies[i]} (see {@link #frequencies});
     * differentiable.
     */
    public static Tensor apply(Tensor x, int offset, float[] frequencies) {
        int[] shape = x.shape();
        if (shape.length != 4 || shape[3] % 2 != 0 || frequencies.length != shape[3] / 2) {
            throw new IllegalArgumentException("Rotary.apply: expected (B, nh, T, hs) with even hs and hs/2 = "
                    + frequencies.length + " frequencies, got " + java.util.Arrays.toString(shape));
        }
        int rows = x.numel() / shape[3];
        RotaryTable table = new RotaryTable(frequencies, offset, shape[2]);
        float[] out = new float[x.numel()];
        table.rotate(x.data(), 0, out, 0, rows, false, false);
        return Tensor.fromOp("rotary", out, shape, g -> table.rotate(g, 0, x.gradBuffer(), 0, rows, true, true), x);
    }

    /** The fixed sinusoidal table of Vaswani et al. (2017), shape {@code (T, C)}: sin on even, cos on odd channels. */
    public static Tensor sinusoidalTable(int positions, int width) {
        float[] table = new float[positions * width];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < width; i += 2) {
                double angle = p / Math.pow(BASE, (double) i / width);
                table[p * width + i] = (float) Math.sin(angle);
                if (i + 1 < width) {
                    table[p * width + i + 1] = (float) Math.cos(angle);
                }
            }
        }
        return Tensor.wrap(table, positions, width);
    }
}
