package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.tensor.Rng;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's tokenizer against reference ids: {@code src/test/resources/tokenize/gpt2_reference.json},
 * written by {@code src/test/python/make_gpt2_bpe_fixture.py} (tiktoken with OpenAI's GPT-2 pattern and files).
 */
class ByteLevelBpeTest {
    private static final Path GPT2 = Path.of("../shared/data/gpt2");
    private static ByteLevelBpe bpe;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(GPT2.resolve("encoder.json")), "GPT-2 files not in ../shared/data/gpt2");
        bpe = ByteLevelBpe.load(GPT2);
    }

    private static JsonObject fixture() throws IOException {
        try (InputStream in = ByteLevelBpeTest.class.getResourceAsStream("/tokenize/gpt2_reference.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static int[] ids(JsonElement array) {
        return array.getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    }

    @Test
    void idsEqualTheReferenceEncoderOnEveryCase() throws IOException {
        assertEquals(50257, bpe.vocabSize());
        assertEquals(50000, bpe.mergeCount());
        JsonObject fixture = fixture();
        int checked = 0;
        for (JsonElement c : fixture.getAsJsonArray("cases")) {
            String text = c.getAsJsonObject().get("text").getAsString();
            int[] expected = ids(c.getAsJsonObject().get("ids"));
            assertArrayEquals(expected, bpe.encode(text), () -> "ids of '" + text + "'");
            assertEquals(text, bpe.decode(expected));
            checked++;
        }
        assertEquals(548, checked);
        for (JsonElement c : fixture.getAsJsonArray("allow_special")) {
            String text = c.getAsJsonObject().get("text").getAsString();
            assertArrayEquals(ids(c.getAsJsonObject().get("ids")), bpe.encode(text, true), text);
        }
        assertEquals(50256, bpe.specialId(ByteLevelBpe.END_OF_TEXT));
        // The examples of docs/bpe.md.
        assertArrayEquals(new int[] {15496, 995, 0, 632, 338, 48609, 13}, bpe.encode("Hello world! It's 2024."));
        assertArrayEquals(new int[] {505, 50256, 11545}, bpe.encode("one<|endoftext|>two", true));
        assertEquals("Ġthe", bpe.token(262));
        assertTrue(bpe.encode(ByteLevelBpe.END_OF_TEXT).length > 1, "by default the special token is text");
    }

    @Test
    void decodeInvertsEncodeOnRandomUnicode() {
        Rng rng = new Rng(42);
        for (int trial = 0; trial < 10_000; trial++) {
            StringBuilder s = new StringBuilder();
            int length = rng.nextInt(30);
            for (int i = 0; i < length; i++) {
                int kind = rng.nextInt(4);
                int cp = switch (kind) {
                    case 0 -> 0x20 + rng.nextInt(0x5F); // ASCII
                    case 1 -> rng.nextInt(0x800); // Latin, Greek, Cyrillic, marks, controls
                    case 2 -> 0x800 + rng.nextInt(0xD800 - 0x800); // the rest of the BMP before the surrogates
                    default -> 0xE000 + rng.nextInt(0x110000 - 0xE000); // private use, CJK, astral planes
                };
                s.appendCodePoint(cp);
            }
            String text = s.toString();
            assertEquals(text, bpe.decode(bpe.encode(text)), () -> "round trip of " + text.codePoints()
                    .mapToObj(Integer::toHexString).toList());
        }
    }

    @Test
    void theJsonFormRebuildsTheSameTokenizer() throws IOException {
        Tokenizer copy = Tokenizers.fromJson(bpe.toJson());
        String text = "Orthrus, the two-headed dog, can't count to 12345 in 日本語 😀.";
        assertArrayEquals(bpe.encode(text), copy.encode(text));
        Path file = dir.resolve("gpt2.json");
        Tokenizers.save(bpe, file);
        assertArrayEquals(bpe.encode(text), Tokenizers.load(file).encode(text));
    }

    @Test
    void badInputIsRejectedWithTheReason() throws IOException {
        var e = assertThrows(IllegalArgumentException.class, () -> bpe.encode("a\uD800b"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800 at index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {50257}));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nab\n");
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.load(dir));
        assertTrue(e.getMessage().contains("line 3 'ab'"), e.getMessage());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na c\n");
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.load(dir));
        assertTrue(e.getMessage().contains("makes 'ac', which is not in the vocabulary"), e.getMessage());
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 5}");
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.load(dir));
        assertTrue(e.getMessage().contains("token ids must be 0..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.load(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("neither encoder.json"), e.getMessage());
    }
}
