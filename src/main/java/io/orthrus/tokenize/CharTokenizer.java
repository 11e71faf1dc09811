package io.orthrus.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One token per Unicode code point (not per Java {@code char}, so characters outside the BMP are
 * one token): the vocabulary is the sorted set of code points of a corpus, as in nanoGPT's
 * character-level Shakespeare. Its {@code tokenizer.json} is a BPE without merges whose tokens are
 * the characters, which Hugging Face's {@code tokenizers} reads with the same ids.
 */
public final class CharTokenizer implements Tokenizer {
    static final String TYPE = "char";

    private final int[] codePoints; // id -> code point, sorted
    private final Map<Integer, Integer> ids = new HashMap<>();

    private CharTokenizer(int[] codePoints) {
        this.codePoints = codePoints;
        for (int i = 0; i < codePoints.length; i++) {
            ids.put(codePoints[i], i);
        }
    }

    /** The tokenizer whose vocabulary is every distinct code point of {@code corpus}, in code-point order. */
    public static CharTokenizer fromCorpus(String corpus) {
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("CharTokenizer.fromCorpus: the corpus is empty; give it the training text");
        }
        TreeSet<Integer> set = new TreeSet<>();
        corpus.codePoints().forEach(set::add);
        return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The tokenizer of exactly these characters, which must be distinct. */
    public static CharTokenizer of(String characters) {
        int[] cps = characters.codePoints().sorted().toArray();
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] == cps[i - 1]) {
                throw new IllegalArgumentException("CharTokenizer.of: character " + describe(cps[i]) + " appears twice");
            }
        }
        if (cps.length == 0) {
            throw new IllegalArgumentException("CharTokenizer.of: no characters given");
        }
        return new CharTokenizer(cps);
    }

    /** The tokenizer whose id i is {@code codePoints[i]} (distinct, in any order): as read from a tokenizer.json. */
    static CharTokenizer withIds(int[] codePoints) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int cp : codePoints) {
            if (!seen.add(cp)) {
                throw new IllegalArgumentException("CharTokenizer: character " + describe(cp) + " appears twice");
            }
        }
        return new CharTokenizer(codePoints.clone());
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Integer id = ids.get(cp);
            if (id == null) {
                throw new IllegalArgumentException("CharTokenizer: character " + describe(cp) + " at index " + i
                        + " is not in the vocabulary of " + codePoints.length + " characters built from the training "
                        + "corpus; remove it from the text or build the tokenizer from a corpus that contains it");
            }
            out[n++] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder(tokenIds.length);
        for (int i = 0; i < tokenIds.length; i++) {
            int id = tokenIds[i];
            if (id < 0 || id >= codePoints.length) {
                throw new IllegalArgumentException("CharTokenizer.decode: id " + id + " at position " + i
                        + " is out of range [0, " + codePoints.length + ")");
            }
            sb.appendCodePoint(codePoints[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return codePoints.length;
    }

    /** The characters of the vocabulary, in id order. */
    public String characters() {
        return new String(codePoints, 0, codePoints.length);
    }

    @Override
    public String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("type", TYPE);
        JsonArray vocab = new JsonArray();
        for (int cp : codePoints) {
            vocab.add(new String(Character.toChars(cp)));
        }
        json.add("vocab", vocab);
        return json.toString();
    }

    static CharTokenizer fromJson(JsonObject json) {
        JsonArray vocab = json.getAsJsonArray("vocab");
        if (vocab == null) {
            throw new IllegalArgumentException("CharTokenizer JSON: missing the 'vocab' array");
        }
        int[] cps = new int[vocab.size()];
        for (int i = 0; i < cps.length; i++) {
            String s = vocab.get(i).getAsString();
            if (s.codePointCount(0, s.length()) != 1) {
                throw new IllegalArgumentException("CharTokenizer JSON: vocab entry " + i + " '" + s
                        + "' is not exactly one character");
            }
            cps[i] = s.codePointAt(0);
            if (i > 0 && cps[i] <= cps[i - 1]) {
                throw new IllegalArgumentException("CharTokenizer JSON: vocab entry " + i + " is out of order or repeated");
            }
        }
        return new CharTokenizer(cps);
    }

    private static String describe(int cp) {
        String code = String.format("U+%04X", cp);
        if (Character.isISOControl(cp) || Character.isWhitespace(cp)) {
            return code + " " + Character.getName(cp); // e.g. U+000A LINE FEED (LF): invisible when printed
        }
        return "'" + new String(Character.toChars(cp)) + "' (" + code + ")";
    }

    @Override
    public String toString() {
        return "CharTokenizer(" + codePoints.length + " characters)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer other && Arrays.equals(codePoints, other.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }
}
