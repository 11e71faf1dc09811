package io.orthrus.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's normalizer and pre-tokenizer: splits text into words and punctuation before WordPiece cuts
 * the words into pieces. It follows the Hugging Face {@code tokenizers} library (its
 * {@code BertNormalizer} and {@code BertPreTokenizer}, what {@code transformers} runs for every BERT
 * tokenizer), always by Unicode code point, never by Java {@code char}:
 * <ol>
 *   <li>drop U+0000, U+FFFD and control, format and private-use characters (Cc, Cf, Co; not tab,
 *       newline, carriage return); turn whitespace (those three and the White_Space property) into spaces;</li>
 *   <li>put spaces around CJK ideographs (the CJK Unified Ideographs blocks and extensions, including
 *       those outside the BMP, and the compatibility ideographs, with the library's ranges);</li>
 *   <li>if stripping accents: decompose (NFD) and drop non-spacing marks (Mn);</li>
 *   <li>if uncased: lower-case each character on its own (full mappings, no context: Σ is always σ);</li>
 *   <li>split on whitespace; split each word on punctuation: category P*, and every ASCII symbol
 *       ({@code !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~}), each a word of its own.</li>
 * </ol>
 * The Unicode facts come from the library's own tables ({@link BertUnicode}), not from the running
 * JDK, so a text gets the same ids on every Java version; a character the tables do not know is
 * kept, and WordPiece makes it {@code [UNK]}.
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

    /** The words and punctuation marks of {@code text}, in order: {@link #preTokenize} of {@link #normalize}. */
    public List<String> split(String text) {
        return preTokenize(normalize(text));
    }

    /** Steps 1 to 4: clean-up, ideographs spaced out, accents stripped and lower-cased as configured. */
    public String normalize(String text) {
        String normalized = spaceOutIdeographs(clean(text));
        if (stripAccents) {
            normalized = stripAccents(normalized);
        }
        if (lowerCase) {
            StringBuilder lower = new StringBuilder(normalized.length());
            normalized.codePoints().forEach(cp -> BertUnicode.appendLowerCase(cp, lower));
            normalized = lower.toString();
        }
        return normalized;
    }

    /** Step 5 on normalized text: the words, and each punctuation mark on its own. */
    public List<String> preTokenize(String normalized) {
        List<String> out = new ArrayList<>();
        for (String word : splitOnWhitespace(normalized)) {
            splitOnPunctuation(word, out);
        }
        return out;
    }

    private static String clean(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || BertUnicode.isControl(cp)) {
                return;
            }
            if (BertUnicode.isWhitespace(cp)) {
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

    private static String stripAccents(String text) {
        String decomposed = BertUnicode.nfd(text);
        StringBuilder sb = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(cp -> {
            if (!BertUnicode.isNonSpacingMark(cp)) {
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
            if (BertUnicode.isPunctuation(cp)) {
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

    /** Splits on runs of whitespace (Rust's {@code char::is_whitespace}), dropping them. */
    static List<String> splitOnWhitespace(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (BertUnicode.isWhitespace(cp)) {
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

    /** The ideograph ranges of the {@code tokenizers} library's {@code is_chinese_char}. */
    static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
