package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import java.util.Map;

/**
 * Batches of windows of consecutive tokens, each starting at a uniformly random offset (the
 * nanoGPT scheme): {@code (B, L)} ids. For a causal LM with context T use L = T + 1, so that
 * inputs and shifted targets both have length T.
 */
public final class WindowSampler implements BatchSource<IntTensor> {
    private final int[] tokens;
    private final int windowLength;
    private final int batchSize;
    private final Rng rng;

    WindowSampler(int[] tokens, String what, int windowLength, int batchSize, Rng rng) {
        if (windowLength <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("WindowSampler: window length and batch size must be positive, got "
                    + windowLength + " and " + batchSize);
        }
        if (tokens.length < windowLength) {
            throw new IllegalArgumentException("WindowSampler: the " + what + " of the corpus has " + tokens.length
                    + " tokens, fewer than one window of " + windowLength + "; use a longer corpus or a shorter context");
        }
        this.tokens = tokens;
        this.windowLength = windowLength;
        this.batchSize = batchSize;
        this.rng = rng;
    }

    /** Windows over {@code tokens} (not copied). */
    public static WindowSampler over(int[] tokens, int windowLength, int batchSize, Rng rng) {
        return new WindowSampler(tokens, "token array", windowLength, batchSize, rng);
    }

    @Override
    public Map<String, Rng> generators() {
        return Map.of("windows", rng);
    }

    @Override
    public IntTensor next() {
        int[] out = new int[batchSize * windowLength];
        int starts = tokens.length - windowLength + 1;
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(starts);
            System.arraycopy(tokens, start, out, b * windowLength, windowLength);
        }
        return IntTensor.wrap(out, batchSize, windowLength);
    }
}
