package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of a corpus that occur at least {@code minCount} times, most frequent first (ties in
 * order of first appearance), with their counts: word2vec's vocabulary. Words are split by
 * {@link #words(String)}; rarer words are left out of training, as in the original tool.
 */
public final class WordVocabulary {
    /** A word: a letter followed by letters, digits and apostrophes, or a number. */
    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}\\p{N}']*|\\p{N}+");

    private final List<String> words;
    private final long[] counts;
    private final Map<String, Integer> ids;
    private final int minCount;

    private WordVocabulary(List<String> words, long[] counts, int minCount) {
        this.words = List.copyOf(words);
        this.counts = counts;
        this.minCount = minCount;
        this.ids = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            ids.put(words.get(i), i);
        }
    }

    /** The lower-cased words of {@code line}, in order; punctuation and spaces separate words and are dropped. */
    public static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(line.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The words of {@code lines} seen at least {@code minCount} ≥ 1 times. */
    public static WordVocabulary build(List<String> lines, int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("WordVocabulary: minCount must be ≥ 1, got " + minCount);
        }
        Map<String, long[]> seen = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (String line : lines) {
            for (String word : words(line)) {
                seen.computeIfAbsent(word, w -> {
                    order.add(w);
                    return new long[1];
                })[0]++;
            }
        }
        if (order.isEmpty()) {
            throw new IllegalArgumentException("WordVocabulary: the corpus has no words");
        }
        List<String> kept = new ArrayList<>(order.stream().filter(w -> seen.get(w)[0] >= minCount).toList());
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("WordVocabulary: no word occurs " + minCount + " times or more ("
                    + order.size() + " distinct words); lower minCount");
        }
        kept.sort((a, b) -> Long.compare(seen.get(b)[0], seen.get(a)[0])); // stable: first appearance breaks ties
        long[] counts = kept.stream().mapToLong(w -> seen.get(w)[0]).toArray();
        return new WordVocabulary(kept, counts, minCount);
    }

    /** Number of words V. */
    public int size() {
        return words.size();
    }

    /** The id of {@code word}, or −1 if it is not in the vocabulary. */
    public int idOrMinusOne(String word) {
        return ids.getOrDefault(word, -1);
    }

    /** The id of {@code word}; an unknown word is an error that says why. */
    public int id(String word) {
        Integer id = ids.get(word);
        if (id == null) {
            throw new IllegalArgumentException("WordVocabulary: '" + word + "' is not in the vocabulary ("
                    + size() + " words seen at least " + minCount + " times)");
        }
        return id;
    }

    /** The word with id {@code id}. */
    public String word(int id) {
        return words.get(id);
    }

    /** How often word {@code id} occurs in the corpus. */
    public long count(int id) {
        return counts[id];
    }

    /** Total occurrences of vocabulary words. */
    public long totalCount() {
        return Arrays.stream(counts).sum();
    }

    /** The words, most frequent first. */
    public List<String> words() {
        return words;
    }

    /** Each line as the ids of its vocabulary words (other words dropped). */
    public List<int[]> encode(List<String> lines) {
        List<int[]> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(words(line).stream().mapToInt(this::idOrMinusOne).filter(id -> id >= 0).toArray());
        }
        return out;
    }
}
