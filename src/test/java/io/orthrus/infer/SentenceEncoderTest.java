package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Pooling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sentence vectors against sentence-transformers' own: the folders of {@code src/test/resources/st}, written and
 * encoded by {@code src/test/python/make_sentence_transformers_fixtures.py} with sentence-transformers 6 (batch 2,
 * so that padding within a batch matters; one text longer than the legacy folder's 10 tokens).
 */
class SentenceEncoderTest {
    /** Float32 vectors of two implementations, rounded to 7 decimals in the reference. */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Path.of(SentenceEncoderTest.class.getResource("/st/" + name + "/modules.json").toURI()).getParent();
    }

    private static JsonObject reference(Path folder) throws IOException {
        return JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
    }

    private static List<String> texts(JsonObject reference) {
        List<String> texts = new ArrayList<>();
        reference.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));
        return texts;
    }

    private static void assertClose(JsonArray expected, float[][] actual) {
        assertEquals(expected.size(), actual.length, "vectors");
        double worst = 0;
        for (int r = 0; r < actual.length; r++) {
            JsonArray row = expected.get(r).getAsJsonArray();
            assertEquals(row.size(), actual[r].length, "width of vector " + r);
            for (int j = 0; j < row.size(); j++) {
                worst = Math.max(worst, Math.abs(row.get(j).getAsDouble() - actual[r][j]));
            }
        }
        assertTrue(worst < TOLERANCE, "largest difference to sentence-transformers: " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mean-normalize", "cls", "max", "lasttoken", "mean-sqrt-len", "weightedmean", "mean-no-prompt",
            "distilbert-mean",
            "legacy-cls"})
    void vectorsAreThoseOfSentenceTransformers(String name) throws Exception {
        Path folder = fixture(name);
        JsonObject reference = reference(folder);
        SentenceEncoder encoder = SentenceEncoder.load(folder);
        List<String> texts = texts(reference);
        assertClose(reference.getAsJsonArray("embeddings"), encoder.withBatchSize(2).encode(texts));
        assertClose(reference.getAsJsonArray("embeddings"), encoder.encode(texts)); // one batch: padding changes nothing
        if (reference.has("prompt")) {
            assertClose(reference.getAsJsonArray("prompt_embeddings"),
                    encoder.withPrompt(reference.get("prompt").getAsString()).withBatchSize(2).encode(texts));
        }
    }

    @Test
    void theFolderSaysHowToPoolNormaliseAndTruncate() throws Exception {
        SentenceEncoder mean = SentenceEncoder.load(fixture("mean-normalize"));
        assertEquals(List.of(Pooling.Mode.MEAN), mean.pooling().modes());
        assertEquals(32, mean.maxSequenceLength()); // tokenizer_config.json's model_max_length
        assertEquals(16, mean.dimension());
        float[] unit = mean.encode("the dog barks .");
        double norm = 0;
        for (float x : unit) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-5);
        double raw = 0;
        for (float x : mean.withNormalization(false).encode("the dog barks .")) {
            raw += x * x;
        }
        assertFalse(Math.abs(raw - 1) < 1e-3, "without Normalize the vector keeps its length");
        assertEquals(List.of("document", "query"), List.copyOf(new java.util.TreeSet<>(mean.prompts().keySet())));

        SentenceTransformersFolder legacy = SentenceTransformersFolder.read(fixture("legacy-cls"));
        assertEquals(10, legacy.maxSequenceLength()); // sentence_bert_config.json's max_seq_length
        assertEquals(List.of(Pooling.Mode.CLS), legacy.pooling().modes());
        assertFalse(legacy.normalize());
        JsonArray ids = reference(fixture("legacy-cls")).getAsJsonArray("ids");
        List<String> texts = texts(reference(fixture("legacy-cls")));
        for (int i = 0; i < texts.size(); i++) {
            int[] expected = new int[ids.get(i).getAsJsonArray().size()];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = ids.get(i).getAsJsonArray().get(j).getAsInt();
            }
            assertArrayEquals(expected, legacy.tokenizer().encode(texts.get(i), legacy.maxSequenceLength()).ids(),
                    "ids of " + texts.get(i));
        }
        assertTrue(SentenceEncoder.load(fixture("mean-no-prompt")).pooling().toString().contains("prompt left out"));
    }

    @Test
    void manyThreadsShareOneEncoder() throws Exception {
        SentenceEncoder encoder = SentenceEncoder.load(fixture("mean-normalize")).withBatchSize(3);
        List<String> texts = texts(reference(fixture("mean-normalize")));
        float[][] expected = encoder.encode(texts);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> encoder.encode(texts)));
            }
            for (Future<float[][]> result : results) {
                float[][] actual = result.get();
                for (int r = 0; r < expected.length; r++) {
                    assertArrayEquals(expected[r], actual[r]);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A copy of fixture {@code name} in which {@code file} is replaced by {@code content}. */
    private Path broken(String name, String file, String content) throws Exception {
        Path copy = Files.createTempDirectory(dir, name + "-");
        Path source = fixture(name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target); // the root exists already
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Files.writeString(copy.resolve(file), content, StandardCharsets.UTF_8);
        return copy;
    }

    @Test
    void aFolderThatCannotBeReadIsRefusedNamingFileAndField() throws Exception {
        var dense = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls", "modules.json",
                "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
                        + "{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"},"
                        + "{\"idx\":2,\"name\":\"2\",\"path\":\"2_Dense\",\"type\":\"sentence_transformers.models.Dense\"}]")));
        assertTrue(dense.getMessage().contains("modules.json") && dense.getMessage().contains("Dense"), dense.getMessage());

        var mode = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls", "1_Pooling/config.json",
                "{\"embedding_dimension\": 16, \"pooling_mode\": \"median\"}")));
        assertTrue(mode.getMessage().contains("config.json") && mode.getMessage().contains("pooling_mode")
                && mode.getMessage().contains("median"), mode.getMessage());

        var width = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls", "1_Pooling/config.json",
                "{\"embedding_dimension\": 384, \"pooling_mode\": \"cls\"}")));
        assertTrue(width.getMessage().contains("embedding_dimension") && width.getMessage().contains("384"),
                width.getMessage());

        var order = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls", "modules.json",
                "[{\"idx\":0,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"}]")));
        assertTrue(order.getMessage().contains("modules.json"), order.getMessage());

        var escape = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls", "modules.json",
                "[{\"idx\":0,\"name\":\"0\",\"path\":\"../..\",\"type\":\"sentence_transformers.models.Transformer\"}]")));
        assertTrue(escape.getMessage().contains("leaves the folder"), escape.getMessage());

        var task = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(broken("cls",
                "sentence_bert_config.json", "{\"transformer_task\": \"text-generation\"}")));
        assertTrue(task.getMessage().contains("sentence_bert_config.json") && task.getMessage().contains("transformer_task"),
                task.getMessage());

        var prompt = assertThrows(IllegalArgumentException.class,
                () -> SentenceEncoder.load(fixture("cls")).withPromptName("passage"));
        assertTrue(prompt.getMessage().contains("passage"), prompt.getMessage());
    }

    @Test
    void aPlainEncoderFolderIsReadWithMeanPooling() throws Exception {
        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(fixture("mean-normalize").resolve(file), plain.resolve(file));
        }
        SentenceEncoder encoder = SentenceEncoder.load(plain);
        assertEquals(List.of(Pooling.Mode.MEAN), encoder.pooling().modes());
        float[][] normalized = SentenceEncoder.load(fixture("mean-normalize")).withNormalization(false)
                .encode(List.of("a cat", "the dog barks ."));
        float[][] actual = encoder.encode(List.of("a cat", "the dog barks ."));
        for (int r = 0; r < actual.length; r++) {
            assertArrayEquals(normalized[r], actual[r], 1e-6f);
        }
    }
}
