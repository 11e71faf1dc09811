package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tokenizer.json} files Orthrus writes are read by Hugging Face's {@code tokenizers}
 * with the same ids. {@code src/test/resources/tokenize/written/} holds the three files this
 * class's {@link #main} writes (a byte-level BPE, a WordPiece, a character tokenizer) and
 * {@code reference.json}, the ids {@code Tokenizer.from_file(...).encode(text, add_special_tokens=False)}
 * gives for each, written by {@code src/test/python/make_written_tokenizer_fixture.py}. The test
 * checks that the writer still writes those very files, and that Orthrus's ids equal the reference.
 * After changing the writer: run {@link #main} with the directory, then the script.
 */
class WrittenTokenizerJsonTest {
    static final String CORPUS = "the dog that the farmers feed barks loudly . Don't you think it's 2024? café naïve 😀 日本語\n";

    @TempDir
    Path dir;

    /** The three tokenizers, built the same way every time. */
    static Map<String, Tokenizer> tokenizers() {
        Map<String, Tokenizer> out = new LinkedHashMap<>();
        out.put("bpe.json", ByteLevelBpe.train(CORPUS.repeat(20) + ByteLevelBpe.END_OF_TEXT, 320, 2));
        out.put("wordpiece.json", WordPiece.train(List.of(CORPUS.repeat(20).split("\n")), 120, true));
        out.put("char.json", CharTokenizer.fromCorpus(CORPUS + "ÉTHE"));
        return out;
    }

    /** Writes the three files into {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        for (Map.Entry<String, Tokenizer> t : tokenizers().entrySet()) {
            Files.writeString(Path.of(args[0]).resolve(t.getKey()), Tokenizers.toHuggingFace(t.getValue()),
                    StandardCharsets.UTF_8);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WrittenTokenizerJsonTest.class.getResourceAsStream("/tokenize/written/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theTokenizersLibraryReadsWhatOrthrusWritesWithTheSameIds() throws IOException {
        JsonObject reference = JsonParser.parseString(resource("reference.json")).getAsJsonObject();
        for (Map.Entry<String, Tokenizer> t : tokenizers().entrySet()) {
            String written = Tokenizers.toHuggingFace(t.getValue());
            assertEquals(resource(t.getKey()), written, t.getKey() + " is not what the reference was made from; see the"
                    + " class comment to regenerate");
            Path file = dir.resolve(t.getKey());
            Tokenizers.save(t.getValue(), file);
            Tokenizer back = Tokenizers.load(file);
            assertInstanceOf(t.getValue().getClass(), back);
            JsonObject cases = reference.getAsJsonObject(t.getKey());
            assertTrue(cases.size() >= 4, t.getKey() + " has " + cases.size() + " reference texts");
            for (Map.Entry<String, JsonElement> c : cases.entrySet()) {
                int[] expected = c.getValue().getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
                assertArrayEquals(expected, t.getValue().encode(c.getKey()), t.getKey() + ": " + c.getKey());
                assertArrayEquals(expected, back.encode(c.getKey()), t.getKey() + " read back: " + c.getKey());
            }
        }
    }

    @Test
    void filesInTheEarlierOrthrusFormatStillLoad() throws IOException {
        for (Tokenizer t : tokenizers().values()) {
            Path file = dir.resolve("old.json");
            Files.writeString(file, t.toJson());
            assertArrayEquals(t.encode(CORPUS), Tokenizers.load(file).encode(CORPUS), t.toString());
        }
    }
}
