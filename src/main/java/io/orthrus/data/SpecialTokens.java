package io.orthrus.data;

/**
 * The ids a sequence-to-sequence model needs beyond the text's own tokens.
 *
 * @param pad   fills batch rows up to the longest; never attended to, never a target
 * @param start the decoder's first input: "begin the target"
 * @param end   the decoder's last target: "the target is complete"; generation stops on it
 */
public record SpecialTokens(int pad, int start, int end) {
    /** Checks that the ids are distinct and not negative. */
    public SpecialTokens {
        if (pad < 0 || start < 0 || end < 0) {
            throw new IllegalArgumentException("SpecialTokens: ids must be >= 0, got pad " + pad + ", start " + start
                    + ", end " + end);
        }
        if (pad == start || pad == end || start == end) {
            throw new IllegalArgumentException("SpecialTokens: pad, start and end must be three different ids, got "
                    + pad + ", " + start + ", " + end);
        }
    }

    /**
     * Three new ids after a tokenizer's {@code vocabularySize} ids: pad, start, end =
     * {@code vocabularySize}, {@code + 1}, {@code + 2}; the model's vocabulary is then {@code vocabularySize + 3}.
     */
    public static SpecialTokens after(int vocabularySize) {
        if (vocabularySize < 0) {
            throw new IllegalArgumentException("SpecialTokens.after: vocabulary size must be >= 0, got " + vocabularySize);
        }
        return new SpecialTokens(vocabularySize, vocabularySize + 1, vocabularySize + 2);
    }
}
