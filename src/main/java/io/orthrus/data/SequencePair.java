package io.orthrus.data;

import io.orthrus.tokenize.Tokenizer;

/**
 * One example of a sequence-to-sequence task: the ids the encoder reads and the ids the decoder
 * must write (without start or end tokens, which {@link Seq2SeqBatch} adds).
 *
 * @param source the encoder's input; at least one id
 * @param target the expected output; at least one id
 */
public record SequencePair(int[] source, int[] target) {
    /** Checks and copies both arrays. */
    public SequencePair {
        if (source == null || target == null) {
            throw new IllegalArgumentException("SequencePair: source and target are required");
        }
        if (source.length == 0) {
            throw new IllegalArgumentException("SequencePair: the source is empty; give the encoder at least one token");
        }
        if (target.length == 0) {
            throw new IllegalArgumentException("SequencePair: the target is empty; give the decoder at least one token to write");
        }
        source = source.clone();
        target = target.clone();
    }

    /** The pair of {@code source} and {@code target} text, encoded by {@code tokenizer}. */
    public static SequencePair encode(Tokenizer tokenizer, String source, String target) {
        return new SequencePair(tokenizer.encode(source), tokenizer.encode(target));
    }

    /** A copy of the source ids. */
    @Override
    public int[] source() {
        return source.clone();
    }

    /** A copy of the target ids. */
    @Override
    public int[] target() {
        return target.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequencePair p && java.util.Arrays.equals(source, p.source)
                && java.util.Arrays.equals(target, p.target);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(source) + java.util.Arrays.hashCode(target);
    }

    @Override
    public String toString() {
        return "SequencePair(" + java.util.Arrays.toString(source) + " -> " + java.util.Arrays.toString(target) + ")";
    }
}
