package io.orthrus.infer;

/**
 * How {@link Seq2SeqGenerator#beamSearch} explores: it keeps the {@code width} most probable
 * partial outputs at each step instead of the single most probable token.
 *
 * @param width         number of beams kept (1 = greedy)
 * @param lengthPenalty a finished output is ranked by {@code log P / length^lengthPenalty} (length counts the end
 *                      token): 0 ranks by probability alone, which favours short outputs; 1 (the default) by the
 *                      mean log-probability per token
 * @param maxLength     most tokens generated per output, the end token included
 * @param earlyStop     true: stop as soon as {@code width} outputs have ended, even while a live beam is more
 *                      probable than all of them (faster; can miss the best output); false: continue while the
 *                      best live beam, scored at the next length, could still outrank the worst of the
 *                      {@code width} best ended outputs. Both as Hugging Face's {@code early_stopping}.
 */
public record BeamSearch(int width, float lengthPenalty, int maxLength, boolean earlyStop) {
    /** Checks every field. */
    public BeamSearch {
        if (width < 1) {
            throw new IllegalArgumentException("BeamSearch: width must be >= 1, got " + width);
        }
        if (!Float.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("BeamSearch: lengthPenalty must be finite, got " + lengthPenalty);
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("BeamSearch: maxLength must be >= 1, got " + maxLength);
        }
    }

    /** {@code width} beams, length penalty 1, no early stop. */
    public static BeamSearch of(int width, int maxLength) {
        return new BeamSearch(width, 1f, maxLength, false);
    }

    /** A copy with another length penalty. */
    public BeamSearch withLengthPenalty(float value) {
        return new BeamSearch(width, value, maxLength, earlyStop);
    }

    /** A copy with early stopping on or off. */
    public BeamSearch withEarlyStop(boolean value) {
        return new BeamSearch(width, lengthPenalty, maxLength, value);
    }
}
