package io.orthrus.tokenize;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A BPE model's merges, by the ids of the pair each joins, and the loop that applies them to a word's
 * symbols: lowest rank first and, within a rank, left to right, which is GPT-2's loop (merge the best
 * pair everywhere, repeat) and {@code tokenizers}'. The symbols form a linked list and the candidate
 * pairs a heap, so a word of n symbols takes O(n log n), not O(n²).
 */
final class BpeMerges {
    private final Map<Long, Long> byPair; // (left id, right id) -> rank << 32 | merged id

    /**
     * {@code merges} in rank order, each {@code [left, right]}, over the vocabulary {@code ids}. The
     * result of each must be in the vocabulary (else an error naming {@code source} and the merge); a
     * merge whose parts are not both in it can never apply and is left out; of a merge given twice,
     * the first counts.
     */
    BpeMerges(List<String[]> merges, Map<String, Integer> ids, String source) {
        byPair = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] merge = merges.get(rank);
            Integer merged = ids.get(merge[0] + merge[1]);
            if (merged == null) {
                throw new IllegalArgumentException(source + ": merge " + (rank + 1) + " '" + merge[0] + " " + merge[1]
                        + "' makes '" + merge[0] + merge[1] + "', which is not in the vocabulary");
            }
            Integer left = ids.get(merge[0]), right = ids.get(merge[1]);
            if (left != null && right != null) {
                byPair.putIfAbsent(pair(left, right), ((long) rank << 32) | merged);
            }
        }
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** The ids {@code symbols} (a word's, one per symbol; overwritten) become once every merge that applies has. */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        int[] next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // A candidate: rank << 32 | position of its left symbol; stale ones are skipped when popped.
        PriorityQueue<Long> candidates = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(candidates, symbols, i, i + 1);
        }
        int alive = n;
        while (!candidates.isEmpty()) {
            long top = candidates.poll();
            int at = (int) top, rank = (int) (top >>> 32), right = at < n && symbols[at] >= 0 ? next[at] : -1;
            Long merge = right < 0 ? null : byPair.get(pair(symbols[at], symbols[right]));
            if (merge == null || (int) (merge >>> 32) != rank) {
                continue; // a symbol of this pair was merged away since it was queued
            }
            symbols[at] = (int) (long) merge;
            symbols[right] = -1;
            next[at] = next[right];
            if (next[at] >= 0) {
                prev[next[at]] = at;
            }
            alive--;
            if (prev[at] >= 0) {
                offer(candidates, symbols, prev[at], at);
            }
            if (next[at] >= 0) {
                offer(candidates, symbols, at, next[at]);
            }
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i >= 0 && k < alive; i = next[i]) {
            out[k++] = symbols[i];
        }
        return out;
    }

    private void offer(PriorityQueue<Long> candidates, int[] symbols, int left, int right) {
        Long merge = byPair.get(pair(symbols[left], symbols[right]));
        if (merge != null) {
            candidates.add((merge & 0xFFFFFFFF00000000L) | left);
        }
    }
}
