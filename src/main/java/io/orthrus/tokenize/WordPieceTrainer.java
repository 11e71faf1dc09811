package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a WordPiece vocabulary by merging pieces, as described for BERT's tokenizer (Schuster and
 * Nakajima, 2012; Wu et al., 2016) and in Hugging Face's course:
 * <ol>
 *   <li>split the corpus into words with {@link BertPreTokenizer} and count them;</li>
 *   <li>start from single characters: the first of a word as is, the others as {@code ##c};</li>
 *   <li>repeatedly merge the adjacent pair (a, b) whose merge raises most the likelihood of the
 *       corpus under a unigram model of the pieces, {@code L = Σ c·log c − N·log N} over piece
 *       counts c with N pieces in all — the criterion of Schuster and Nakajima — until the
 *       vocabulary has the requested size or no pair is left.</li>
 * </ol>
 * The gain of a merge is computed exactly from the counts: the new piece gets count(ab), a and b
 * lose as much, N falls by count(ab). (The ratio {@code count(ab) / (count(a)·count(b))} that is
 * sometimes quoted as WordPiece's score leaves out the frequency factor: it merges rare pairs
 * first and leaves frequent words such as "the" in single letters.)
 * Ties go to the more frequent pair, then to the smaller pair in string order, so the result is the
 * same on every run. Pair counts are updated only for the words that contain the merged pair.
 */
final class WordPieceTrainer {
    private WordPieceTrainer() {}

    static List<String> train(Iterable<String> texts, BertPreTokenizer pre, int vocabSize, List<String> specials) {
        Map<String, Long> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (String word : pre.split(text)) {
                wordCounts.merge(word, 1L, Long::sum);
            }
        }
        if (wordCounts.isEmpty()) {
            throw new IllegalArgumentException("WordPiece.train: the corpus has no words");
        }
        // Pieces are interned as ints; words are arrays of piece ids.
        List<String> pieces = new ArrayList<>();
        Map<String, Integer> pieceIds = new HashMap<>();
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (Map.Entry<String, Long> e : new TreeMap<>(wordCounts).entrySet()) {
            String word = e.getKey();
            int[] units = new int[word.codePointCount(0, word.length())];
            int u = 0;
            for (int i = 0; i < word.length(); ) {
                int cp = word.codePointAt(i);
                String piece = (i == 0 ? "" : WordPiece.CONTINUATION) + new String(Character.toChars(cp));
                units[u++] = pieceIds.computeIfAbsent(piece, p -> {
                    pieces.add(p);
                    return pieces.size() - 1;
                });
                i += Character.charCount(cp);
            }
            words.add(units);
            counts.add(e.getValue());
        }
        List<String> vocab = new ArrayList<>(specials);
        Set<String> inVocab = new HashSet<>(specials);
        List<String> alphabet = new ArrayList<>(pieces);
        alphabet.sort(null);
        for (String piece : alphabet) {
            if (inVocab.add(piece)) {
                vocab.add(piece);
            }
        }
        if (vocabSize < vocab.size()) {
            throw new IllegalArgumentException("WordPiece.train: vocabSize " + vocabSize + " is smaller than the "
                    + vocab.size() + " special tokens and single characters of the corpus");
        }
        new Merger(pieces, pieceIds, words, counts).run(vocab, inVocab, vocabSize);
        return vocab;
    }

    /** The merge loop, with pair counts kept up to date incrementally. */
    private static final class Merger {
        private final List<String> pieces;
        private final Map<String, Integer> pieceIds;
        private final List<int[]> words;
        private final List<Long> counts;
        private final Map<Long, Long> pairCounts = new HashMap<>();
        private final Map<Long, Set<Integer>> wordsWithPair = new HashMap<>();
        private final Map<Integer, Long> pieceCounts = new HashMap<>();
        private long totalPieces;

        Merger(List<String> pieces, Map<String, Integer> pieceIds, List<int[]> words, List<Long> counts) {
            this.pieces = pieces;
            this.pieceIds = pieceIds;
            this.words = words;
            this.counts = counts;
            for (int w = 0; w < words.size(); w++) {
                account(w, +1);
            }
        }

        void run(List<String> vocab, Set<String> inVocab, int vocabSize) {
            while (vocab.size() < vocabSize) {
                long best = -1;
                double bestScore = -1;
                long bestCount = -1;
                for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                    long pair = e.getKey(), count = e.getValue();
                    if (count <= 0) {
                        continue;
                    }
                    double score = gain(first(pair), second(pair), count);
                    if (score > bestScore || (score == bestScore && (count > bestCount
                            || (count == bestCount && comparePairs(pair, best) < 0)))) {
                        best = pair;
                        bestScore = score;
                        bestCount = count;
                    }
                }
                if (best < 0) {
                    return; // every word is a single piece
                }
                String merged = pieces.get(first(best)) + strip(pieces.get(second(best)));
                int mergedId = pieceIds.computeIfAbsent(merged, p -> {
                    pieces.add(p);
                    return pieces.size() - 1;
                });
                for (int w : new ArrayList<>(wordsWithPair.getOrDefault(best, Set.of()))) {
                    account(w, -1);
                    words.set(w, replace(words.get(w), first(best), second(best), mergedId));
                    account(w, +1);
                }
                if (inVocab.add(merged)) {
                    vocab.add(merged);
                }
            }
        }

        /** The change of {@code Σ c·log c − N·log N} when every (a, b) becomes one piece. */
        private double gain(int a, int b, long count) {
            long ca = pieceCounts.get(a), n = totalPieces;
            double delta = xLogX(count) - xLogX(n - count) + xLogX(n);
            if (a == b) {
                return delta + xLogX(Math.max(0, ca - 2 * count)) - xLogX(ca);
            }
            long cb = pieceCounts.get(b);
            return delta + xLogX(ca - count) - xLogX(ca) + xLogX(cb - count) - xLogX(cb);
        }

        private static double xLogX(long x) {
            return x <= 0 ? 0 : x * Math.log(x);
        }

        /** Adds ({@code sign} +1) or removes (-1) the pieces and pairs of word {@code w}. */
        private void account(int w, int sign) {
            int[] units = words.get(w);
            long count = counts.get(w) * sign;
            totalPieces += count * units.length;
            for (int i = 0; i < units.length; i++) {
                pieceCounts.merge(units[i], count, Long::sum);
                if (i + 1 < units.length) {
                    long pair = pair(units[i], units[i + 1]);
                    pairCounts.merge(pair, count, Long::sum);
                    if (sign > 0) {
                        wordsWithPair.computeIfAbsent(pair, k -> new HashSet<>()).add(w);
                    } else {
                        Set<Integer> set = wordsWithPair.get(pair);
                        if (set != null) {
                            set.remove(w);
                        }
                    }
                }
            }
        }

        private int comparePairs(long x, long y) {
            if (y < 0) {
                return -1;
            }
            int c = pieces.get(first(x)).compareTo(pieces.get(first(y)));
            return c != 0 ? c : pieces.get(second(x)).compareTo(pieces.get(second(y)));
        }

        private static int[] replace(int[] units, int a, int b, int merged) {
            int[] out = new int[units.length];
            int n = 0;
            for (int i = 0; i < units.length; i++) {
                if (i + 1 < units.length && units[i] == a && units[i + 1] == b) {
                    out[n++] = merged;
                    i++;
                } else {
                    out[n++] = units[i];
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }

        private static String strip(String piece) {
            return piece.startsWith(WordPiece.CONTINUATION) ? piece.substring(WordPiece.CONTINUATION.length()) : piece;
        }

        private static long pair(int a, int b) {
            return ((long) a << 32) | (b & 0xFFFFFFFFL);
        }

        private static int first(long pair) {
            return (int) (pair >>> 32);
        }

        private static int second(long pair) {
            return (int) pair;
        }
    }
}
