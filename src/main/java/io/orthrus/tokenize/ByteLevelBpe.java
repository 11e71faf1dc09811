package io.orthrus.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level byte-pair encoding (Radford et al., 2019), equal to the reference encoder.
 *
 * <p>Text is cut into pieces by GPT-2's pattern (English contractions, runs of letters, runs of
 * digits, runs of other symbols, each optionally led by one space; runs of whitespace), each piece
 * is turned into its UTF-8 bytes, each byte into one printable character of a fixed 256-character
 * alphabet (so that no byte is lost or needs escaping), and the characters are merged pairwise in
 * the order of the merge list (lowest rank first) until no listed pair is left. Any Unicode text can
 * be encoded, and {@code decode(encode(s))} is {@code s}.
 *
 * <p>Special tokens ({@code <|endoftext|>}) are matched only when the caller allows it
 * ({@link #encode(String, boolean)}); by default they are encoded as the text they are made of.
 *
 * <p>Loaded from OpenAI's {@code encoder.json} + {@code vocab.bpe} or Hugging Face's
 * {@code vocab.json} + {@code merges.txt} (the same formats under other names).
 */
public final class ByteLevelBpe implements Tokenizer {
    /** The {@code "type"} of the JSON form. */
    public static final String TYPE = "byte-level-bpe";
    /** GPT-2's end-of-text token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /**
     * GPT-2's pre-tokenization pattern, with Python's Unicode {@code \s} spelled as the White_Space
     * property (Java's {@code \s} is ASCII-only by default).
     */
    private static final Pattern PIECES = Pattern.compile("'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+"
            + "| ?[^\\p{IsWhite_Space}\\p{L}\\p{N}]+|\\p{IsWhite_Space}+(?![^\\p{IsWhite_Space}])|\\p{IsWhite_Space}+");
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[324];
    private static final int CACHE_LIMIT = 100_000;

    static {
        // Printable bytes stand for themselves; the other 68 take the characters from U+0100 on.
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /**
     * How a tokenizer.json's byte-level BPE departs from GPT-2's (Llama 3, Qwen2): its own {@code Split}
     * regex in the {@code tokenizers} library's syntax (matches and the text between them are the
     * pieces), NFC normalisation before it, and pieces found whole in the vocabulary taken before any
     * merge ({@code ignore_merges}).
     */
    record Options(String splitRegex, boolean nfc, boolean ignoreMerges) {
        /** GPT-2's: its own pattern, no normalisation, merges always applied. */
        static final Options GPT2 = new Options(null, false, false);

        /** The pieces' pattern: a Split regex read with Unicode classes, as the Oniguruma engine of {@code tokenizers} does. */
        Pattern pattern() {
            return splitRegex == null ? PIECES : Pattern.compile(splitRegex, Pattern.UNICODE_CHARACTER_CLASS);
        }
    }

    private final String[] tokens; // id -> byte-level string
    private final Options options;
    private final Pattern pieces;
    private final Map<String, Integer> ids;
    private final List<String> merges; // "left right", rank = index
    private final BpeMerges bpeMerges;
    private final Map<String, Integer> special;
    /** Tokens matched whole in every text (a tokenizer.json's added_tokens), and those plus the special tokens. */
    private final AddedTokens added, addedAndSpecial, plain;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ByteLevelBpe(Map<String, Integer> vocabulary, List<String> merges, String source) {
        this(vocabulary, merges, List.of(), source, Options.GPT2);
    }

    private ByteLevelBpe(Map<String, Integer> vocabulary, List<String> merges, List<AddedTokens.Added> addedTokens,
                         String source, Options options) {
        this.options = options;
        try {
            this.pieces = options.pattern();
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException(source + ": the Split regex '" + options.splitRegex() + "' is not one Java reads: "
                    + e.getDescription());
        }
        int n = vocabulary.size();
        this.tokens = new String[n];
        vocabulary.forEach((token, id) -> {
            if (id == null || id < 0 || id >= n || tokens[id] != null) {
                throw new IllegalArgumentException(source + ": token ids must be 0.." + (n - 1) + " with no repeats; '"
                        + token + "' has id " + id);
            }
            tokens[id] = token;
        });
        this.ids = new HashMap<>(vocabulary);
        this.merges = List.copyOf(merges);
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            int space = merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(source + ": merge " + (rank + 1) + " '" + merge
                        + "' is not two tokens separated by one space");
            }
            pairs.add(new String[] {merge.substring(0, space), merge.substring(space + 1)});
        }
        this.bpeMerges = new BpeMerges(pairs, ids, source);
        this.special = new LinkedHashMap<>();
        if (ids.containsKey(END_OF_TEXT)) {
            special.put(END_OF_TEXT, ids.get(END_OF_TEXT));
        }
        for (AddedTokens.Added a : addedTokens) {
            if (a.id() < 0 || a.id() >= n || !tokens[a.id()].equals(a.content())) {
                throw new IllegalArgumentException(source + ": added token '" + a.content() + "' has id " + a.id()
                        + ", which the vocabulary gives to " + (a.id() >= 0 && a.id() < n ? "'" + tokens[a.id()] + "'"
                        : "no token"));
            }
            if (a.special()) {
                special.put(a.content(), a.id());
            }
        }
        this.added = new AddedTokens(addedTokens, java.util.function.UnaryOperator.identity());
        List<AddedTokens.Added> withSpecial = new ArrayList<>(addedTokens);
        special.forEach((token, id) -> {
            if (addedTokens.stream().noneMatch(a -> a.id() == id)) {
                withSpecial.add(AddedTokens.Added.special(id, token));
            }
        });
        this.addedAndSpecial = new AddedTokens(withSpecial, java.util.function.UnaryOperator.identity());
        this.plain = added.withoutSpecial();
    }

    /**
     * Loads the tokenizer files in {@code directory}: {@code encoder.json} + {@code vocab.bpe}
     * (OpenAI's GPT-2 release) or {@code vocab.json} + {@code merges.txt} (Hugging Face).
     */
    public static ByteLevelBpe load(Path directory) throws IOException {
        for (String[] names : new String[][] {{"encoder.json", "vocab.bpe"}, {"vocab.json", "merges.txt"}}) {
            Path vocab = directory.resolve(names[0]), merges = directory.resolve(names[1]);
            if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
                return load(vocab, merges);
            }
        }
        throw new IllegalArgumentException("ByteLevelBpe: " + directory + " holds neither encoder.json + vocab.bpe nor"
                + " vocab.json + merges.txt");
    }

    /** Loads a vocabulary ({@code token → id} JSON object) and a merge list (one "left right" per line). */
    public static ByteLevelBpe load(Path vocabularyJson, Path mergesFile) throws IOException {
        Map<String, Integer> vocabulary = new LinkedHashMap<>();
        try {
            Path file = JsonFiles.regularFile(vocabularyJson);
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException(vocabularyJson + ": expected a JSON object of token → id");
            }
            for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
                if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isNumber()) {
                    throw new IllegalArgumentException(vocabularyJson + ": the id of '" + e.getKey() + "' is not a number");
                }
                vocabulary.put(e.getKey(), e.getValue().getAsInt());
            }
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(vocabularyJson + ": not valid JSON: " + JsonFiles.describe(e), e);
        }
        List<String> merges = new ArrayList<>();
        List<String> lines = Files.readAllLines(JsonFiles.regularFile(mergesFile), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(mergesFile + ": line " + (i + 1) + " '" + line
                        + "' is not two tokens separated by one space");
            }
            merges.add(line);
        }
        return new ByteLevelBpe(vocabulary, merges, vocabularyJson.getFileName() + " + " + mergesFile.getFileName());
    }

    /**
     * Learns a byte-level BPE vocabulary of {@code vocabSize} tokens from {@code corpus}: the 256
     * bytes, then merges, then {@link #END_OF_TEXT}. The corpus is cut into pieces by GPT-2's
     * pattern, and the most frequent adjacent pair of symbols within a piece is merged, again and
     * again. Pair counts are kept up to date incrementally: a merge only revisits the pieces that
     * contain the merged pair, and a priority queue (with stale entries skipped) yields the next most
     * frequent pair, so no merge recounts the corpus. Ties go to the pair whose left symbol, then right
     * symbol, comes first in string order (of the byte-level forms). Training stops
     * early when no pair occurs at least {@code minFrequency} times.
     */
    public static ByteLevelBpe train(String corpus, int vocabSize, int minFrequency) {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("ByteLevelBpe.train: vocabSize must be at least 257 (256 bytes and "
                    + END_OF_TEXT + "), got " + vocabSize);
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("ByteLevelBpe.train: minFrequency must be >= 1, got " + minFrequency);
        }
        checkValidUnicode("ByteLevelBpe", corpus);
        return new BpeTrainer(corpus, vocabSize, Math.max(1, minFrequency)).train();
    }

    /** The byte-level symbol strings of a text's pieces, with their counts, in order of first appearance. */
    static Map<String, Integer> pieceCounts(String text) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            counts.merge(byteLevel(m.group()), 1, Integer::sum);
        }
        return counts;
    }

    /** {@code piece} in the byte alphabet: one character per UTF-8 byte. */
    static String byteLevel(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** The 256 byte symbols in byte order. */
    static String byteSymbol(int b) {
        return String.valueOf(BYTE_TO_CHAR[b]);
    }

    /** A tokenizer from a vocabulary (token → id) and merges ("left right", by rank); {@code source} names them in errors. */
    static ByteLevelBpe of(Map<String, Integer> vocabulary, List<String> merges, String source) {
        return new ByteLevelBpe(vocabulary, merges, source);
    }

    /** As {@link #of(Map, List, String)}, with tokens every text is split on first (a tokenizer.json's added_tokens). */
    static ByteLevelBpe of(Map<String, Integer> vocabulary, List<String> merges, List<AddedTokens.Added> added,
                           String source) {
        return new ByteLevelBpe(vocabulary, merges, added, source, Options.GPT2);
    }

    /** As {@link #of(Map, List, List, String)}, pre-tokenized and merged as {@code options} say. */
    static ByteLevelBpe of(Map<String, Integer> vocabulary, List<String> merges, List<AddedTokens.Added> added,
                           String source, Options options) {
        return new ByteLevelBpe(vocabulary, merges, added, source, options);
    }

    /** How this tokenizer pre-tokenizes and merges. */
    Options options() {
        return options;
    }

    /** The tokens matched whole in every text, before byte-level BPE (none unless read from a tokenizer.json). */
    AddedTokens addedTokens() {
        return added;
    }

    /** A tokenizer from a trained vocabulary (ids in list order) and merges. */
    static ByteLevelBpe of(List<String> vocabulary, List<String> merges) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String token : vocabulary) {
            ids.put(token, ids.size());
        }
        return new ByteLevelBpe(ids, merges, "ByteLevelBpe.train");
    }

    /** The ids of {@code text}, special tokens encoded as ordinary text. */
    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The ids of {@code text}; with {@code allowSpecial}, each occurrence of a special token
     * ({@code <|endoftext|>}) becomes its single id instead of the ids of its characters. The
     * added tokens of a {@code tokenizer.json} are matched whole either way, as {@code tokenizers} does.
     */
    public int[] encode(String text, boolean allowSpecial) {
        return encode(text, allowSpecial ? addedAndSpecial : added);
    }

    /** The ids of {@code text}, special tokens (its added ones marked special, {@code <|endoftext|>}) as plain text. */
    @Override
    public int[] encodeAsText(String text) {
        return encode(text, plain);
    }

    private int[] encode(String text, AddedTokens matched) {
        checkValidUnicode("ByteLevelBpe", text);
        List<Integer> out = new ArrayList<>();
        matched.split(text, new AddedTokens.Sink() {
            @Override
            public void text(String piece) {
                encodeOrdinary(piece, out);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private void encodeOrdinary(String raw, List<Integer> out) {
        String text = options.nfc() ? java.text.Normalizer.normalize(raw, java.text.Normalizer.Form.NFC) : raw;
        // A Split regex sees letters and numbers as tokenizers does, whatever Unicode version this JDK has.
        Matcher m = pieces.matcher(options.splitRegex() == null ? text : SplitUnicode.proxied(text));
        int last = 0;
        while (m.find()) { // the matches and any text between them ("Isolated"; GPT-2's pattern leaves none)
            if (m.start() > last) {
                addAll(piece(text.substring(last, m.start())), out);
            }
            if (m.end() > m.start()) {
                addAll(piece(text.substring(m.start(), m.end())), out); // the original, not a stand-in
            }
            last = m.end();
        }
        if (last < text.length()) {
            addAll(piece(text.substring(last)), out);
        }
    }

    private static void addAll(int[] ids, List<Integer> out) {
        for (int id : ids) {
            out.add(id);
        }
    }

    /** The ids of one pre-tokenized piece, cached. */
    private int[] piece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        String chars = byteLevel(piece);
        Integer whole = options.ignoreMerges() ? ids.get(chars) : null;
        if (whole != null) {
            return new int[] {whole};
        }
        int[] symbols = new int[chars.length()];
        for (int i = 0; i < symbols.length; i++) {
            Integer id = ids.get(String.valueOf(chars.charAt(i)));
            if (id == null) {
                throw new IllegalStateException("ByteLevelBpe: the vocabulary has no token '" + chars.charAt(i)
                        + "' (every single byte must be in it)");
            }
            symbols[i] = id;
        }
        int[] result = bpeMerges.apply(symbols);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(piece, result);
        return result;
    }

    /** Refuses a text with an unpaired surrogate, which has no UTF-8 bytes; {@code who} begins the message. */
    static void checkValidUnicode(String who, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(who + ": the text has an unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i
                        + "; it is not valid Unicode and has no UTF-8 bytes");
            }
        }
    }

    /** The text of {@code ids}; byte sequences that are not valid UTF-8 become U+FFFD, as in the reference. */
    @Override
    public String decode(int[] idList) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : idList) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("ByteLevelBpe: id " + id + " is outside the vocabulary of "
                        + tokens.length);
            }
            String token = tokens[id];
            if (special.containsKey(token) || added.byId(id) != null) { // written as text, not as byte symbols
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                if (b < 0) {
                    throw new IllegalArgumentException("ByteLevelBpe: token " + id + " '" + token
                            + "' has a character outside the byte alphabet");
                }
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Whether {@code id} is {@code <|endoftext|>} or an added token marked special. */
    @Override
    public boolean isSpecial(int id) {
        return special.containsValue(id);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /** Whether the vocabulary has special token {@code token}, such as {@link #END_OF_TEXT}. */
    public boolean hasSpecial(String token) {
        return special.containsKey(token);
    }

    /** The id of special token {@code token}; throws when the vocabulary has none. */
    public int specialId(String token) {
        Integer id = special.get(token);
        if (id == null) {
            throw new IllegalArgumentException("ByteLevelBpe: no special token '" + token + "'; known: " + special.keySet());
        }
        return id;
    }

    /** The byte-level form of token {@code id} (as written in the vocabulary file, e.g. "Ġthe"). */
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("ByteLevelBpe: id " + id + " is outside the vocabulary of " + tokens.length);
        }
        return tokens[id];
    }

    /** Number of merges. */
    public int mergeCount() {
        return merges.size();
    }

    /**
     * Writes Hugging Face's {@code vocab.json} (token → id) and {@code merges.txt} into
     * {@code directory}, each atomically; {@link #load(Path)} reads them back.
     */
    public void saveHuggingFace(Path directory) throws IOException {
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < tokens.length; id++) {
            vocab.addProperty(tokens[id], id);
        }
        AtomicFiles.writeString(directory.resolve("vocab.json"), vocab.toString());
        AtomicFiles.writeString(directory.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    /** The merges, "left right", by rank. */
    List<String> merges() {
        return merges;
    }

    @Override
    public String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("type", TYPE);
        JsonArray vocab = new JsonArray(tokens.length);
        for (String token : tokens) {
            vocab.add(token);
        }
        json.add("vocab", vocab);
        JsonArray mergeArray = new JsonArray(merges.size());
        merges.forEach(mergeArray::add);
        json.add("merges", mergeArray);
        if (options.splitRegex() != null) {
            json.addProperty("split_regex", options.splitRegex());
        }
        if (options.nfc()) {
            json.addProperty("nfc", true);
        }
        if (options.ignoreMerges()) {
            json.addProperty("ignore_merges", true);
        }
        return json.toString();
    }

    static ByteLevelBpe fromJson(JsonObject json) {
        JsonArray vocab = json.getAsJsonArray("vocab"), mergeArray = json.getAsJsonArray("merges");
        if (vocab == null || mergeArray == null) {
            throw new IllegalArgumentException("Tokenizer JSON: a " + TYPE + " needs 'vocab' and 'merges' arrays");
        }
        Map<String, Integer> vocabulary = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            vocabulary.put(vocab.get(i).getAsString(), i);
        }
        List<String> merges = new ArrayList<>(mergeArray.size());
        mergeArray.forEach(e -> merges.add(e.getAsString()));
        Options options = new Options(json.has("split_regex") ? json.get("split_regex").getAsString() : null,
                json.has("nfc") && json.get("nfc").getAsBoolean(),
                json.has("ignore_merges") && json.get("ignore_merges").getAsBoolean());
        return new ByteLevelBpe(vocabulary, merges, List.of(), "Tokenizer JSON", options);
    }

    @Override
    public String toString() {
        return "ByteLevelBpe(" + tokens.length + " tokens, " + merges.size() + " merges)";
    }
}
