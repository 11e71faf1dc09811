package io.orthrus.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static word vectors: one vector per word, looked up by word, compared by cosine. What word2vec
 * produces, and what its text format stores ({@code io.WordVectorsFile}).
 */
public final class WordVectors {
    /** A word and its cosine similarity to a query. */
    public record Neighbour(String word, double cosine) {}

    private final List<String> words;
    private final float[] vectors; // (V, D) row-major
    private final float[] unit;    // the same rows scaled to length 1
    private final int dimensions;
    private final Map<String, Integer> ids = new HashMap<>();

    /** Vectors {@code (V, D)} (row-major, copied) for {@code words}, which must be distinct. */
    public WordVectors(List<String> words, float[] vectors, int dimensions) {
        if (dimensions <= 0 || vectors.length != (long) words.size() * dimensions) {
            throw new IllegalArgumentException("WordVectors: " + words.size() + " words of " + dimensions
                    + " dimensions need " + (long) words.size() * dimensions + " values, got " + vectors.length);
        }
        this.words = List.copyOf(words);
        this.vectors = vectors.clone();
        this.dimensions = dimensions;
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) {
                throw new IllegalArgumentException("WordVectors: word '" + words.get(i) + "' appears twice");
            }
        }
        this.unit = this.vectors.clone();
        for (int i = 0; i < words.size(); i++) {
            double norm = 0;
            for (int d = 0; d < dimensions; d++) {
                norm += (double) unit[i * dimensions + d] * unit[i * dimensions + d];
            }
            float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (int d = 0; d < dimensions; d++) {
                unit[i * dimensions + d] *= scale;
            }
        }
    }

    /** Number of words V. */
    public int size() {
        return words.size();
    }

    /** Vector length D. */
    public int dimensions() {
        return dimensions;
    }

    /** A copy of the vectors {@code (V, D)}, row-major, in word order. */
    public float[] matrix() {
        return vectors.clone();
    }

    /** The words, in storage order. */
    public List<String> words() {
        return words;
    }

    /** Whether {@code word} has a vector. */
    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    /** A copy of {@code word}'s vector (D); an unknown word is an error. */
    public float[] vector(String word) {
        int id = id(word);
        return Arrays.copyOfRange(vectors, id * dimensions, (id + 1) * dimensions);
    }

    /** Cosine similarity of two words' vectors. */
    public double similarity(String a, String b) {
        int i = id(a), j = id(b);
        double dot = 0;
        for (int d = 0; d < dimensions; d++) {
            dot += (double) unit[i * dimensions + d] * unit[j * dimensions + d];
        }
        return dot;
    }

    /** The {@code k} words most similar to {@code word} by cosine, itself excluded, best first. */
    public List<Neighbour> nearest(String word, int k) {
        int id = id(word);
        return nearest(Arrays.copyOfRange(unit, id * dimensions, (id + 1) * dimensions), k, Set.of(word));
    }

    /**
     * The analogy "a is to b as c is to ?": the {@code k} words nearest by cosine to
     * b − a + c (unit vectors), the three query words excluded — e.g. analogy("man", "king", "woman")
     * → queen.
     */
    public List<Neighbour> analogy(String a, String b, String c, int k) {
        int ia = id(a), ib = id(b), ic = id(c);
        float[] query = new float[dimensions];
        for (int d = 0; d < dimensions; d++) {
            query[d] = unit[ib * dimensions + d] - unit[ia * dimensions + d] + unit[ic * dimensions + d];
        }
        return nearest(query, k, Set.of(a, b, c));
    }

    private List<Neighbour> nearest(float[] query, int k, Set<String> excluded) {
        if (k <= 0) {
            throw new IllegalArgumentException("WordVectors: k must be positive, got " + k);
        }
        double norm = 0;
        for (float q : query) {
            norm += (double) q * q;
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        List<Neighbour> all = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            if (excluded.contains(words.get(i))) {
                continue;
            }
            double dot = 0;
            for (int d = 0; d < dimensions; d++) {
                dot += (double) unit[i * dimensions + d] * query[d];
            }
            all.add(new Neighbour(words.get(i), dot * scale));
        }
        all.sort((x, y) -> Double.compare(y.cosine(), x.cosine()));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    private int id(String word) {
        Integer id = ids.get(word);
        if (id == null) {
            throw new IllegalArgumentException("WordVectors: no vector for '" + word + "' (" + words.size()
                    + " words; rare words are left out by the vocabulary's minimum count)");
        }
        return id;
    }
}
