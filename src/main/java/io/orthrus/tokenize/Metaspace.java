package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code tokenizers}' Metaspace pre-tokenizer, SentencePiece's way of making words: spaces become
 * {@code replacement} ({@code ▁}), which also begins the text by {@code scheme} ({@code always}, {@code first}:
 * only at the start of the whole text, {@code never}); with {@code split}, each word begins at a
 * replacement character. {@code whitespaceSplitFirst}: a WhitespaceSplit runs before it.
 */
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

    /**
     * The ids of {@code text} for a SentencePiece model: the added tokens {@code matched} finds, and each
     * piece between them cut into words by {@code metaspace} (whole when it is null, a model without a
     * pre-tokenizer) and given to {@code model}, which appends the word's ids.
     */
    static int[] encode(String text, AddedTokens matched, Metaspace metaspace,
                        java.util.function.BiConsumer<String, List<Integer>> model) {
        List<Integer> out = new ArrayList<>();
        boolean[] first = {true};
        matched.split(text, new AddedTokens.Sink() {
            @Override
            public void text(String piece) {
                if (metaspace == null) {
                    model.accept(piece, out);
                } else {
                    for (String word : metaspace.words(piece, first[0])) {
                        model.accept(word, out);
                    }
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
}
