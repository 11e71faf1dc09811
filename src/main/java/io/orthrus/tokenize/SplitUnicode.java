package io.orthrus.tokenize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Letters and numbers as the {@code tokenizers} library's regex engine knows them (Unicode 16.0, from
 * {@code split-unicode.txt}, written by {@code src/test/python/make_split_unicode_table.py}), so that a
 * tokenizer.json's Split regex cuts text the same on every JDK: {@link #proxied} replaces each code
 * point whose class (letter, number, other) the running JDK sees otherwise by a stand-in of the right
 * class and the same UTF-16 length, and the regex runs on that copy; the pieces are cut from the
 * original at the same offsets.
 */
final class SplitUnicode {
    private static final int OTHER = 0, LETTER = 1, NUMBER = 2;
    private static final int[] LETTERS, NUMBERS; // flattened [first, last] pairs, ascending
    /** Stand-ins whose class every JDK agrees on: by class, in the BMP and beyond it. */
    private static final int[] BMP_STAND_IN = {0xA7, 'a', '0'}, SUPPLEMENTARY_STAND_IN = {0x1F600, 0x10400, 0x1D7CE};

    static {
        List<int[]> letters = new ArrayList<>(), numbers = new ArrayList<>();
        try (InputStream in = SplitUnicode.class.getResourceAsStream("split-unicode.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                int[] range = {Integer.parseInt(f[1], 16), Integer.parseInt(f[2], 16)};
                (f[0].equals("letter") ? letters : numbers).add(range);
            }
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException("SplitUnicode: cannot read split-unicode.txt from the class path",
                    e instanceof IOException io ? io : new IOException(e));
        }
        LETTERS = letters.stream().flatMapToInt(java.util.Arrays::stream).toArray();
        NUMBERS = numbers.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }

    private SplitUnicode() {}

    /** {@code text}, or a copy of the same UTF-16 length whose letters and numbers are those of the table for this JDK's regex. */
    static String proxied(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i), n = Character.charCount(cp);
            if (cp >= 0x80) {
                int want = kind(cp);
                if (want != jdkKind(cp)) {
                    if (out == null) {
                        out = new StringBuilder(text);
                    }
                    int standIn = n == 1 ? BMP_STAND_IN[want] : SUPPLEMENTARY_STAND_IN[want];
                    out.replace(i, i + n, new String(Character.toChars(standIn)));
                }
            }
            i += n;
        }
        return out == null ? text : out.toString();
    }

    private static int kind(int cp) {
        return in(LETTERS, cp) ? LETTER : in(NUMBERS, cp) ? NUMBER : OTHER;
    }

    private static int jdkKind(int cp) {
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER
                ? NUMBER : OTHER;
    }

    private static boolean in(int[] ranges, int cp) {
        return BertUnicode.find(ranges, cp) >= 0;
    }
}
