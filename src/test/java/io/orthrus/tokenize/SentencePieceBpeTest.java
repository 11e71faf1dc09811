package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SentencePiece-style BPE with byte fallback (Llama 2, Mistral, TinyLlama) against the tokenizers library on 2,000
 * varied strings, in the three forms its files take ({@code src/test/python/make_sentencepiece_bpe_fixtures.py}).
 */
class SentencePieceBpeTest {
    private static Path file(String name) throws Exception {
        return Path.of(SentencePieceBpeTest.class.getResource("/tokenize/sentencepiece/" + name).toURI());
    }

    private static Tokenizer load(String name) throws Exception {
        return Tokenizers.fromHuggingFace(file(name + ".json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "metaspace", "always"})
    void idsAndDecodingEqualTheTokenizersLibrary(String name) throws Exception {
        assertMatchesFixture(load(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "metaspace", "always"})
    void writtenAndReadBackItGivesTheSameIds(String name, @TempDir Path dir) throws Exception {
        Tokenizer tokenizer = load(name);
        Path written = dir.resolve("tokenizer.json");
        Tokenizers.save(tokenizer, written);
        assertMatchesFixture(Tokenizers.fromHuggingFace(written), name);
        assertMatchesFixture(Tokenizers.fromJson(tokenizer.toJson()), name);
    }

    @Test
    void theLegacyTemplatePutsTheBeginningTokenFirst() throws Exception {
        Tokenizer tokenizer = load("legacy");
        PrefixedTokenizer prefixed = assertInstanceOf(PrefixedTokenizer.class, tokenizer);
        assertInstanceOf(SentencePieceBpe.class, prefixed.base());
        assertArrayEquals(new int[] {1}, prefixed.prefix());
        int checked = 0;
        for (JsonElement element : cases()) {
            JsonObject c = element.getAsJsonObject();
            if (c.has("legacy_with_special")) {
                assertArrayEquals(ints(c.getAsJsonArray("legacy_with_special")),
                        tokenizer.encodeWithSpecialTokens(c.get("text").getAsString()), c.get("text").toString());
                checked++;
            }
        }
        assertEquals(100, checked);
        assertInstanceOf(SentencePieceBpe.class, load("metaspace"), "transformers 5 writes no template");
    }

    @Test
    void unknownCharactersWithoutByteTokensBecomeOneUnknownToken(@TempDir Path dir) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(file("legacy.json"))).getAsJsonObject();
        json.getAsJsonObject("model").addProperty("byte_fallback", false);
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, json.toString());
        Tokenizer tokenizer = Tokenizers.fromHuggingFace(f);
        int unk = ((SentencePieceBpe) ((PrefixedTokenizer) tokenizer).base()).id("<unk>");
        int[] ids = tokenizer.encode("a\u2603\u2604b");
        assertEquals(1, java.util.Arrays.stream(ids).filter(id -> id == unk).count(), java.util.Arrays.toString(ids));
        json.getAsJsonObject("model").addProperty("fuse_unk", false);
        Files.writeString(f, json.toString());
        ids = Tokenizers.fromHuggingFace(f).encode("a\u2603\u2604b");
        assertEquals(2, java.util.Arrays.stream(ids).filter(id -> id == unk).count(), java.util.Arrays.toString(ids));
    }

    @Test
    void componentsOrthrusDoesNotRunAreRefusedByName(@TempDir Path dir) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(file("legacy.json"))).getAsJsonObject();
        Path f = dir.resolve("tokenizer.json");
        JsonObject bad = json.deepCopy();
        bad.add("decoder", JsonParser.parseString("{\"type\": \"CTC\"}"));
        Files.writeString(f, bad.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(f));
        assertTrue(e.getMessage().contains("decoder of type 'CTC' is not supported"), e.getMessage());
        bad = json.deepCopy();
        bad.add("pre_tokenizer", JsonParser.parseString("{\"type\": \"Whitespace\"}"));
        Files.writeString(f, bad.toString());
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(f));
        assertTrue(e.getMessage().contains("pre_tokenizer type 'Whitespace' is not supported"), e.getMessage());
        bad = json.deepCopy();
        bad.getAsJsonObject("model").addProperty("dropout", 0.1);
        Files.writeString(f, bad.toString());
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(f));
        assertTrue(e.getMessage().contains("model.dropout"), e.getMessage());
        bad = json.deepCopy();
        bad.getAsJsonObject("model").getAsJsonArray("merges").set(0, JsonParser.parseString("[\"<0x00>\", \"<0x01>\"]"));
        Files.writeString(f, bad.toString());
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(f));
        assertTrue(e.getMessage().contains("merge 1 '<0x00> <0x01>' makes"), e.getMessage());
    }

    @Test
    void anUnpairedSurrogateIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("legacy").encode("a\ud800b"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800"), e.getMessage());
    }

    private static JsonArray cases() throws Exception {
        return JsonParser.parseString(Files.readString(file("strings.json"))).getAsJsonArray();
    }

    private static void assertMatchesFixture(Tokenizer tokenizer, String name) throws Exception {
        JsonArray cases = cases();
        assertTrue(cases.size() >= 2000, "cases: " + cases.size());
        for (JsonElement element : cases) {
            JsonObject c = element.getAsJsonObject();
            String text = c.get("text").getAsString();
            int[] expected = ints(c.getAsJsonArray(c.has(name) ? name : "metaspace"));
            int[] ids = tokenizer.encode(text);
            assertArrayEquals(expected, ids, name + ": ids of " + new Gson().toJson(text));
            String decoded = c.has(name + "_decoded") ? c.get(name + "_decoded").getAsString() : text;
            assertEquals(decoded, tokenizer.decode(ids), name + ": decoding of " + new Gson().toJson(text));
        }
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
