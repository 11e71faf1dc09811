package io.orthrus.tensor;

/**
 * A seeded pseudo-random generator, the only source of randomness in Orthrus.
 *
 * <p>The stream is SplitMix64 (Steele, Lea and Flood, 2014): fast, with a 64-bit state that is
 * easy to save in a checkpoint, and defined here bit for bit so that a seed gives the same
 * numbers on every JDK. Gaussian samples use the Box–Muller transform, also defined here, since
 * {@link java.util.Random#nextGaussian()} and the JDK 17 generators differ in algorithm.
 *
 * <p>Not thread-safe: give each thread its own generator, for instance with {@link #split()}.
 */
public final class Rng {
    private long state;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    /** A generator whose whole stream is fixed by {@code seed}. */
    public Rng(long seed) {
        this.state = seed;
    }

    /** The next 64 uniformly distributed bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound); {@code bound} must be positive. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        }
        // Lemire's multiply-shift with rejection: unbiased for every bound.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal sample (mean 0, standard deviation 1). */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u1 = 1.0 - nextDouble(); // in (0, 1]: log is finite
        double u2 = nextDouble();
        double radius = Math.sqrt(-2.0 * Math.log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareGaussian = radius * Math.sin(angle);
        hasSpareGaussian = true;
        return radius * Math.cos(angle);
    }

    /** A new generator seeded from this one's stream: independent streams for sub-tasks. */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** The full state, to be saved with a checkpoint and given back to {@link #restore}. */
    public long[] state() {
        return new long[] {state, hasSpareGaussian ? 1 : 0, Double.doubleToRawLongBits(spareGaussian)};
    }

    /** Restores a state returned by {@link #state()}. */
    public void restore(long[] saved) {
        if (saved == null || saved.length != 3) {
            throw new IllegalArgumentException("Rng.restore: expected the 3 longs from state(), got "
                    + (saved == null ? "null" : saved.length + " values"));
        }
        state = saved[0];
        hasSpareGaussian = saved[1] != 0;
        spareGaussian = Double.longBitsToDouble(saved[2]);
    }
}
