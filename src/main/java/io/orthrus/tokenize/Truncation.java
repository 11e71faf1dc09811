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
    static void copy(int[] ids, int keep, boolean fromEnd, int[] out, int at) {
        System.arraycopy(ids, fromEnd ? ids.length - keep : 0, out, at, keep);
    }
}
