package io.orthrus.bench;

import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;

/**
 * The machine's memory bandwidth as the kernel threads see it, for comparing what generation reaches:
 * reading a 256 MB array (a sum of squares, one multiply-add per float, so the loads bound it) and
 * copying one 256 MB array into another (counted as STREAM counts copy: bytes read plus bytes written).
 * Each is the best of five passes, over chunks spread on the shared pool.
 *
 * @param readGbPerS bytes read per second, in GB (10⁹ bytes)
 * @param copyGbPerS bytes read and written per second while copying, in GB
 */
record MemoryBandwidth(double readGbPerS, double copyGbPerS) {
    private static final int FLOATS = 64 << 20; // 256 MB: far beyond the caches
    private static final int CHUNK = 1 << 20;
    private static final int PASSES = 5;

    /** Measures both (about a second, and 512 MB of heap while it runs). */
    static MemoryBandwidth measure() {
        float[] a = new float[FLOATS], b = new float[FLOATS];
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(b, 2f); // both mapped and touched before any pass is timed
        MathKernel math = Kernels.math();
        Parallel pool = Parallel.shared();
        double bestRead = Double.MAX_VALUE, bestCopy = Double.MAX_VALUE;
        double[] sink = new double[Parallel.chunks(FLOATS, CHUNK)];
        for (int pass = 0; pass < PASSES; pass++) {
            long start = System.nanoTime();
            pool.forRange(FLOATS, CHUNK, (from, to) -> sink[from / CHUNK] = math.sumOfSquares(a, from, to));
            bestRead = Math.min(bestRead, (System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            pool.forRange(FLOATS, CHUNK, (from, to) -> System.arraycopy(a, from, b, from, to - from));
            bestCopy = Math.min(bestCopy, (System.nanoTime() - start) / 1e9);
        }
        if (sink[0] != CHUNK) { // keeps the reads from being optimised away
            throw new IllegalStateException("MemoryBandwidth: the read pass summed " + sink[0]);
        }
        return new MemoryBandwidth(4.0 * FLOATS / bestRead / 1e9, 2 * 4.0 * FLOATS / bestCopy / 1e9);
    }
}
