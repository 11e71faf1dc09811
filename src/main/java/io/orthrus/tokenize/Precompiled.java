package io.orthrus.tokenize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SentencePiece's compiled normalisation rules ({@code precompiled_charsmap}, the NFKC-based rules of
 * XLM-RoBERTa and most SentencePiece models), applied as {@code tokenizers}' Precompiled normalizer
 * does: each grapheme cluster shorter than 6 UTF-8 bytes is looked up whole, else each of its code
 * points; a lookup takes the shortest rule key that begins the bytes and replaces them all with its
 * value. The blob is a 32-bit little-endian trie size, a darts-clone double-array trie of that many
 * bytes, then the NUL-terminated replacement strings.
 */
final class Precompiled {
    private static final Pattern GRAPHEMES = Pattern.compile("\\X");
    private final int[] trie;
    private final byte[] replacements;

    private Precompiled(int[] trie, byte[] replacements) {
        this.trie = trie;
        this.replacements = replacements;
    }

    /** The rules of a base64 {@code precompiled_charsmap}; {@code where} names the field in errors. */
    static Precompiled parse(String base64, String where) {
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not base64: " + e.getMessage());
        }
        if (blob.length < 4) {
            throw new IllegalArgumentException(where + " holds " + blob.length + " bytes, too few for its trie size");
        }
        ByteBuffer in = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long size = Integer.toUnsignedLong(in.getInt());
        if (size % 4 != 0 || size > blob.length - 4L) {
            throw new IllegalArgumentException(where + " gives a trie of " + size + " bytes in a blob of " + blob.length);
        }
        int[] trie = new int[(int) (size / 4)];
        for (int i = 0; i < trie.length; i++) {
            trie[i] = in.getInt();
        }
        byte[] replacements = new byte[blob.length - 4 - (int) size];
        in.get(replacements);
        return new Precompiled(trie, replacements);
    }

    /** {@code text} with the rules applied. */
    String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        Matcher graphemes = GRAPHEMES.matcher(text);
        while (graphemes.find()) {
            String grapheme = graphemes.group();
            byte[] bytes = grapheme.getBytes(StandardCharsets.UTF_8);
            String whole = bytes.length < 6 ? transform(bytes) : null;
            if (whole != null) {
                out.append(whole);
                continue;
            }
            for (int i = 0; i < grapheme.length(); ) {
                int cp = grapheme.codePointAt(i);
                String one = new String(Character.toChars(cp));
                String replaced = transform(one.getBytes(StandardCharsets.UTF_8));
                out.append(replaced != null ? replaced : one);
                i += Character.charCount(cp);
            }
        }
        return out.toString();
    }

    /** The replacement of the shortest rule key that begins {@code key}, or null when none does. */
    private String transform(byte[] key) {
        if (trie.length == 0) {
            return null;
        }
        int node = offset(trie[0]);
        for (byte b : key) {
            int c = b & 0xFF;
            if (c == 0) {
                return null;
            }
            node ^= c;
            if (node < 0 || node >= trie.length) {
                return null;
            }
            int unit = trie[node];
            if ((unit & 0x800000FF) != c) { // the unit's label
                return null;
            }
            node ^= offset(unit);
            if (((unit >>> 8) & 1) == 1) { // has a leaf: the value there indexes the replacements
                if (node < 0 || node >= trie.length) {
                    return null;
                }
                int start = trie[node] & 0x7FFFFFFF, end = start;
                if (start >= replacements.length) {
                    return null;
                }
                while (end < replacements.length && replacements[end] != 0) {
                    end++;
                }
                return new String(replacements, start, end - start, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
