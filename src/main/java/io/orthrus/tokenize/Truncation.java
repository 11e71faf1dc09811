package io.orthrus.tokenize;

/** How long each part of a text pair stays when both must fit a budget. */
final class Truncation {
    private Truncation() {}

    /**
     * {@code tokenizers}' {@code longest_first} for parts of {@code lengthA} and {@code lengthB} ids and
     * {@code budget} ids of room: only the longer part is cut when that is enough, else the shorter part
     * (the first, on a tie) keeps half of the room and the other the rest. Returns the two kept lengths.
     */
    static int[] longestFirst(int lengthA, int lengthB, int budget) {
        if (lengthA + lengthB <= budget) {
            return new int[] {lengthA, lengthB};
        }
        int shorter = Math.min(lengthA, lengthB);
        int longer = shorter > budget ? shorter : Math.max(shorter, budget - shorter);
        if (shorter + longer > budget) {
            shorter = budget / 2;
            longer = shorter + budget % 2;
        }
        boolean firstIsLonger = lengthA > lengthB;
        return new int[] {Math.min(lengthA, firstIsLonger ? longer : shorter), Math.min(lengthB, firstIsLonger ? shorter : longer)};
    }

    /** Copies {@code keep} of {@code ids} into {@code out} at {@code at}: the first ones, or the last ones with {@code fromEnd}. */
    private static void copy(int[] ids, int keep, boolean fromEnd, int[] out, int at) {
        System.arraycopy(ids, fromEnd ? ids.length - keep : 0, out, at, keep);
    }

    /**
     * {@code open}, the ids of a text cut to fit {@code maxLength} with them (its last ones with
     * {@code fromEnd}), {@code close}; every segment 0. The caller has checked that the two fit.
     */
    static Encoding single(int[] ids, int maxLength, int open, int close, boolean fromEnd) {
        int keep = Math.min(ids.length, maxLength - 2);
        int[] out = new int[keep + 2];
        out[0] = open;
        copy(ids, keep, fromEnd, out, 1);
        out[keep + 1] = close;
        return new Encoding(out, new int[out.length]);
    }

    /**
     * {@code open a close×separators b close}, the parts cut longest-first to fit {@code maxLength}
     * (from their ends, or their beginnings with {@code fromEnd}); the second part and its closing
     * token have segment {@code secondSegment}, the rest 0. The caller has checked that the specials fit.
     */
    static Encoding pair(int[] a, int[] b, int maxLength, int open, int close, int separators, int secondSegment,
                         boolean fromEnd) {
        int[] kept = longestFirst(a.length, b.length, maxLength - 2 - separators);
        int second = kept[0] + 1 + separators;
        int[] out = new int[second + kept[1] + 1], segments = new int[out.length];
        out[0] = open;
        copy(a, kept[0], fromEnd, out, 1);
        java.util.Arrays.fill(out, kept[0] + 1, second, close);
        copy(b, kept[1], fromEnd, out, second);
        out[out.length - 1] = close;
        java.util.Arrays.fill(segments, second, out.length, secondSegment);
        return new Encoding(out, segments);
    }
}
