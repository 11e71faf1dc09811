package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.tokenize.TemplateTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RoBERTa-family sentence encoders and rerankers against sentence-transformers: the folders of
 * {@code src/test/resources/roberta}, written and scored by {@code src/test/python/make_roberta_fixtures.py} (a
 * byte-level BPE with RoBERTa's template, a random RobertaModel and RobertaForSequenceClassification).
 */
class RobertaEncodersTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Path.of(RobertaEncodersTest.class.getResource("/roberta/" + name + "/config.json").toURI()).getParent();
    }

    static JsonObject reference(Path folder) throws Exception {
        return JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    static void assertClose(JsonArray expected, float[][] actual) {
        assertEquals(expected.size(), actual.length);
        double worst = 0;
        for (int r = 0; r < actual.length; r++) {
            for (int j = 0; j < actual[r].length; j++) {
                worst = Math.max(worst, Math.abs(expected.get(r).getAsJsonArray().get(j).getAsDouble() - actual[r][j]));
            }
        }
        assertTrue(worst < TOLERANCE, "largest difference to sentence-transformers: " + worst);
    }

    @Test
    void aRobertaSentenceEncoderGivesTheIdsAndVectorsOfSentenceTransformers() throws Exception {
        Path folder = fixture("st-mean");
        JsonObject reference = reference(folder);
        SentenceEncoder encoder = SentenceEncoder.load(folder);
        assertTrue(encoder.tokenizer() instanceof TemplateTokenizer, encoder.tokenizer().toString());
        List<String> texts = strings(reference.getAsJsonArray("texts"));
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(ints(reference.getAsJsonArray("ids").get(i).getAsJsonArray()),
                    encoder.tokenizer().encode(texts.get(i), encoder.maxSequenceLength()).ids(), texts.get(i));
        }
        assertClose(reference.getAsJsonArray("embeddings"), encoder.withBatchSize(2).encode(texts));
        assertClose(reference.getAsJsonArray("embeddings"), encoder.encode(texts));

        Path saved = dir.resolve("saved");
        encoder.save(saved);
        JsonObject config = JsonParser.parseString(Files.readString(saved.resolve("config.json"))).getAsJsonObject();
        assertEquals("roberta", config.get("model_type").getAsString());
        assertEquals(42, config.get("max_position_embeddings").getAsInt(), "40 positions after the padding id 1, as read");
        assertClose(reference.getAsJsonArray("embeddings"), SentenceEncoder.load(saved).encode(texts));
    }

    @Test
    void aLeftTruncatingTokenizerDropsTheBeginningsAsTransformersDoes() throws Exception {
        Path folder = fixture("st-left");
        JsonObject reference = reference(folder);
        SentenceEncoder encoder = SentenceEncoder.load(folder);
        assertEquals(io.orthrus.tokenize.EncoderTokenizer.TruncationSide.LEFT, encoder.tokenizer().truncationSide());
        List<String> texts = strings(reference.getAsJsonArray("texts"));
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(ints(reference.getAsJsonArray("ids").get(i).getAsJsonArray()),
                    encoder.tokenizer().encode(texts.get(i), encoder.maxSequenceLength()).ids(), texts.get(i));
        }
        List<String> documents = strings(reference.getAsJsonArray("documents"));
        for (int i = 0; i < documents.size(); i++) {
            assertArrayEquals(ints(reference.getAsJsonArray("pair_ids").get(i).getAsJsonArray()), encoder.tokenizer()
                    .encodePair(reference.get("query").getAsString(), documents.get(i), 12).ids(), documents.get(i));
        }
        assertClose(reference.getAsJsonArray("embeddings"), encoder.withBatchSize(2).encode(texts));
        Path saved = dir.resolve("saved");
        encoder.save(saved);
        assertTrue(Files.readString(saved.resolve("tokenizer_config.json")).contains("\"truncation_side\": \"left\""));
        assertClose(reference.getAsJsonArray("embeddings"), SentenceEncoder.load(saved).encode(texts));
    }

    @Test
    void aRobertaRerankerScoresAsSentenceTransformers() throws Exception {
        Path folder = fixture("cross-encoder");
        JsonObject reference = reference(folder);
        CrossEncoder reranker = CrossEncoder.load(folder);
        String query = reference.get("query").getAsString();
        List<String> documents = strings(reference.getAsJsonArray("documents"));
        for (int i = 0; i < documents.size(); i++) {
            assertArrayEquals(ints(reference.getAsJsonArray("ids").get(i).getAsJsonArray()),
                    reranker.tokenizer().encodePair(query, documents.get(i),
                            reranker.maxSequenceLength()).ids(), documents.get(i));
        }
        float[] scores = reranker.score(query, documents);
        JsonArray expected = reference.getAsJsonArray("scores");
        for (int i = 0; i < scores.length; i++) {
            assertEquals(expected.get(i).getAsDouble(), scores[i], TOLERANCE, documents.get(i));
        }
        Path saved = dir.resolve("saved");
        reranker.save(saved);
        assertTrue(Files.readString(saved.resolve("config.json")).contains("RobertaForSequenceClassification"));
        assertArrayEquals(scores, CrossEncoder.load(saved).score(query, documents), 1e-6f);
    }

    @Test
    void aRobertaFolderWithoutRobertasTemplateIsRefused() throws Exception {
        Path folder = dir.resolve("no-template");
        Files.createDirectories(folder);
        Path source = fixture("st-mean");
        for (String name : List.of("config.json", "model.safetensors")) {
            Files.copy(source.resolve(name), folder.resolve(name));
        }
        Files.writeString(folder.resolve("tokenizer.json"), Files.readString(source.resolve("tokenizer.json"))
                .replace("\"RobertaProcessing\"", "\"ByteLevel\""));
        var e = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.load(folder));
        assertTrue(e.getMessage().contains("tokenizer.json: a roberta model needs RoBERTa's template"), e.getMessage());
    }

    /** Writes the folders {@code make_written_roberta_fixture.py} reads: the fixtures as Orthrus saves them. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        SentenceEncoder.load(fixture("st-mean")).save(out.resolve("st"));
        CrossEncoder.load(fixture("cross-encoder")).save(out.resolve("cross-encoder"));
    }

    @Test
    void sentenceTransformersReadsTheFoldersOrthrusWrites() throws Exception {
        Path written = Path.of(RobertaEncodersTest.class.getResource("/roberta-written/st/config.json").toURI()).getParent()
                .getParent();
        JsonObject st = reference(written.resolve("st"));
        SentenceEncoder encoder = SentenceEncoder.load(written.resolve("st"));
        assertClose(st.getAsJsonArray("embeddings"), encoder.encode(strings(st.getAsJsonArray("texts"))));
        JsonObject ce = reference(written.resolve("cross-encoder"));
        float[] scores = CrossEncoder.load(written.resolve("cross-encoder")).score(ce.get("query").getAsString(),
                strings(ce.getAsJsonArray("documents")));
        for (int i = 0; i < scores.length; i++) {
            assertEquals(ce.getAsJsonArray("scores").get(i).getAsDouble(), scores[i], TOLERANCE);
        }
    }
}
