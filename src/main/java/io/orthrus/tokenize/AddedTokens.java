package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Tokens matched whole in the text before the model sees it, as Hugging Face's {@code tokenizers}
 * does with a {@code tokenizer.json}'s {@code added_tokens}: first those with
 * {@code normalized: false} in the raw text, then, in each remaining piece once normalized, those
 * with {@code normalized: true} (their content normalized the same way). At each place the longest
 * token that starts there wins. A {@code single_word} token matches only between non-word
 * characters; {@code lstrip}/{@code rstrip} take the whitespace on their left/right into the match.
 */
final class AddedTokens {
    /**
     * One added token.
     *
     * @param id         its id
     * @param content    its text
     * @param singleWord matched only when not inside a word
     * @param lstrip     takes the whitespace before it
     * @param rstrip     takes the whitespace after it
     * @param normalized matched in the normalized text (else in the raw text)
     * @param special    a special token ([CLS], &lt;|endoftext|&gt;): skipped by decoders that skip specials
     */
    record Added(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized,
                 boolean special) {
        Added {
            if (content.isEmpty()) {
                throw new IllegalArgumentException("added token " + id + " is empty");
            }
        }

        /** A special token matched as written: what BERT's [MASK] and GPT-2's end-of-text token are. */
        static Added special(int id, String content) {
            return new Added(id, content, false, false, false, false, true);
        }
    }

    /** Receives the pieces of a text in order: plain text for the model, or an added token's id. */
    interface Sink {
        /** A piece for the pre-tokenizer and the model, already normalized. */
        void text(String piece);

        /** An added token. */
        void token(int id);
    }

    static final AddedTokens NONE = new AddedTokens(List.of(), UnaryOperator.identity());

    private final List<Added> tokens;
    private final List<Added> raw, normalized; // longest first
    private final List<String> normalizedContents;
    private final UnaryOperator<String> normalizer;
    private final java.util.Map<Integer, Added> byId = new java.util.HashMap<>();

    /** {@code tokens} for a tokenizer whose normalizer is {@code normalizer} (identity for none). */
    AddedTokens(List<Added> tokens, UnaryOperator<String> normalizer) {
        this.tokens = List.copyOf(tokens);
        this.normalizer = normalizer;
        for (Added a : tokens) {
            if (byId.put(a.id(), a) != null) {
                throw new IllegalArgumentException("added token id " + a.id() + " is given twice");
            }
        }
        Comparator<Added> longestFirst = Comparator.comparingInt((Added a) -> -a.content().length());
        this.raw = tokens.stream().filter(a -> !a.normalized()).sorted(longestFirst).toList();
        List<Added> norm = tokens.stream().filter(Added::normalized).toList();
        List<String> contents = norm.stream().map(a -> normalizer.apply(a.content())).toList();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < norm.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> -contents.get(i).length()));
        this.normalized = order.stream().map(norm::get).toList();
        this.normalizedContents = order.stream().map(contents::get).toList();
    }

    /** These tokens less the special ones, for reading special tokens in a text as plain text. */
    AddedTokens withoutSpecial() {
        return new AddedTokens(tokens.stream().filter(a -> !a.special()).toList(), normalizer);
    }

    /** The tokens, in the order given. */
    List<Added> tokens() {
        return tokens;
    }

    /** The added token with id {@code id}, or null. */
    Added byId(int id) {
        return byId.get(id);
    }

    /** Splits {@code text} into added tokens and normalized pieces of plain text, in order. */
    void split(String text, Sink sink) {
        match(text, raw, null, piece -> {
            String normal = normalizer.apply(piece);
            match(normal, normalized, normalizedContents, sink::text, sink::token);
        }, sink::token);
    }

    /** Leftmost-longest matches of {@code candidates} in {@code text}; the text between goes to {@code plain}. */
    private static void match(String text, List<Added> candidates, List<String> contents,
                              java.util.function.Consumer<String> plain, java.util.function.IntConsumer token) {
        int from = 0, at = 0;
        while (at < text.length() && !candidates.isEmpty()) {
            int found = -1;
            for (int k = 0; k < candidates.size() && found < 0; k++) {
                if (text.startsWith(contents == null ? candidates.get(k).content() : contents.get(k), at)) {
                    found = k;
                }
            }
            if (found < 0) {
                at++;
                continue;
            }
            Added a = candidates.get(found);
            int start = at, end = at + (contents == null ? a.content() : contents.get(found)).length();
            if (a.singleWord() && ((start > 0 && isWordChar(text.codePointBefore(start)))
                    || (end < text.length() && isWordChar(text.codePointAt(end))))) {
                at = end; // the match is consumed, as the reference's non-overlapping search does
                continue;
            }
            if (a.lstrip()) {
                while (start > from && BertUnicode.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (a.rstrip()) {
                while (end < text.length() && BertUnicode.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (from < start) {
                plain.accept(text.substring(from, start));
            }
            token.accept(a.id());
            from = at = end;
        }
        if (from < text.length() || text.isEmpty()) {
            plain.accept(text.substring(from));
        }
    }

    /** Regex {@code \w} in Unicode mode: letters, marks, digits, connector punctuation. */
    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.CONNECTOR_PUNCTUATION
                || Character.getType(cp) == Character.NON_SPACING_MARK || Character.getType(cp) == Character.COMBINING_SPACING_MARK
                || Character.getType(cp) == Character.ENCLOSING_MARK;
    }
}
