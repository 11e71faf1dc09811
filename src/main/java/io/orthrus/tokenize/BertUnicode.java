package io.orthrus.tokenize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Unicode facts BERT's normalizer needs, from the library's own tables
 * ({@code bert-unicode.txt}, written by {@code src/test/python/make_bert_unicode_table.py}), never
 * from the running JDK: a model tokenizes the same on JDK 17 and on JDK 25. The category sets are
 * those the Hugging Face {@code tokenizers} library uses (Unicode 8.0); lower-casing, canonical
 * decomposition and combining classes are Unicode 15.0.
 */
final class BertUnicode {
    private static final int[] OTHER, MARK, PUNCT, SPACE;
    private static final int[] CCC_RANGES, CCC_CLASSES;
    private static final Map<Integer, int[]> LOWER = new HashMap<>(), NFD = new HashMap<>();

    static {
        Map<String, List<int[]>> sets = new HashMap<>();
        List<int[]> ccc = new ArrayList<>();
        try (InputStream in = BertUnicode.class.getResourceAsStream("bert-unicode.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "lower" -> LOWER.put(Integer.parseInt(f[1], 16), hexes(f[2]));
                    case "nfd" -> NFD.put(Integer.parseInt(f[1], 16), hexes(f[2]));
                    default -> {
                        int[] range = {Integer.parseInt(f[1], 16), Integer.parseInt(f[2], 16)};
                        if (f[0].startsWith("ccc")) {
                            ccc.add(new int[] {range[0], range[1], Integer.parseInt(f[0].substring(3))});
                        } else {
                            sets.computeIfAbsent(f[0], k -> new ArrayList<>()).add(range);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("BertUnicode: cannot read bert-unicode.txt from the class path", e);
        }
        OTHER = flatten(sets.get("other"));
        MARK = flatten(sets.get("mark"));
        PUNCT = flatten(sets.get("punct"));
        SPACE = flatten(sets.get("space"));
        ccc.sort((a, b) -> Integer.compare(a[0], b[0]));
        CCC_RANGES = flatten(ccc);
        CCC_CLASSES = ccc.stream().mapToInt(r -> r[2]).toArray();
    }

    private BertUnicode() {}

    private static int[] hexes(String list) {
        return Arrays.stream(list.split(",")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
    }

    /** Sorted ranges as {@code [first0, last0, first1, last1, ...]}. */
    private static int[] flatten(List<int[]> ranges) {
        ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] out = new int[2 * ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            out[2 * i] = ranges.get(i)[0];
            out[2 * i + 1] = ranges.get(i)[1];
        }
        return out;
    }

    /** The index of the range holding {@code cp} in flattened, ascending {@code [first, last]} pairs, or -1. */
    static int find(int[] ranges, int cp) {
        int lo = 0, hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Control, format or private use (Cc, Cf, Co), but not tab, newline or carriage return: dropped by clean-up. */
    static boolean isControl(int cp) {
        return cp != '\t' && cp != '\n' && cp != '\r' && find(OTHER, cp) >= 0;
    }

    /** Tab, newline, carriage return or the White_Space property (Rust's {@code char::is_whitespace}). */
    static boolean isWhitespace(int cp) {
        return cp == '\t' || cp == '\n' || cp == '\r' || find(SPACE, cp) >= 0;
    }

    /** ASCII punctuation (every ASCII symbol included) or a character of a P* category. */
    static boolean isPunctuation(int cp) {
        return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)
                || find(PUNCT, cp) >= 0;
    }

    /** A non-spacing mark (Mn): what stripping accents removes after NFD. */
    static boolean isNonSpacingMark(int cp) {
        return find(MARK, cp) >= 0;
    }

    /** Appends {@code cp}'s full lower-case mapping, taken on its own: no context, so Σ is always σ. */
    static void appendLowerCase(int cp, StringBuilder out) {
        int[] mapped = LOWER.get(cp);
        if (mapped == null) {
            out.appendCodePoint(cp);
        } else {
            for (int m : mapped) {
                out.appendCodePoint(m);
            }
        }
    }

    /** The canonical decomposition (NFD) of {@code text}: every character decomposed, then marks put in canonical order. */
    static String nfd(String text) {
        int[] out = new int[text.length() * 4];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int[] parts = NFD.get(cp);
            if (cp >= 0xAC00 && cp <= 0xD7A3) { // Hangul syllable: L V (T), by the algorithm of Unicode §3.12
                int s = cp - 0xAC00;
                out = ensure(out, n + 3);
                out[n++] = 0x1100 + s / 588;
                out[n++] = 0x1161 + (s % 588) / 28;
                if (s % 28 != 0) {
                    out[n++] = 0x11A7 + s % 28;
                }
            } else if (parts != null) {
                out = ensure(out, n + parts.length);
                for (int p : parts) {
                    out[n++] = p;
                }
            } else {
                out = ensure(out, n + 1);
                out[n++] = cp;
            }
        }
        for (int i = 1; i < n; i++) { // canonical ordering: a stable sort of each run of non-starters by class
            int c = combiningClass(out[i]);
            if (c == 0) {
                continue;
            }
            int j = i, cp = out[i];
            while (j > 0 && combiningClass(out[j - 1]) > c) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = cp;
        }
        return new String(out, 0, n);
    }

    private static int[] ensure(int[] array, int size) {
        return size <= array.length ? array : Arrays.copyOf(array, Math.max(size, 2 * array.length));
    }

    /** The canonical combining class of {@code cp} (0 for starters). */
    static int combiningClass(int cp) {
        int at = find(CCC_RANGES, cp);
        return at < 0 ? 0 : CCC_CLASSES[at];
    }
}
