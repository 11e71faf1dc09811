package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code tokenizer.json}'s added tokens are matched whole, as {@code tokenizers} matches them:
 * {@code src/test/resources/tokenize/added/}, written by {@code src/test/python/make_added_tokens_fixture.py}
 * (normalized and raw, single_word, lstrip, rstrip, special, longest match first; in a WordPiece
 * and a byte-level BPE).
 */
class AddedTokensTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(AddedTokensTest.class.getResource("/tokenize/added/" + name).toURI());
    }

    @Test
    void idsEqualTheTokenizersLibrarysAndSurviveAWriteAndARead() throws Exception {
        JsonObject reference = JsonParser.parseString(Files.readString(resource("reference.json"))).getAsJsonObject();
        for (String name : new String[] {"wordpiece.json", "bpe.json"}) {
            Tokenizer tokenizer = Tokenizers.fromHuggingFace(resource(name));
            Path written = dir.resolve(name);
            Tokenizers.save(tokenizer, written);
            Tokenizer back = Tokenizers.load(written);
            assertEquals(tokenizer.vocabSize(), back.vocabSize(), name);
            int cases = 0;
            for (Map.Entry<String, JsonElement> c : reference.getAsJsonObject(name).entrySet()) {
                int[] expected = c.getValue().getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
                assertArrayEquals(expected, tokenizer.encode(c.getKey()), name + ": '" + c.getKey() + "'");
                assertArrayEquals(expected, back.encode(c.getKey()), name + " written and read back: '" + c.getKey() + "'");
                cases++;
            }
            assertEquals(12, cases, name);
        }
    }

    @Test
    void addedTokensDecodeAsTheirText() throws Exception {
        ByteLevelBpe bpe = (ByteLevelBpe) Tokenizers.fromHuggingFace(resource("bpe.json"));
        String text = "<pad> the dog<pad>";
        assertEquals(text, bpe.decode(bpe.encode(text)));
        assertTrue(bpe.hasSpecial("<pad>"), "a special added token is a special token");
    }
}
