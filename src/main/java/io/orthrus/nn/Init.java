package io.orthrus.nn;

import io.orthrus.linalg.Linalg;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * Standard initialisations, written into a tensor's values in place from an explicit generator.
 * Fan-in and fan-out follow PyTorch: for a weight of shape {@code (out, in, ...)}, fan-in is
 * {@code in · receptive field} and fan-out {@code out · receptive field}.
 */
public final class Init {
    private Init() {}

    /** Fills with zeros. */
    public static void zeros(Tensor t) {
        Arrays.fill(t.data(), 0f);
    }

    /** Fills with ones. */
    public static void ones(Tensor t) {
        Arrays.fill(t.data(), 1f);
    }

    /** Fills with {@code value}. */
    public static void constant(Tensor t, float value) {
        Arrays.fill(t.data(), value);
    }

    /** Samples from N(0, std²), as GPT-2 does with std = 0.02. */
    public static void normal(Tensor t, float std, Rng rng) {
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            v[i] = std * (float) rng.nextGaussian();
        }
    }

    /** Samples uniformly from {@code [-bound, bound)}. */
    public static void uniform(Tensor t, float bound, Rng rng) {
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            v[i] = bound * (2f * rng.nextFloat() - 1f);
        }
    }

    /** Glorot and Bengio (2010): uniform with bound {@code gain·√(6 / (fanIn + fanOut))}. */
    public static void xavierUniform(Tensor t, float gain, Rng rng) {
        uniform(t, gain * (float) Math.sqrt(6.0 / (fanIn(t) + fanOut(t))), rng);
    }

    /** Glorot and Bengio (2010): normal with std {@code gain·√(2 / (fanIn + fanOut))}. */
    public static void xavierNormal(Tensor t, float gain, Rng rng) {
        normal(t, gain * (float) Math.sqrt(2.0 / (fanIn(t) + fanOut(t))), rng);
    }

    /**
     * Fills a 2-D weight with a (semi-)orthogonal matrix scaled by {@code gain}, as
     * {@link Linalg#orthogonal} (Saxe et al., 2014); useful for recurrent weights.
     */
    public static void orthogonal(Tensor t, float gain, Rng rng) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("Init.orthogonal: needs a 2-D weight, got shape " + Arrays.toString(t.shape()));
        }
        float[] q = Linalg.orthogonal(t.size(0), t.size(1), gain, rng).data();
        System.arraycopy(q, 0, t.data(), 0, q.length);
    }

    /** Fan-in of a weight {@code (out, in, ...)}: {@code in} times the product of the remaining sizes. */
    public static int fanIn(Tensor t) {
        requireMatrix(t);
        return t.size(1) * receptiveField(t);
    }

    /** Fan-out of a weight {@code (out, in, ...)}: {@code out} times the product of the remaining sizes. */
    public static int fanOut(Tensor t) {
        requireMatrix(t);
        return t.size(0) * receptiveField(t);
    }

    private static int receptiveField(Tensor t) {
        int field = 1;
        for (int d = 2; d < t.rank(); d++) {
            field *= t.size(d);
        }
        return field;
    }

    private static void requireMatrix(Tensor t) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException("Init: fan-in and fan-out need a weight of at least 2 dimensions, got shape "
                    + Arrays.toString(t.shape()));
        }
    }
}
