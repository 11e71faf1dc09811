package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Bert;
import io.orthrus.model.Pooling;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sentence encoder built here is written as a sentence-transformers folder that Python's
 * {@code SentenceTransformer(dir)} loads with the same vectors. {@code src/test/resources/st-written/} holds the
 * folder {@link #main} writes and {@code reference.json}, the vectors sentence-transformers 6.0.1 gives for it
 * ({@code src/test/python/make_written_sentence_transformers_fixture.py}; batch 2, also with the prompt "query").
 * The test checks that the writer still writes those very files and that Orthrus's vectors equal the reference.
 * After changing the writer: run {@link #main} with the directory, then the script.
 */
class WrittenSentenceTransformersTest {
    @TempDir
    Path dir;

    /** A fresh BERT of its own small shape, two pooling modes, normalised, with a named prompt: built the same way every time. */
    static SentenceEncoder encoder() throws Exception {
        WordPiece tokenizer = (WordPiece) SentenceTransformersFolder.read(SentenceEncoderTest.fixture("mean-normalize")).tokenizer();
        Bert bert = new Bert(TransformerConfig.bertTiny(tokenizer.vocabSize()).withWidth(16, 4, 32).withContextLength(24),
                new Rng(3));
        bert.eval();
        return new SentenceEncoder(bert, tokenizer, Pooling.of(Pooling.Mode.MAX, Pooling.Mode.MEAN), true, 20);
    }

    /** Writes the folder into {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        write(encoder(), Path.of(args[0]));
    }

    private static void write(SentenceEncoder encoder, Path folder) throws IOException {
        SentenceTransformersFolder.write(folder, encoder.model(), encoder.tokenizer(), encoder.pooling(), true,
                encoder.maxSequenceLength(), Map.of("query", "query: "));
    }

    private static Path written() throws Exception {
        return Path.of(WrittenSentenceTransformersTest.class.getResource("/st-written/modules.json").toURI()).getParent();
    }

    @Test
    void sentenceTransformersReadsWhatOrthrusWritesWithTheSameVectors() throws Exception {
        Path folder = dir.resolve("written");
        write(encoder(), folder);
        List<Path> files;
        try (Stream<Path> all = Files.walk(folder)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        assertEquals(10, files.size(), files.toString());
        for (Path file : files) {
            Path committed = written().resolve(folder.relativize(file).toString());
            assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(file), folder.relativize(file)
                    + " is not what the reference was made from; see the class comment to regenerate");
        }
        JsonObject reference = JsonParser.parseString(Files.readString(written().resolve("reference.json")))
                .getAsJsonObject();
        List<String> texts = new ArrayList<>();
        reference.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));
        SentenceEncoder loaded = SentenceEncoder.load(folder);
        assertEquals(Map.of("query", "query: "), loaded.prompts());
        assertClose(reference.getAsJsonArray("embeddings"), loaded.withBatchSize(2).encode(texts));
        assertClose(reference.getAsJsonArray("query_embeddings"), loaded.withPromptName("query").encode(texts));
        assertClose(reference.getAsJsonArray("embeddings"), encoder().encode(texts)); // the model before saving
    }

    private static void assertClose(JsonArray expected, float[][] actual) {
        double worst = 0;
        for (int r = 0; r < actual.length; r++) {
            for (int j = 0; j < actual[r].length; j++) {
                worst = Math.max(worst, Math.abs(expected.get(r).getAsJsonArray().get(j).getAsDouble() - actual[r][j]));
            }
        }
        assertTrue(worst < 1e-4, "largest difference to sentence-transformers: " + worst);
    }

    @Test
    void modesOutOfSentenceTransformersOrderAreRefused() throws Exception {
        SentenceEncoder encoder = encoder();
        var e = assertThrows(IllegalArgumentException.class, () -> SentenceTransformersFolder.write(dir.resolve("x"),
                encoder.model(), encoder.tokenizer(), Pooling.of(Pooling.Mode.MEAN, Pooling.Mode.MAX), false, 20, Map.of()));
        assertTrue(e.getMessage().contains("order"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x")), "nothing written");
    }
}
