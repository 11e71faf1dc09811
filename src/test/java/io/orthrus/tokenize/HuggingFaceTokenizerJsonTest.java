package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenizer.json files written by Hugging Face's tokenizers library ({@code src/test/python/make_tokenizer_json_fixtures.py}):
 * the ids must equal the library's on every test text.
 */
class HuggingFaceTokenizerJsonTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(HuggingFaceTokenizerJsonTest.class.getResource("/tokenize/" + name).toURI());
    }

    private static void check(Tokenizer tokenizer, String family) throws Exception {
        JsonObject reference = JsonParser.parseString(Files.readString(resource("tokenizer_json_reference.json")))
                .getAsJsonObject();
        for (JsonElement c : reference.getAsJsonArray(family)) {
            String text = c.getAsJsonObject().get("text").getAsString();
            int[] ids = c.getAsJsonObject().getAsJsonArray("ids").asList().stream().mapToInt(JsonElement::getAsInt).toArray();
            assertArrayEquals(ids, tokenizer.encode(text), family + ": '" + text + "'");
        }
    }

    @Test
    void byteLevelBpeFilesGiveTheLibrarysIds() throws Exception {
        Tokenizer bpe = Tokenizers.fromHuggingFace(resource("bpe-tokenizer.json"));
        assertTrue(bpe instanceof ByteLevelBpe, bpe.toString());
        check(bpe, "bpe");
        String text = "the dog that the farmers feed 😀";
        assertTrue(bpe.decode(bpe.encode(text)).equals(text));
    }

    @Test
    void wordPieceFilesGiveTheLibrarysIds() throws Exception {
        Tokenizer wordPiece = Tokenizers.fromHuggingFace(resource("wordpiece-tokenizer.json"));
        assertTrue(wordPiece instanceof WordPiece, wordPiece.toString());
        check(wordPiece, "wordpiece");
    }

    @Test
    void tokenizersAreRecognisedFromWhatIsThere() throws Exception {
        assertTrue(Tokenizers.open(resource("bpe-tokenizer.json")) instanceof ByteLevelBpe);
        assertTrue(Tokenizers.open(resource("wordpiece-tokenizer.json")) instanceof WordPiece);
        Path bert = Path.of(HuggingFaceTokenizerJsonTest.class.getResource("/hf/bert-tiny/vocab.txt").toURI()).getParent();
        assertTrue(Tokenizers.open(bert) instanceof WordPiece, "a directory with vocab.txt");
        Path orthrus = dir.resolve("tokenizer.json");
        Tokenizers.save(CharTokenizer.fromCorpus("abc"), orthrus);
        assertTrue(Tokenizers.open(dir) instanceof CharTokenizer, "Orthrus's own tokenizer.json");
        ((ByteLevelBpe) Tokenizers.open(resource("bpe-tokenizer.json"))).saveHuggingFace(dir.resolve("hf"));
        assertTrue(Tokenizers.open(dir.resolve("hf")) instanceof ByteLevelBpe, "vocab.json + merges.txt");
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.open(dir.resolve("hf").resolve("nothing")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void unsupportedComponentsAreNamed() throws Exception {
        String bpe = Files.readString(resource("bpe-tokenizer.json"));
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, bpe.replaceAll("\"use_regex\":\\s*true", "\"use_regex\": false"), StandardCharsets.UTF_8);
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("pre_tokenizer.use_regex"), e.getMessage());
        Files.writeString(file, bpe.replaceAll("\"type\":\\s*\"BPE\"", "\"type\": \"WordLevel\""), StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("model type 'WordLevel'"), e.getMessage());
        Files.writeString(file, bpe.replaceAll("\"type\":\\s*\"BPE\"", "\"type\": \"Unigram\""), StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("model.vocab must be a non-empty array of [piece, score]"), e.getMessage());
        String wp = Files.readString(resource("wordpiece-tokenizer.json"));
        Files.writeString(file, wp.replaceAll("\"strip_accents\":\\s*null", "\"strip_accents\": false"), StandardCharsets.UTF_8);
        WordPiece keepsAccents = (WordPiece) Tokenizers.fromHuggingFace(file); // lower-cases, keeps accents
        assertTrue(keepsAccents.lowerCase());
        assertTrue(!keepsAccents.stripAccents(), "strip_accents false is honoured");
        Files.writeString(file, wp.replace("\"BertPreTokenizer\"", "\"Whitespace\""), StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromHuggingFace(file));
        assertTrue(e.getMessage().contains("pre_tokenizer.type"), e.getMessage());
    }
}
