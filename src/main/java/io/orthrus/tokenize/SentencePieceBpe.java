package io.orthrus.tokenize;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * SentencePiece's BPE as Hugging Face's {@code tokenizers} runs it (Llama 2, Mistral, TinyLlama): the
 * text is normalized (the Llama 2 files put {@code ▁} first and turn spaces into {@code ▁}; newer ones
 * do it in a Metaspace pre-tokenizer instead), each character becomes its token, and the merges join
 * neighbours, lowest rank first. A character with no token of its own becomes the tokens of its UTF-8
 * bytes ({@code <0xE2>}, byte fallback) or, without them, the unknown token (one for a run of them when
 * unknowns are fused). Decoding undoes it with the file's decoder (bytes back to text, {@code ▁} back to
 * spaces, the first space dropped). Read from a {@code tokenizer.json} by {@link Tokenizers#load}.
 */
public final class SentencePieceBpe implements Tokenizer {
    /** Words at most this long are cached; the Llama 2 files have no pre-tokenizer, so a "word" can be a whole text. */
    private static final int CACHED_LENGTH = 256;
    private static final int CACHE_LIMIT = 100_000;

    private final String[] tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final BpeMerges merges;
    private final int unknownId;
    private final boolean fuseUnknown;
    private final int[] byteIds; // null without byte fallback, else the id of <0xHH> (-1 when absent)
    private final boolean ignoreMerges;
    private final Metaspace metaspace; // null: no pre-tokenizer
    private final Decoder decoder;
    private final AddedTokens added;
    private final AddedTokens plain;
    private final JsonObject source;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * How a model is put together (as its {@code tokenizer.json} says).
     *
     * @param unknown      the unknown token, or null for none (an unknown character is then left out)
     * @param fuseUnknown  whether unknown characters in a row share one unknown token
     * @param byteFallback whether an unknown character becomes the tokens of its bytes
     * @param ignoreMerges whether a word found whole in the vocabulary is taken before any merge
     * @param normalizer   what the text goes through first (identity for none)
     * @param metaspace    the pre-tokenizer, or null for none
     * @param decoder      the decoder, or null for none (tokens joined by spaces)
     */
    record Parts(String unknown, boolean fuseUnknown, boolean byteFallback, boolean ignoreMerges,
                 UnaryOperator<String> normalizer, Metaspace metaspace, Decoder decoder) {}

    SentencePieceBpe(String[] tokens, List<String[]> merges, List<AddedTokens.Added> addedTokens, Parts parts,
                     JsonObject source, String where) {
        this.tokens = tokens.clone();
        for (int id = 0; id < tokens.length; id++) {
            ids.put(tokens[id], id);
        }
        this.merges = new BpeMerges(merges, ids, where);
        if (parts.unknown() != null && !ids.containsKey(parts.unknown())) {
            throw new IllegalArgumentException(where + ": the unknown token '" + parts.unknown() + "' is not in the vocabulary");
        }
        this.unknownId = parts.unknown() == null ? -1 : ids.get(parts.unknown());
        this.fuseUnknown = parts.fuseUnknown();
        if (parts.byteFallback()) {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++) {
                byteIds[b] = ids.getOrDefault(Decoder.byteToken(b), -1);
            }
        } else {
            byteIds = null;
        }
        this.ignoreMerges = parts.ignoreMerges();
        this.metaspace = parts.metaspace();
        this.decoder = parts.decoder();
        for (AddedTokens.Added a : addedTokens) {
            if (a.id() < 0 || a.id() >= tokens.length || !tokens[a.id()].equals(a.content())) {
                throw new IllegalArgumentException(where + ": added token '" + a.content() + "' has id " + a.id()
                        + ", which the vocabulary gives to " + (a.id() >= 0 && a.id() < tokens.length
                        ? "'" + tokens[a.id()] + "'" : "no token"));
            }
        }
        this.added = new AddedTokens(addedTokens, parts.normalizer());
        this.plain = added.withoutSpecial();
        this.source = source;
    }

    /** The ids of {@code text}; the added tokens ({@code <s>}, …) are matched whole, special tokens are not added. */
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
        ByteLevelBpe.checkValidUnicode("SentencePieceBpe", text);
        return Metaspace.encode(text, matched, metaspace, this::word);
    }

    private void word(String word, List<Integer> out) {
        if (word.isEmpty()) {
            return;
        }
        int[] cached = cache.get(word);
        if (cached == null) {
            cached = bpe(word);
            if (word.length() <= CACHED_LENGTH) {
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(word, cached);
            }
        }
        for (int id : cached) {
            out.add(id);
        }
    }

    /** The tokens of one word: its characters' (or their bytes', or the unknown token), merged. */
    private int[] bpe(String word) {
        Integer whole = ignoreMerges ? ids.get(word) : null;
        if (whole != null) {
            return new int[] {whole};
        }
        int[] symbols = new int[word.length()];
        int n = 0;
        boolean pendingUnknown = false;
        for (int i = 0; i < word.length(); ) {
            int end = i + Character.charCount(word.codePointAt(i));
            Integer id = ids.get(word.substring(i, end));
            if (id != null) {
                if (pendingUnknown) {
                    symbols = room(symbols, n + 1);
                    symbols[n++] = unknownId;
                    pendingUnknown = false;
                }
                symbols = room(symbols, n + 1);
                symbols[n++] = id;
            } else if (byteIds != null && hasBytes(word, i, end)) {
                // As tokenizers: a pending unknown token is not written before byte tokens, only before the next known one.
                for (byte b : word.substring(i, end).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    symbols = room(symbols, n + 1);
                    symbols[n++] = byteIds[b & 0xFF];
                }
            } else if (unknownId >= 0) {
                if (pendingUnknown && !fuseUnknown) {
                    symbols = room(symbols, n + 1);
                    symbols[n++] = unknownId;
                }
                pendingUnknown = true;
            }
            i = end;
        }
        if (pendingUnknown) {
            symbols = room(symbols, n + 1);
            symbols[n++] = unknownId;
        }
        return merges.apply(java.util.Arrays.copyOf(symbols, n));
    }

    private static int[] room(int[] symbols, int size) {
        return size <= symbols.length ? symbols : java.util.Arrays.copyOf(symbols, Math.max(size, symbols.length * 2));
    }

    private boolean hasBytes(String word, int start, int end) {
        for (byte b : word.substring(start, end).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (byteIds[b & 0xFF] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The text of {@code ids} as the file's decoder makes it (special tokens written as their text). */
    @Override
    public String decode(int[] idList) {
        return Decoder.text(decoder, this, idList);
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("SentencePieceBpe: id " + id + " is outside the vocabulary of " + tokens.length);
        }
        return tokens[id];
    }

    /** The id of token {@code token}, or -1. */
    public int id(String token) {
        Integer id = ids.get(token);
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
        return tokens.length;
    }

    /** The {@code tokenizer.json} this model was read from (without its post-processor). */
    JsonObject source() {
        return source.deepCopy();
    }

    /** Hugging Face's {@code tokenizer.json}, as read. */
    @Override
    public String toJson() {
        return HuggingFaceTokenizerJson.write(this);
    }

    @Override
    public String toString() {
        return "SentencePieceBpe(" + tokens.length + " tokens)";
    }
}
