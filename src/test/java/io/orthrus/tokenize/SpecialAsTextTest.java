package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Special tokens in a text read as plain text ({@link Tokenizer#encodeAsText}) against the tokenizers library's
 * {@code encode_special_tokens} ({@code src/test/python/make_special_as_text_fixture.py}), on six kinds of tokenizer.
 */
class SpecialAsTextTest {
    @Test
    void specialTokensAreTextAndOtherAddedTokensStillMatch() throws Exception {
        Path root = Path.of(SpecialAsTextTest.class.getResource("/tokenize/special-as-text.json").toURI()).getParent();
        JsonArray files = JsonParser.parseString(Files.readString(root.resolve("special-as-text.json"))).getAsJsonArray();
        int differing = 0;
        for (JsonElement f : files) {
            String name = f.getAsJsonObject().get("file").getAsString();
            Tokenizer tokenizer = Tokenizers.fromHuggingFace(root.resolve(name));
            for (JsonElement c : f.getAsJsonObject().getAsJsonArray("cases")) {
                JsonObject o = c.getAsJsonObject();
                String text = o.get("text").getAsString();
                int[] matched = ints(o.getAsJsonArray("ids")), asText = ints(o.getAsJsonArray("as_text"));
                assertArrayEquals(matched, tokenizer.encode(text), name + ": " + text);
                assertArrayEquals(asText, tokenizer.encodeAsText(text), name + " as text: " + text);
                differing += java.util.Arrays.equals(matched, asText) ? 0 : 1;
            }
        }
        assertTrue(differing >= 10, "cases where reading specials as text changes the ids: " + differing);
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
