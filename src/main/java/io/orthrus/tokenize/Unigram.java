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
    private final Decoder decoder;
    private final AddedTokens added;
    private final AddedTokens plain;
    private final com.google.gson.JsonObject source;

    Unigram(List<String> pieces, List<Double> scores, int unknownId, UnaryOperator<String> normalizer, Metaspace metaspace,
            Decoder decoder, List<AddedTokens.Added> addedTokens, com.google.gson.JsonObject source) {
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
        this.decoder = decoder;
        this.added = new AddedTokens(addedTokens, normalizer);
        this.plain = added.withoutSpecial();
        this.source = source;
    }

    @Override
    public int[] encode(String text) {
        return encode(text, added);
    }

    /** The ids of {@code text}, special tokens ({@code <s>}, {@code </s>}, …) read as plain text. */
    @Override
    public int[] encodeAsText(String text) {
        return encode(text, plain);
    }

    private int[] encode(String text, AddedTokens matched) {
        return Metaspace.encode(text, matched, metaspace, this::viterbi);
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

    /** The text of {@code idList} as the file's decoder makes it (Metaspace: {@code ▁} read as a space). */
    @Override
    public String decode(int[] idList) {
        return Decoder.text(decoder, this, idList);
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

    /** Whether {@code id} is an added token marked special ({@code <s>}, {@code </s>}, {@code <unk>}, …). */
    @Override
    public boolean isSpecial(int id) {
        AddedTokens.Added a = added.byId(id);
        return a != null && a.special();
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
