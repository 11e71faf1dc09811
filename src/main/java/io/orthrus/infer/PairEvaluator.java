package io.orthrus.infer;

import io.orthrus.data.PairDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How well a sentence encoder does on held-out pairs: retrieval metrics on related pairs (each
 * anchor searches every positive and negative of the set by cosine similarity, and its own positive
 * should come first) and Spearman's rank correlation on scored pairs, as sentence-transformers'
 * InformationRetrievalEvaluator and EmbeddingSimilarityEvaluator report them.
 */
public final class PairEvaluator {
    private PairEvaluator() {}

    /**
     * Retrieval results.
     *
     * @param queries    number of anchors searched with
     * @param candidates number of distinct texts searched (positives and negatives)
     * @param recallAt1  fraction of anchors whose positive is the most similar candidate
     * @param recallAt10 fraction whose positive is among the 10 most similar
     * @param mrr        mean reciprocal rank of the positive (1 / its 1-based rank; over the full ranking)
     */
    public record Retrieval(int queries, int candidates, double recallAt1, double recallAt10, double mrr) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "recall@1 %.3f, recall@10 %.3f, MRR %.3f (%d anchors, %d candidates)",
                    recallAt1, recallAt10, mrr, queries, candidates);
        }
    }

    /**
     * Each anchor of {@code pairs} (related pairs) ranks all of the set's distinct positives and
     * negatives by cosine similarity; a candidate equal to the anchor's positive text counts as it.
     */
    public static Retrieval retrieval(SentenceEncoder encoder, PairDataset pairs) {
        if (pairs.scored()) {
            throw new IllegalArgumentException("PairEvaluator.retrieval: the pairs are scored; use spearman");
        }
        Map<String, Integer> candidateIndex = new LinkedHashMap<>();
        List<String> anchors = new ArrayList<>();
        int[] relevant = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            PairDataset.Example e = pairs.examples().get(i);
            anchors.add(e.anchor());
            relevant[i] = candidateIndex.computeIfAbsent(e.positive(), k -> candidateIndex.size());
            if (e.negative() != null) {
                candidateIndex.computeIfAbsent(e.negative(), k -> candidateIndex.size());
            }
        }
        float[][] queries = unit(encoder.encode(anchors));
        float[][] candidates = unit(encoder.encode(List.copyOf(candidateIndex.keySet())));
        double hits1 = 0, hits10 = 0, reciprocal = 0;
        for (int q = 0; q < queries.length; q++) {
            double target = dot(queries[q], candidates[relevant[q]]);
            int rank = 1;
            for (int c = 0; c < candidates.length; c++) {
                double s = dot(queries[q], candidates[c]);
                if (c != relevant[q] && (s > target || (s == target && c < relevant[q]))) { // ties: the earlier wins
                    rank++;
                }
            }
            hits1 += rank == 1 ? 1 : 0;
            hits10 += rank <= 10 ? 1 : 0;
            reciprocal += 1.0 / rank;
        }
        int n = queries.length;
        return new Retrieval(n, candidates.length, hits1 / n, hits10 / n, reciprocal / n);
    }

    /** Spearman's rank correlation between the cosine similarity of each scored pair and its score. */
    public static double spearman(SentenceEncoder encoder, PairDataset pairs) {
        if (!pairs.scored()) {
            throw new IllegalArgumentException("PairEvaluator.spearman: the pairs are not scored; use retrieval");
        }
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        double[] scores = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            PairDataset.Example e = pairs.examples().get(i);
            a.add(e.anchor());
            b.add(e.positive());
            scores[i] = e.score();
        }
        float[][] va = unit(encoder.encode(a)), vb = unit(encoder.encode(b));
        double[] cosines = new double[va.length];
        for (int i = 0; i < va.length; i++) {
            cosines[i] = dot(va[i], vb[i]);
        }
        return spearman(cosines, scores);
    }

    /**
     * For a cross-encoder: the fraction of related pairs whose positive scores above the negative
     * for the same anchor (the example's own negative or, when the set has none, the next example's
     * positive).
     */
    public static double pairAccuracy(CrossEncoder reranker, PairDataset pairs) {
        if (pairs.scored() || (!pairs.hasNegatives() && pairs.size() < 2)) {
            throw new IllegalArgumentException("PairEvaluator.pairAccuracy: needs related pairs with negatives, or 2"
                    + " or more of them, got " + pairs);
        }
        int right = 0;
        for (int i = 0; i < pairs.size(); i++) {
            PairDataset.Example e = pairs.examples().get(i);
            String negative = e.negative() != null ? e.negative() : pairs.examples().get((i + 1) % pairs.size()).positive();
            float[] s = reranker.score(e.anchor(), List.of(e.positive(), negative));
            right += s[0] > s[1] ? 1 : 0;
        }
        return (double) right / pairs.size();
    }

    /** For a cross-encoder: Spearman's rank correlation between its score of each scored pair and the pair's score. */
    public static double spearman(CrossEncoder reranker, PairDataset pairs) {
        if (!pairs.scored()) {
            throw new IllegalArgumentException("PairEvaluator.spearman: the pairs are not scored; use pairAccuracy");
        }
        double[] predicted = new double[pairs.size()], scores = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            PairDataset.Example e = pairs.examples().get(i);
            predicted[i] = reranker.score(e.anchor(), List.of(e.positive()))[0];
            scores[i] = e.score();
        }
        return spearman(predicted, scores);
    }

    /** Spearman's rank correlation of two equally long samples (ties take their average rank); NaN when one is constant. */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("PairEvaluator.spearman: needs two samples of the same length ≥ 2, got "
                    + x.length + " and " + y.length);
        }
        double[] rx = ranks(x), ry = ranks(y);
        double mx = Arrays.stream(rx).average().orElse(0), my = Arrays.stream(ry).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Double.compare(values[i], values[j]));
        double[] ranks = new double[values.length];
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }

    private static float[][] unit(float[][] vectors) {
        for (float[] v : vectors) {
            double norm = Math.sqrt(dot(v, v));
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (v[j] / Math.max(norm, 1e-12));
            }
        }
        return vectors;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
