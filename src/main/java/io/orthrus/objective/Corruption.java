package io.orthrus.objective;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * How a denoising autoencoder corrupts its input before reconstructing the clean one (Vincent et
 * al., 2008, 2010). Each kind returns a new tensor of the same shape and leaves the input alone.
 */
public sealed interface Corruption {
    /** A corrupted copy of {@code clean}, drawing its noise from {@code rng}. */
    Tensor apply(Tensor clean, Rng rng);

    /** No corruption: a plain autoencoder. */
    static Corruption none() {
        return new None();
    }

    /** Masking noise: each input is set to 0 with probability {@code fraction} ∈ [0, 1). */
    static Corruption masking(double fraction) {
        return new Masking(fraction);
    }

    /** Additive isotropic Gaussian noise of standard deviation {@code std} ≥ 0. */
    static Corruption gaussian(double std) {
        return new Gaussian(std);
    }

    /** Salt-and-pepper noise: each input is set, with probability {@code fraction} ∈ [0, 1), to 0 or 1 (even odds). */
    static Corruption saltAndPepper(double fraction) {
        return new SaltAndPepper(fraction);
    }

    /** No corruption. */
    record None() implements Corruption {
        @Override
        public Tensor apply(Tensor clean, Rng rng) {
            return clean;
        }
    }

    /** Masking noise ("zero a random fraction ν of the inputs"). */
    record Masking(double fraction) implements Corruption {
        /** Checks the noise level. */
        public Masking {
            checkFraction("masking", fraction);
        }

        @Override
        public Tensor apply(Tensor clean, Rng rng) {
            float[] x = clean.toArray();
            for (int i = 0; i < x.length; i++) {
                if (rng.nextDouble() < fraction) {
                    x[i] = 0f;
                }
            }
            return Tensor.wrap(x, clean.shape());
        }
    }

    /** Additive Gaussian noise. */
    record Gaussian(double std) implements Corruption {
        /** Checks the noise level. */
        public Gaussian {
            if (!(std >= 0) || Double.isInfinite(std)) {
                throw new IllegalArgumentException("Corruption.gaussian: std must be a finite number ≥ 0, got " + std);
            }
        }

        @Override
        public Tensor apply(Tensor clean, Rng rng) {
            float[] x = clean.toArray();
            for (int i = 0; i < x.length; i++) {
                x[i] += (float) (std * rng.nextGaussian());
            }
            return Tensor.wrap(x, clean.shape());
        }
    }

    /** Salt-and-pepper noise (to the minimum 0 or the maximum 1 of the input range). */
    record SaltAndPepper(double fraction) implements Corruption {
        /** Checks the noise level. */
        public SaltAndPepper {
            checkFraction("saltAndPepper", fraction);
        }

        @Override
        public Tensor apply(Tensor clean, Rng rng) {
            float[] x = clean.toArray();
            for (int i = 0; i < x.length; i++) {
                if (rng.nextDouble() < fraction) {
                    x[i] = rng.nextDouble() < 0.5 ? 0f : 1f;
                }
            }
            return Tensor.wrap(x, clean.shape());
        }
    }

    private static void checkFraction(String kind, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("Corruption." + kind + ": the noise level must be in [0, 1), got " + fraction);
        }
    }
}
