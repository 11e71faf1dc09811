package io.orthrus.tokenize;

import java.util.Arrays;

/**
 * One encoded input for a BERT-style model: token ids with their segment (token-type) ids, 0 for
 * the first text and 1 for the second of a pair.
 *
 * @param ids      token ids, {@code [CLS]} and {@code [SEP]} included
 * @param segments segment id of each token, same length as {@code ids}
 */
public record Encoding(int[] ids, int[] segments) {
    /** Checks the components, naming what is wrong. */
    public Encoding {
        if (ids.length != segments.length) {
            throw new IllegalArgumentException("Encoding: " + ids.length + " ids but " + segments.length + " segment ids");
        }
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(segments, e.segments);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(segments);
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(ids) + " segments " + Arrays.toString(segments);
    }
}
