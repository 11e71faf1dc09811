package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * SentencePiece's Unigram model as Hugging Face's {@code tokenizers} runs it (XLM-RoBERTa, multilingual
 * E5 and the other SentencePiece encoders): the text is normalized (the {@code tokenizer.json}'s
 * normalizer, such as SentencePiece's precompiled NFKC rules), split into words that begin with
 * {@code ▁} where the spaces were (Metaspace), and each word is cut into the pieces whose summed
 * log-probabilities are highest (Viterbi). A character no piece covers becomes the unknown token, and
 * unknown characters in a row share one. Read from a {@code tokenizer.json} by {@link Tokenizers#load}.
 */
public final class Unigram implements Tokenizer {
    /** The penalty SentencePiece puts on an unknown character below the least likely piece. */
    private static final double UNKNOWN_PENALTY = 10.0;

    private final String[] pieces;
    private final double[] scores;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int unknownId;
    private final double unknownScore;
    private final int longestPiece;
    private final UnaryOperator<String> normalizer;
    private final Metaspace metaspace;
    private final AddedTokens added;
    private final com.google.gson.JsonObject source;

    /** How words are made: spaces become {@code replacement}, which also begins the text (by {@code scheme}). */
    record Metaspace(char replacement, String scheme, boolean split, boolean whitespaceSplitFirst) {
        /** The words of a normalized piece of text. */
        List<String> words(String text, boolean first) {
            List<String> parts = new ArrayList<>();
            if (whitespaceSplitFirst) {
                for (String w : text.split("\\s+")) {
                    if (!w.isEmpty()) {
                        parts.add(w);
                    }
                }
            } else {
                parts.add(text);
            }
            List<String> words = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                String s = parts.get(p).replace(' ', replacement);
                boolean prepend = scheme.equals("always") || (scheme.equals("first") && first && p == 0);
                if (prepend && !s.isEmpty() && s.charAt(0) != replacement) {
                    s = replacement + s;
                }
                if (!split) {
                    if (!s.isEmpty()) {
                        words.add(s);
                    }
                    continue;
                }
                int start = 0;
                for (int i = 1; i <= s.length(); i++) { // each word begins at a replacement character
                    if (i == s.length() || s.charAt(i) == replacement) {
                        if (i > start) {
                            words.add(s.substring(start, i));
                        }
                        start = i;
                    }
                }
            }
            return words;
        }
    }

    Unigram(List<String> pieces, List<Double> scores, int unknownId, UnaryOperator<String> normalizer, Metaspace metaspace,
            List<AddedTokens.Added> addedTokens, com.google.gson.JsonObject source) {
        this.pieces = pieces.toArray(String[]::new);
        this.scores = scores.stream().mapToDouble(Double::doubleValue).toArray();
        if (unknownId < 0 || unknownId >= this.pieces.length) {
            throw new IllegalArgumentException("Unigram: unk_id " + unknownId + " is outside the vocabulary of "
                    + this.pieces.length + " pieces");
        }
        double min = Double.POSITIVE_INFINITY;
        int longest = 1;
        for (int i = 0; i < this.pieces.length; i++) {
            ids.put(this.pieces[i], i);
            min = Math.min(min, this.scores[i]);
            longest = Math.max(longest, this.pieces[i].length());
        }
        this.unknownId = unknownId;
        this.unknownScore = min - UNKNOWN_PENALTY;
        this.longestPiece = longest;
        this.normalizer = normalizer;
        this.metaspace = metaspace;
        this.added = new AddedTokens(addedTokens, normalizer);
        this.source = source;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        boolean[] first = {true};
        added.split(text, new AddedTokens.Sink() {
            @Override
            public void text(String piece) {
                for (String word : metaspace.words(piece, first[0])) {
                    viterbi(word, out);
                }
                first[0] = false;
            }

            @Override
            public void token(int id) {
                out.add(id);
                first[0] = false;
            }
        });
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The most likely pieces of {@code word}, unknown characters in a row fused into one unknown token. */
    private void viterbi(String word, List<Integer> out) {
        int n = word.length();
        double[] best = new double[n + 1];
        int[] from = new int[n + 1], piece = new int[n + 1];
        boolean[] reached = new boolean[n + 1];
        reached[0] = true;
        for (int start = 0; start < n; start++) {
            if (!reached[start]) {
                continue;
            }
            int charLength = Character.charCount(word.codePointAt(start));
            boolean single = false;
            for (int end = start + 1; end <= Math.min(n, start + longestPiece); end++) {
                if (end < n && Character.isLowSurrogate(word.charAt(end)) && Character.isHighSurrogate(word.charAt(end - 1))) {
                    continue; // never end inside a character
                }
                Integer id = ids.get(word.substring(start, end));
                if (id != null) {
                    single |= end - start == charLength;
                    relax(best, from, piece, reached, start, end, id, scores[id]);
                }
            }
            if (!single) {
                relax(best, from, piece, reached, start, start + charLength, -1, unknownScore);
            }
        }
        List<Integer> reversed = new ArrayList<>();
        boolean previousUnknown = false;
        for (int end = n; end > 0; end = from[end]) {
            boolean unknown = piece[end] < 0;
            if (!(unknown && previousUnknown)) {
                reversed.add(unknown ? unknownId : piece[end]);
            }
            previousUnknown = unknown;
        }
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
    }

    /** Takes the path through {@code start} to {@code end} when it scores higher than the best one so far. */
    private static void relax(double[] best, int[] from, int[] piece, boolean[] reached, int start, int end, int id,
                              double score) {
        double total = best[start] + score;
        if (!reached[end] || total > best[end]) {
            reached[end] = true;
            best[end] = total;
            from[end] = start;
            piece[end] = id;
        }
    }

    /** The pieces joined, {@code ▁} read as a space, the space that begins the text dropped. */
    @Override
    public String decode(int[] idList) {
        StringBuilder sb = new StringBuilder();
        for (int id : idList) {
            sb.append(token(id));
        }
        String text = sb.toString().replace(metaspace.replacement(), ' ');
        return !metaspace.scheme().equals("never") && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("Unigram: id " + id + " is outside the vocabulary of " + pieces.length);
        }
        return pieces[id];
    }

    /** The id of piece {@code piece}, or -1. */
    public int id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? -1 : id;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    /** The {@code tokenizer.json} this model was read from (without its post-processor). */
    com.google.gson.JsonObject source() {
        return source.deepCopy();
    }

    /** Hugging Face's {@code tokenizer.json}, as read. */
    @Override
    public String toJson() {
        return HuggingFaceTokenizerJson.write(this);
    }

    @Override
    public String toString() {
        return "Unigram(" + pieces.length + " pieces)";
    }
}
