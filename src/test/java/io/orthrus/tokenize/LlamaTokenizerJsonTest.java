package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3's and Qwen2's byte-level BPE (a Split regex, then ByteLevel; Llama 3's ignore_merges, Qwen2's NFC) against
 * the tokenizers library on 2,000 varied strings each ({@code src/test/python/make_llama_tokenizer_fixtures.py}).
 */
class LlamaTokenizerJsonTest {
    private static Path folder(String name) throws Exception {
        return Path.of(LlamaTokenizerJsonTest.class.getResource("/tokenize/llama/" + name + "/tokenizer.json").toURI())
                .getParent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen2"})
    void idsAndDecodingEqualTheTokenizersLibrary(String name) throws Exception {
        Tokenizer tokenizer = Tokenizers.fromHuggingFace(folder(name).resolve("tokenizer.json"));
        assertInstanceOf(ByteLevelBpe.class, base(tokenizer));
        assertEquals(name.equals("llama3"), tokenizer instanceof PrefixedTokenizer, "Llama 3's template puts <|begin_of_text|> first");
        assertMatchesFixture(tokenizer, name);
    }

    private static Tokenizer base(Tokenizer tokenizer) {
        return tokenizer instanceof PrefixedTokenizer p ? p.base() : tokenizer;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen2"})
    void writtenAndReadBackItGivesTheSameIds(String name, @TempDir Path dir) throws Exception {
        Tokenizer tokenizer = Tokenizers.fromHuggingFace(folder(name).resolve("tokenizer.json"));
        JsonObject original = JsonParser.parseString(Files.readString(folder(name).resolve("tokenizer.json")))
                .getAsJsonObject();
        JsonObject written = JsonParser.parseString(Tokenizers.toHuggingFace(tokenizer)).getAsJsonObject();
        assertEquals(original.get("pre_tokenizer"), written.get("pre_tokenizer"));
        assertEquals(original.get("normalizer"), written.get("normalizer"));
        assertEquals(original.getAsJsonObject("model").get("ignore_merges"), written.getAsJsonObject("model").get("ignore_merges"));
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tokenizer, file);
        assertMatchesFixture(Tokenizers.fromHuggingFace(file), name);
        assertEquals(((ByteLevelBpe) base(tokenizer)).options(),
                ((ByteLevelBpe) base(Tokenizers.fromJson(tokenizer.toJson()))).options(),
                "Orthrus's own form keeps the options too");
    }

    @Test
    void aSplitThatIsNotIsolatedOrARegexIsRefusedByName(@TempDir Path dir) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(folder("llama3").resolve("tokenizer.json")))
                .getAsJsonObject();
        JsonObject split = json.getAsJsonObject("pre_tokenizer").getAsJsonArray("pretokenizers").get(0).getAsJsonObject();
        split.addProperty("behavior", "Removed");
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("pre_tokenizer.pretokenizers[0].behavior"), e.getMessage());
        split.addProperty("behavior", "Isolated");
        split.add("pattern", JsonParser.parseString("{\"String\": \" \"}"));
        Files.writeString(file, json.toString());
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("is not supported (a Regex)"), e.getMessage());
    }

    private static void assertMatchesFixture(Tokenizer tokenizer, String name) throws Exception {
        JsonArray cases = JsonParser.parseString(Files.readString(folder(name).resolve("strings.json"))).getAsJsonArray();
        assertTrue(cases.size() >= 2000, "cases: " + cases.size());
        int checked = 0;
        for (JsonElement element : cases) {
            JsonObject c = element.getAsJsonObject();
            String text = c.get("text").getAsString();
            int[] expected = ints(c.getAsJsonArray("ids"));
            int[] ids = tokenizer.encode(text);
            assertArrayEquals(expected, ids, name + ": ids of " + new com.google.gson.Gson().toJson(text));
            String decoded = c.has("decoded") ? c.get("decoded").getAsString() : text;
            assertEquals(decoded, tokenizer.decode(ids), name + ": decoding of " + new com.google.gson.Gson().toJson(text));
            if (c.has("with_special")) {
                assertArrayEquals(ints(c.getAsJsonArray("with_special")), tokenizer.encodeWithSpecialTokens(text),
                        name + ": ids with special tokens of " + new com.google.gson.Gson().toJson(text));
            }
            checked++;
        }
        assertEquals(cases.size(), checked);
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
