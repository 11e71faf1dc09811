package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Byte-level BPE training with incremental pair counts ({@link ByteLevelBpe#train}). Symbols are
 * ids (0–255 the bytes, then one per merge); a pair is packed into a long. Each distinct piece of
 * the corpus is a sequence of symbols with a count; {@code pairCounts} holds how often each
 * adjacent pair occurs over the corpus, and {@code where} which pieces contain it.
 */
final class BpeTrainer {
    private final int vocabSize;
    private final int minFrequency;
    private final List<int[]> pieces = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private final List<String> symbols = new ArrayList<>(); // id -> byte-level string
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> where = new HashMap<>();
    // {count, pair}: the most frequent first; ties by the pair's symbols in string order, so that the
    // result does not depend on how the counts were kept.
    private final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0])
            : comparePairs(a[1], b[1]));

    BpeTrainer(String corpus, int vocabSize, int minFrequency) {
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        for (int b = 0; b < 256; b++) {
            symbols.add(ByteLevelBpe.byteSymbol(b));
        }
        Map<Character, Integer> byteIds = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byteIds.put(symbols.get(b).charAt(0), b);
        }
        ByteLevelBpe.pieceCounts(corpus).forEach((piece, count) -> {
            int[] ids = new int[piece.length()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = byteIds.get(piece.charAt(i));
            }
            int index = pieces.size();
            pieces.add(ids);
            counts.add(count);
            for (int i = 0; i + 1 < ids.length; i++) {
                long pair = pair(ids[i], ids[i + 1]);
                pairCounts.merge(pair, (long) count, Long::sum);
                where.computeIfAbsent(pair, p -> new HashSet<>()).add(index);
            }
        });
        pairCounts.forEach((pair, count) -> queue.add(new long[] {count, pair}));
    }

    private int comparePairs(long a, long b) {
        int left = symbols.get((int) (a >>> 32)).compareTo(symbols.get((int) (b >>> 32)));
        return left != 0 ? left : symbols.get((int) a).compareTo(symbols.get((int) b));
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    ByteLevelBpe train() {
        List<String> merges = new ArrayList<>();
        while (symbols.size() < vocabSize - 1 && !queue.isEmpty()) { // the last id is END_OF_TEXT
            long[] top = queue.poll();
            long pair = top[1];
            long current = pairCounts.getOrDefault(pair, 0L);
            if (current != top[0]) { // stale: the count changed since this entry was queued
                if (current > 0) {
                    queue.add(new long[] {current, pair});
                }
                continue;
            }
            if (current < minFrequency) {
                break;
            }
            int left = (int) (pair >>> 32), right = (int) pair, merged = symbols.size();
            symbols.add(symbols.get(left) + symbols.get(right));
            merges.add(symbols.get(left) + " " + symbols.get(right));
            apply(pair, left, right, merged);
        }
        symbols.add(ByteLevelBpe.END_OF_TEXT);
        return ByteLevelBpe.of(symbols, merges);
    }

    /** Rewrites every piece that contains (left, right), updating the pair counts of what changed. */
    private void apply(long pair, int left, int right, int merged) {
        Set<Integer> affected = where.remove(pair);
        pairCounts.remove(pair);
        Set<Long> changed = new HashSet<>();
        for (int index : affected) {
            int[] old = pieces.get(index);
            long count = counts.get(index);
            int[] next = new int[old.length];
            int n = 0;
            for (int i = 0; i < old.length; i++) {
                if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                    next[n++] = merged;
                    i++;
                } else {
                    next[n++] = old[i];
                }
            }
            next = Arrays.copyOf(next, n);
            for (int i = 0; i + 1 < old.length; i++) { // remove the old pairs ...
                long p = pair(old[i], old[i + 1]);
                if (p != pair) {
                    pairCounts.merge(p, -count, Long::sum);
                    changed.add(p);
                }
            }
            for (int i = 0; i + 1 < next.length; i++) { // ... and add the new ones
                long p = pair(next[i], next[i + 1]);
                pairCounts.merge(p, count, Long::sum);
                where.computeIfAbsent(p, q -> new HashSet<>()).add(index);
                changed.add(p);
            }
            pieces.set(index, next);
        }
        for (long p : changed) {
            long count = pairCounts.getOrDefault(p, 0L);
            if (count <= 0) {
                pairCounts.remove(p);
                where.remove(p);
            } else {
                queue.add(new long[] {count, p});
            }
        }
    }
}
