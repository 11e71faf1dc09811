package io.orthrus.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's WordPiece tokenizer: {@link BertPreTokenizer} splits text into words and punctuation,
 * then each word is cut greedily into the longest pieces found in the vocabulary, pieces after
 * the first carrying the {@code ##} prefix ("unaffable" → {@code una ##ffa ##ble}). A word with
 * a character no piece covers, or longer than 100 characters, becomes {@code [UNK]} as a whole.
 *
 * <p>The five special tokens {@code [PAD] [UNK] [CLS] [SEP] [MASK]} must be in the vocabulary.
 * When they appear literally in the text (in capitals, as Hugging Face's tokenizer does) they are
 * kept as one token, so {@code "the [MASK] sat"} encodes the mask id; a {@code tokenizer.json} may
 * list other such added tokens, which are matched as {@code tokenizers} matches them.
 *
 * <p>Load a BERT {@code vocab.txt} with {@link #load}, or {@link #train} a vocabulary on your own
 * corpus. {@link #encode(String, int)} and {@link #encodePair} add {@code [CLS]}/{@code [SEP]}
 * and segment ids; {@code io.orthrus.data.TokenBatch#of} pads encodings into a batch.
 */
public final class WordPiece implements EncoderTokenizer {
    /** Padding. */
    public static final String PAD = "[PAD]";
    /** Unknown word. */
    public static final String UNK = "[UNK]";
    /** Start of the input; its final vector is the pooled sentence vector. */
    public static final String CLS = "[CLS]";
    /** End of a segment. */
    public static final String SEP = "[SEP]";
    /** The masked-LM placeholder. */
    public static final String MASK = "[MASK]";
    /** Prefix of a piece that continues a word. */
    public static final String CONTINUATION = "##";
    /** Words longer than this many code points become {@code [UNK]}, as in the reference. */
    public static final int MAX_WORD_CHARS = 100;
    static final String TYPE = "wordpiece";
    private static final List<String> SPECIALS = List.of(PAD, UNK, CLS, SEP, MASK);

    private final String[] vocab;
    private final Map<String, Integer> ids;
    private final BertPreTokenizer preTokenizer;
    private final int pad, unk, cls, sep, mask;
    /** Tokens matched whole before normalization: the five specials, or a tokenizer.json's added_tokens. */
    private final AddedTokens added;
    private final AddedTokens plain;
    private final TruncationSide truncationSide;

    /** {@code other} truncating from {@code side}. */
    private WordPiece(WordPiece other, TruncationSide side) {
        this.vocab = other.vocab;
        this.ids = other.ids;
        this.preTokenizer = other.preTokenizer;
        this.pad = other.pad;
        this.unk = other.unk;
        this.cls = other.cls;
        this.sep = other.sep;
        this.mask = other.mask;
        this.added = other.added;
        this.plain = other.plain;
        this.truncationSide = side;
    }

    private WordPiece(String[] vocab, BertPreTokenizer preTokenizer, String origin) {
        this(vocab, preTokenizer, null, origin);
    }

    /** With {@code addedTokens} null: the five special tokens, matched as written. */
    private WordPiece(String[] vocab, BertPreTokenizer preTokenizer, List<AddedTokens.Added> addedTokens, String origin) {
        this.vocab = vocab;
        this.preTokenizer = preTokenizer;
        this.ids = new HashMap<>(vocab.length * 2);
        for (int i = 0; i < vocab.length; i++) {
            if (vocab[i].isEmpty()) {
                throw new IllegalArgumentException(origin + ": entry " + (i + 1) + " is empty");
            }
            Integer previous = ids.put(vocab[i], i);
            if (previous != null) {
                throw new IllegalArgumentException(origin + ": token '" + vocab[i] + "' appears twice, at entries "
                        + (previous + 1) + " and " + (i + 1));
            }
        }
        List<String> missing = SPECIALS.stream().filter(s -> !ids.containsKey(s)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(origin + ": the vocabulary lacks the special token(s) " + missing
                    + "; a BERT vocabulary needs all of " + SPECIALS);
        }
        this.pad = ids.get(PAD);
        this.unk = ids.get(UNK);
        this.cls = ids.get(CLS);
        this.sep = ids.get(SEP);
        this.mask = ids.get(MASK);
        List<AddedTokens.Added> tokens = addedTokens != null ? addedTokens
                : SPECIALS.stream().map(t -> AddedTokens.Added.special(ids.get(t), t)).toList();
        for (AddedTokens.Added a : tokens) {
            if (a.id() < 0 || a.id() >= vocab.length || !vocab[a.id()].equals(a.content())) {
                throw new IllegalArgumentException(origin + ": added token '" + a.content() + "' has id " + a.id()
                        + ", which the vocabulary gives to " + (a.id() >= 0 && a.id() < vocab.length ? "'"
                        + vocab[a.id()] + "'" : "no token"));
            }
        }
        this.added = new AddedTokens(tokens, preTokenizer::normalize);
        this.plain = added.withoutSpecial();
        this.truncationSide = TruncationSide.RIGHT;
    }

    @Override
    public TruncationSide truncationSide() {
        return truncationSide;
    }

    @Override
    public WordPiece withTruncationSide(TruncationSide side) {
        return side == truncationSide ? this : new WordPiece(this, side);
    }

    /**
     * A tokenizer whose added tokens ({@code tokenizer.json}'s {@code added_tokens}) are
     * {@code addedTokens} instead of the five specials; {@code vocab} must hold them at their ids.
     */
    static WordPiece withAddedTokens(List<String> vocab, boolean lowerCase, boolean stripAccents,
                                     List<AddedTokens.Added> addedTokens) {
        return new WordPiece(vocab.toArray(String[]::new), new BertPreTokenizer(lowerCase, stripAccents), addedTokens,
                "WordPiece vocabulary");
    }

    /** The tokens matched whole in the text before normalization and pre-tokenization. */
    AddedTokens addedTokens() {
        return added;
    }

    /**
     * Reads a BERT {@code vocab.txt}: one token per line, the line number (from 0) being its id.
     * A trailing carriage return is removed from each line.
     *
     * @param lowerCase true for "uncased" models (lower-case and strip accents), false for cased ones
     */
    public static WordPiece load(Path vocabFile, boolean lowerCase) throws IOException {
        return load(vocabFile, lowerCase, lowerCase);
    }

    /** As {@link #load(Path, boolean)}, with accent stripping chosen apart from lower-casing (Hugging Face's {@code strip_accents}). */
    public static WordPiece load(Path vocabFile, boolean lowerCase, boolean stripAccents) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(JsonFiles.regularFile(vocabFile), StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(vocabFile + ": not valid UTF-8 text", e);
        }
        String[] vocab = new String[lines.size()];
        for (int i = 0; i < vocab.length; i++) {
            String line = lines.get(i);
            vocab[i] = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }
        return new WordPiece(vocab, new BertPreTokenizer(lowerCase, stripAccents), vocabFile.toString());
    }

    /** The tokenizer of {@code vocab} (id = index), which must hold the five special tokens. */
    public static WordPiece of(List<String> vocab, boolean lowerCase) {
        return of(vocab, lowerCase, lowerCase);
    }

    /** As {@link #of(List, boolean)}, with accent stripping chosen apart from lower-casing. */
    public static WordPiece of(List<String> vocab, boolean lowerCase, boolean stripAccents) {
        return new WordPiece(vocab.toArray(String[]::new), new BertPreTokenizer(lowerCase, stripAccents),
                "WordPiece vocabulary");
    }

    /**
     * Learns a vocabulary of {@code vocabSize} tokens from {@code texts}; see
     * {@link WordPieceTrainer} for the algorithm.
     */
    public static WordPiece train(Iterable<String> texts, int vocabSize, boolean lowerCase) {
        BertPreTokenizer pre = new BertPreTokenizer(lowerCase);
        List<String> vocab = WordPieceTrainer.train(texts, pre, vocabSize, SPECIALS);
        return new WordPiece(vocab.toArray(String[]::new), pre, "trained WordPiece vocabulary");
    }

    /** The pieces of {@code text}, without {@code [CLS]}/{@code [SEP]}. */
    public List<String> tokenize(String text) {
        return tokenize(text, added);
    }

    /** The ids of {@code text}, special tokens ({@code [CLS]}, {@code [MASK]}, …) read as plain text. */
    @Override
    public int[] encodeAsText(String text) {
        return toIds(tokenize(text, plain));
    }

    private List<String> tokenize(String text, AddedTokens matched) {
        List<String> out = new ArrayList<>();
        matched.split(text, new AddedTokens.Sink() {
            @Override
            public void text(String normalized) {
                for (String word : preTokenizer.preTokenize(normalized)) {
                    splitWord(word, out);
                }
            }

            @Override
            public void token(int id) {
                out.add(vocab[id]);
            }
        });
        return out;
    }

    /** Greedy longest-match-first, as the reference WordpieceTokenizer. */
    private void splitWord(String word, List<String> out) {
        int length = word.codePointCount(0, word.length());
        if (length > MAX_WORD_CHARS) {
            out.add(UNK);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            String piece = null;
            int end = word.length();
            while (end > start) {
                String candidate = start > 0 ? CONTINUATION + word.substring(start, end) : word.substring(start, end);
                if (ids.containsKey(candidate)) {
                    piece = candidate;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (piece == null) {
                out.subList(mark, out.size()).clear();
                out.add(UNK);
                return;
            }
            out.add(piece);
            start = end;
        }
    }

    @Override
    public int[] encode(String text) {
        return toIds(tokenize(text));
    }

    /** The ids of {@code tokens}; an unknown token throws. */
    public int[] toIds(List<String> tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(tokens.get(i));
            if (id == null) {
                throw new IllegalArgumentException("WordPiece: token '" + tokens.get(i) + "' at position " + i
                        + " is not in the vocabulary");
            }
            out[i] = id;
        }
        return out;
    }

    /** {@code [CLS] text [SEP]}, cut to at most {@code maxLength} ids (the end of the text is dropped). */
    @Override
    public Encoding encode(String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("WordPiece.encode: maxLength must be at least 2 for [CLS] and [SEP], got "
                    + maxLength);
        }
        return Truncation.single(encode(text), maxLength, cls, sep, truncationSide == TruncationSide.LEFT);
    }

    /**
     * {@code [CLS] a [SEP] b [SEP]} with segment ids 0 for the first part and 1 for the second, cut
     * to at most {@code maxLength} ids from the end of the parts as {@code transformers}' BertTokenizer
     * does ({@code truncation="longest_first"}): only the longer part when that is enough, else the
     * shorter part (the first, on a tie) keeps half of the room and the other the rest.
     */
    @Override
    public Encoding encodePair(String a, String b, int maxLength) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("WordPiece.encodePair: maxLength must be at least 3 for [CLS] and two "
                    + "[SEP], got " + maxLength);
        }
        return Truncation.pair(encode(a), encode(b), maxLength, cls, sep, 1, 1, truncationSide == TruncationSide.LEFT);
    }

    /**
     * The text of {@code ids}: tokens joined by spaces, with each {@code ##} piece glued to the one
     * before ({@code "hello , world !"}; the reference's optional clean-up of spaces before
     * punctuation is not applied). Special tokens are written as themselves.
     */
    @Override
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokenIds.length; i++) {
            String token = token(tokenIds[i], i);
            if (token.startsWith(CONTINUATION) && sb.length() > 0) {
                sb.append(token, CONTINUATION.length(), token.length());
            } else {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(token);
            }
        }
        return sb.toString();
    }

    /** The token of id {@code id}. */
    public String token(int id) {
        return token(id, -1);
    }

    private String token(int id, int position) {
        if (id < 0 || id >= vocab.length) {
            throw new IllegalArgumentException("WordPiece: id " + id + (position >= 0 ? " at position " + position : "")
                    + " is out of range [0, " + vocab.length + ")");
        }
        return vocab[id];
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** Whether {@code id} is a piece that continues a word ({@code ##...}): whole-word masking keeps such pieces with their word. */
    public boolean isContinuation(int id) {
        return token(id).startsWith(CONTINUATION);
    }

    /** Whether {@code id} is one of the five special tokens. */
    @Override
    public boolean isSpecial(int id) {
        return id == pad || id == unk || id == cls || id == sep || id == mask;
    }

    @Override
    public int vocabSize() {
        return vocab.length;
    }

    /** Id of {@code [PAD]}. */
    @Override
    public int padId() {
        return pad;
    }

    /** Id of {@code [UNK]}. */
    public int unknownId() {
        return unk;
    }

    /** Id of {@code [CLS]}. */
    public int clsId() {
        return cls;
    }

    /** Id of {@code [SEP]}. */
    public int sepId() {
        return sep;
    }

    /** Id of {@code [MASK]}. */
    public int maskId() {
        return mask;
    }

    /** Whether text is lower-cased ("uncased"). */
    public boolean lowerCase() {
        return preTokenizer.lowerCase();
    }

    /** Whether accents are stripped (by default exactly when text is lower-cased). */
    public boolean stripAccents() {
        return preTokenizer.stripAccents();
    }

    /** Writes the vocabulary as a BERT {@code vocab.txt} (one token per line, in id order), atomically. */
    public void writeVocab(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String token : vocab) {
            sb.append(token).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    @Override
    public String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("type", TYPE);
        json.addProperty("lower_case", preTokenizer.lowerCase());
        json.addProperty("strip_accents", preTokenizer.stripAccents());
        JsonArray array = new JsonArray(vocab.length);
        for (String token : vocab) {
            array.add(token);
        }
        json.add("vocab", array);
        return json.toString();
    }

    static WordPiece fromJson(JsonObject json) {
        JsonArray array = json.getAsJsonArray("vocab");
        if (array == null || !json.has("lower_case")) {
            throw new IllegalArgumentException("WordPiece JSON: needs a 'vocab' array and a 'lower_case' flag");
        }
        boolean lower = json.get("lower_case").getAsBoolean();
        boolean strip = json.has("strip_accents") ? json.get("strip_accents").getAsBoolean() : lower;
        String[] vocab = new String[array.size()];
        int i = 0;
        for (JsonElement e : array) {
            vocab[i++] = e.getAsString();
        }
        return new WordPiece(vocab, new BertPreTokenizer(lower, strip), "WordPiece JSON");
    }

    @Override
    public String toString() {
        return "WordPiece(" + vocab.length + " tokens, " + (lowerCase() ? "uncased" : "cased") + ")";
    }
}
