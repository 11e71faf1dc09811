package io.orthrus.tokenize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's "basic tokenizer": splits text into words and punctuation before WordPiece cuts the
 * words into pieces. It follows the reference implementation (Google's {@code tokenization.py},
 * as ported to Python by Hugging Face) step by step, always by Unicode code point, never by Java
 * {@code char}:
 * <ol>
 *   <li>drop U+0000, U+FFFD and control characters (general category C*, except tab, newline
 *       and carriage return); turn whitespace (those three, space, and category Zs) into spaces;</li>
 *   <li>put spaces around CJK ideographs (the CJK Unified Ideographs blocks and extensions,
 *       including those outside the BMP, and the compatibility ideographs);</li>
 *   <li>NFC-normalise, split on whitespace (as Python's {@code str.split()}, which also splits
 *       on U+2028 and U+2029);</li>
 *   <li>if uncased: lower-case each word, then strip accents (NFD, drop category Mn);</li>
 *   <li>split each word on punctuation: category P*, and every ASCII symbol
 *       ({@code !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~}), each becomes a word of its own.</li>
 * </ol>
 * Character categories come from the running JDK's Unicode tables (Unicode 13 on JDK 17), so a
 * character assigned in a later Unicode version counts as unassigned (category Cn) and is dropped.
 */
public final class BertPreTokenizer {
    private final boolean lowerCase;
    private final boolean stripAccents;

    /** Lower-cases and strips accents when {@code lowerCase} (the "uncased" models), else neither. */
    public BertPreTokenizer(boolean lowerCase) {
        this(lowerCase, lowerCase);
    }

    /** With accent stripping chosen separately (some cased multilingual models strip accents). */
    public BertPreTokenizer(boolean lowerCase, boolean stripAccents) {
        this.lowerCase = lowerCase;
        this.stripAccents = stripAccents;
    }

    /** Whether words are lower-cased. */
    public boolean lowerCase() {
        return lowerCase;
    }

    /** Whether accents are stripped. */
    public boolean stripAccents() {
        return stripAccents;
    }

    /** The words and punctuation marks of {@code text}, in order. */
    public List<String> split(String text) {
        String cleaned = Normalizer.normalize(spaceOutIdeographs(clean(text)), Normalizer.Form.NFC);
        List<String> out = new ArrayList<>();
        for (String word : splitOnWhitespace(cleaned)) {
            if (lowerCase) {
                word = word.toLowerCase(Locale.ROOT);
            }
            if (stripAccents) {
                word = stripAccents(word);
            }
            splitOnPunctuation(word, out);
        }
        return out;
    }

    private static String clean(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                sb.append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static String spaceOutIdeographs(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (isCjkIdeograph(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static String stripAccents(String word) {
        String decomposed = Normalizer.normalize(word, Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(cp -> {
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static void splitOnPunctuation(String word, List<String> out) {
        int start = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isPunctuation(cp)) {
                if (start < i) {
                    out.add(word.substring(start, i));
                }
                out.add(word.substring(i, next));
                start = next;
            }
            i = next;
        }
        if (start < word.length()) {
            out.add(word.substring(start));
        }
    }

    /** Splits as Python's {@code str.split()} with no argument: on runs of Python whitespace. */
    static List<String> splitOnWhitespace(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (isPythonWhitespace(cp)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
        return words;
    }

    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }

    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Python's {@code str.isspace()}: bidirectional class WS, B or S, or category Zs. */
    private static boolean isPythonWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }
}
