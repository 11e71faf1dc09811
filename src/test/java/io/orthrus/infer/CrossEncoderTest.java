package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.io.HuggingFaceBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reranker scores against sentence-transformers' {@code CrossEncoder.predict}: the folders of
 * {@code src/test/resources/cross-encoder}, written and scored by
 * {@code src/test/python/make_cross_encoder_fixtures.py} (batch 2; one pair longer than the 12-token limit).
 */
class CrossEncoderTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(CrossEncoderTest.class.getResource("/cross-encoder/" + name + "/config.json").toURI()).getParent();
    }

    private static JsonObject reference(Path folder) throws Exception {
        return JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
    }

    private static List<String> documents(JsonObject reference) {
        List<String> out = new ArrayList<>();
        reference.getAsJsonArray("documents").forEach(d -> out.add(d.getAsString()));
        return out;
    }

    private static void assertClose(JsonElement expected, float[] actual) {
        JsonArray row = expected.isJsonArray() ? expected.getAsJsonArray() : null;
        for (int j = 0; j < actual.length; j++) {
            double want = row == null ? expected.getAsDouble() : row.get(j).getAsDouble();
            assertEquals(want, actual[j], TOLERANCE, "label " + j);
        }
    }

    @Test
    void aSingleLabelRerankerScoresAsSentenceTransformers() throws Exception {
        Path folder = fixture("one-label");
        JsonObject reference = reference(folder);
        CrossEncoder reranker = CrossEncoder.load(folder);
        assertEquals(1, reranker.labels());
        assertEquals(CrossEncoder.Activation.SIGMOID, reranker.activation());
        assertEquals(12, reranker.maxSequenceLength());
        String query = reference.get("query").getAsString();
        List<String> documents = documents(reference);
        float[] scores = reranker.withBatchSize(2).score(query, documents);
        JsonArray expected = reference.getAsJsonArray("scores");
        for (int i = 0; i < scores.length; i++) {
            assertClose(expected.get(i), new float[] {scores[i]});
        }
        assertArrayEquals(scores, reranker.score(query, documents), 1e-6f); // one batch: padding changes nothing
        List<CrossEncoder.Ranked> ranked = reranker.rank(query, documents);
        for (int i = 1; i < ranked.size(); i++) {
            assertTrue(ranked.get(i - 1).score() >= ranked.get(i).score());
        }
        assertEquals(documents.get(ranked.get(0).index()), ranked.get(0).document());
        JsonArray ids = reference.getAsJsonArray("ids");
        var tokenizer = HuggingFaceBert.loadClassifier(folder).tokenizer();
        for (int i = 0; i < documents.size(); i++) {
            int[] want = new int[ids.get(i).getAsJsonArray().size()];
            for (int j = 0; j < want.length; j++) {
                want[j] = ids.get(i).getAsJsonArray().get(j).getAsInt();
            }
            assertArrayEquals(want, tokenizer.encodePair(query, documents.get(i), 12).ids(), "pair " + i);
        }
    }

    @Test
    void severalLabelsGiveLogitsAndProbabilities() throws Exception {
        Path folder = fixture("three-labels"); // the older layout: activation in config.json, no modules.json
        JsonObject reference = reference(folder);
        CrossEncoder reranker = CrossEncoder.load(folder).withBatchSize(2);
        assertEquals(3, reranker.labels());
        assertEquals(CrossEncoder.Activation.IDENTITY, reranker.activation());
        String query = reference.get("query").getAsString();
        float[][] scores = reranker.scores(query, documents(reference));
        float[][] probabilities = reranker.probabilities(query, documents(reference));
        for (int i = 0; i < scores.length; i++) {
            assertClose(reference.getAsJsonArray("scores").get(i), scores[i]);
            assertClose(reference.getAsJsonArray("softmax").get(i), probabilities[i]);
        }
        var e = assertThrows(IllegalStateException.class, () -> reranker.score(query, documents(reference)));
        assertTrue(e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void aSentenceEncoderFolderIsNotAReranker() throws Exception {
        Path encoder = SentenceEncoderTest.fixture("cls");
        var e = assertThrows(IllegalArgumentException.class, () -> CrossEncoder.load(encoder));
        assertTrue(e.getMessage().contains("modules.json") && e.getMessage().contains("SentenceEncoder"), e.getMessage());
        Path copy = dir.resolve("bad-activation");
        Files.createDirectories(copy);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "modules.json", "sentence_bert_config.json")) {
            Files.copy(fixture("one-label").resolve(file), copy.resolve(file));
        }
        Files.writeString(copy.resolve("config_sentence_transformers.json"),
                "{\"model_type\": \"CrossEncoder\", \"activation_fn\": \"torch.nn.modules.activation.GELU\"}");
        var activation = assertThrows(IllegalArgumentException.class, () -> CrossEncoder.load(copy));
        assertTrue(activation.getMessage().contains("activation_fn") && activation.getMessage().contains("GELU"),
                activation.getMessage());
    }

    @Test
    void aDistilBertRerankerScoresAsSentenceTransformersAndIsNotSavedInALayoutThatWouldChangeIt() throws Exception {
        Path folder = fixture("distilbert");
        JsonObject reference = reference(folder);
        CrossEncoder reranker = CrossEncoder.load(folder);
        float[] scores = reranker.withBatchSize(2).score(reference.get("query").getAsString(), documents(reference));
        JsonArray expected = reference.getAsJsonArray("scores");
        for (int i = 0; i < scores.length; i++) {
            assertClose(expected.get(i), new float[] {scores[i]});
        }
        var e = assertThrows(IllegalArgumentException.class, () -> reranker.save(dir.resolve("saved")));
        assertTrue(e.getMessage().contains("a DistilBERT classifier"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("saved")), "nothing written");
    }
}
