package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library's own Unicode tables agree with the standard where it is stable, and never ask the JDK. */
class BertUnicodeTest {
    @Test
    void decompositionEqualsTheJdksOnTheBasicMultilingualPlane() {
        // Canonical decompositions are stable and none was added to the BMP after Unicode 13, so any JDK agrees here.
        for (int cp = 0; cp < 0x10000; cp++) {
            if (Character.isSurrogate((char) cp) || Character.getType(cp) == Character.UNASSIGNED) {
                continue;
            }
            String s = new String(Character.toChars(cp));
            assertEquals(Normalizer.normalize(s, Normalizer.Form.NFD), BertUnicode.nfd(s), s);
        }
        String marks = "a\u0301\u0316 \u1EC7\u0323 \uD55C"; // acute (230) before grave below (220); ệ; Hangul 한
        assertEquals(Normalizer.normalize(marks, Normalizer.Form.NFD), BertUnicode.nfd(marks));
    }

    @Test
    void lowerCasingTakesEachCharacterOnItsOwn() {
        StringBuilder out = new StringBuilder();
        "ΣΑΣ İ ẞ Ǆ".codePoints().forEach(cp -> BertUnicode.appendLowerCase(cp, out));
        assertEquals("σασ i\u0307 ß ǆ", out.toString());
    }

    @Test
    void categoriesAreThoseTokenizersUses() {
        assertTrue(BertUnicode.isControl(0x200B)); // zero-width space: Cf, dropped
        assertTrue(BertUnicode.isControl(0xE000)); // private use
        assertFalse(BertUnicode.isControl(0x1FAE8)); // an emoji of Unicode 15: kept (then [UNK])
        assertFalse(BertUnicode.isControl(0xE0080)); // unassigned: kept
        assertTrue(BertUnicode.isWhitespace(0x2028) && BertUnicode.isWhitespace(0x3000));
        assertFalse(BertUnicode.isWhitespace(0x200B) || BertUnicode.isWhitespace(0x1C));
        assertTrue(BertUnicode.isPunctuation('$') && BertUnicode.isPunctuation(0x2E3C) && BertUnicode.isPunctuation(0xBF));
        assertFalse(BertUnicode.isPunctuation(0x2E44)); // DOUBLE SUSPENSION MARK: Unicode 9, after the tables' 8.0
        assertTrue(BertUnicode.isNonSpacingMark(0x0301));
        assertEquals(List.of("σασ", "[", "x", "]"), new BertPreTokenizer(true).split("ΣΑΣ\u200b[x]"));
    }
}
