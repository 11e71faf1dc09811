package io.orthrus.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.orthrus.data.PairBatch;
import io.orthrus.data.ScoredBatch;
import io.orthrus.data.TokenBatch;
import io.orthrus.files.JsonFiles;
import io.orthrus.io.CrossEncoderFolder;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Bert;
import io.orthrus.model.PooledEncoder;
import io.orthrus.model.Pooling;
import io.orthrus.nn.Activation;
import io.orthrus.nn.Init;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.EncoderTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contrastive and cross-encoder objectives: their losses equal sentence-transformers' own on the committed
 * fixtures ({@code src/test/python/make_pair_loss_fixture.py}), and their gradients (through the pooling and the
 * whole encoder) pass a finite-difference check.
 */
class PairObjectivesTest {
    private static final double TOLERANCE = 1e-4;

    private static Path resource(String name) throws Exception {
        return Path.of(PairObjectivesTest.class.getResource("/" + name).toURI());
    }

    private static List<String> strings(JsonObject o, String field) {
        List<String> out = new ArrayList<>();
        o.getAsJsonArray(field).forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static float[] floats(JsonArray array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsFloat();
        }
        return out;
    }

    private static TokenBatch batch(EncoderTokenizer tokenizer, List<String> texts, int maxLength) {
        List<Encoding> encodings = new ArrayList<>();
        texts.forEach(t -> encodings.add(tokenizer.encode(t, maxLength)));
        return TokenBatch.of(encodings, tokenizer.padId());
    }

    @Test
    void lossesEqualSentenceTransformersOnTheSameModelAndTexts() throws Exception {
        JsonObject reference = JsonFiles.readObject(resource("pair-losses.json"));
        SentenceTransformersFolder folder = SentenceTransformersFolder.read(resource("st/mean-normalize"));
        PooledEncoder model = new PooledEncoder(folder.model(), folder.pooling(), folder.normalize());
        model.eval();
        int length = folder.maxSequenceLength();
        TokenBatch anchors = batch(folder.tokenizer(), strings(reference, "anchors"), length);
        TokenBatch positives = batch(folder.tokenizer(), strings(reference, "positives"), length);
        TokenBatch negatives = batch(folder.tokenizer(), strings(reference, "negatives"), length);
        PairBatch pairs = new PairBatch(anchors, positives, null, null);
        assertEquals(reference.get("mnr_pairs").getAsDouble(), new MultipleNegativesRanking().loss(model, pairs).item(),
                TOLERANCE);
        assertEquals(reference.get("mnr_triplets").getAsDouble(),
                new MultipleNegativesRanking().loss(model, new PairBatch(anchors, positives, negatives, null)).item(),
                TOLERANCE);
        assertEquals(reference.get("mnr_symmetric_pairs").getAsDouble(),
                new MultipleNegativesRanking(20f, true).loss(model, pairs).item(), TOLERANCE);
        float[] scores = floats(reference.getAsJsonArray("scores"));
        PairBatch scored = new PairBatch(anchors, positives, null, Tensor.wrap(scores, scores.length));
        assertEquals(reference.get("cosine").getAsDouble(), new CosineSimilarity().loss(model, scored).item(), TOLERANCE);

        CrossEncoderFolder reranker = CrossEncoderFolder.read(resource("cross-encoder/one-label"));
        EncoderTokenizer tokenizer = reranker.classifier().tokenizer();
        List<Encoding> encodedPairs = new ArrayList<>();
        List<String> a = strings(reference, "anchors"), b = strings(reference, "positives");
        for (int i = 0; i < a.size(); i++) {
            encodedPairs.add(tokenizer.encodePair(a.get(i), b.get(i), reranker.maxSequenceLength()));
        }
        float[] labels = floats(reference.getAsJsonArray("labels"));
        ScoredBatch labelled = new ScoredBatch(TokenBatch.of(encodedPairs, tokenizer.padId()),
                Tensor.wrap(labels, labels.length));
        assertEquals(reference.get("bce").getAsDouble(),
                new BinaryCrossEntropy().loss(reranker.classifier().model(), labelled).item(), TOLERANCE);
    }

    @Test
    void everyPoolingModePassesAGradientCheck() {
        IntTensor mask = IntTensor.wrap(new int[] {1, 1, 1, 0, 1, 1, 0, 0}, 2, 4);
        Tensor hidden = Tensor.randn(new Rng(3), 2, 4, 3);
        for (Pooling.Mode mode : Pooling.Mode.values()) {
            GradCheck.Result r = GradCheck.check(in -> Pooling.of(mode).apply(in[0], mask).tanh(), hidden);
            assertTrue(r.passed(), mode + ": " + r);
        }
        GradCheck.Result both = GradCheck.check(in -> PooledEncoder.unitLength(
                Pooling.of(Pooling.Mode.CLS, Pooling.Mode.MEAN).apply(in[0], mask)), hidden);
        assertTrue(both.passed(), both.toString());
    }

    @Test
    void pooledVectorsEqualTheInferencePooling() {
        IntTensor mask = IntTensor.wrap(new int[] {1, 1, 1, 0, 1, 1, 0, 0}, 2, 4);
        Tensor hidden = Tensor.randn(new Rng(3), 2, 4, 3);
        int[] lengths = {3, 2};
        for (Pooling.Mode mode : Pooling.Mode.values()) {
            Pooling pooling = Pooling.of(mode);
            float[] trained = pooling.apply(hidden, mask).data();
            for (int row = 0; row < 2; row++) {
                float[] inferred = new float[3];
                pooling.pool(hidden.data(), 4, 3, row, lengths[row], 0, inferred, 0);
                for (int j = 0; j < 3; j++) {
                    assertEquals(inferred[j], trained[row * 3 + j], 1e-6, mode + " row " + row);
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Pooling.of(Pooling.Mode.MEAN).apply(hidden, IntTensor.wrap(new int[] {0, 1, 1, 1, 1, 1, 0, 0}, 2, 4)));
    }

    private static PooledEncoder tinyEncoder() {
        TransformerConfig shape = new TransformerConfig(12, 8, 8, 2, 1, 16, Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.POST, true, true);
        return new PooledEncoder(new Bert(shape, new Rng(11)), Pooling.of(Pooling.Mode.MEAN), false);
    }

    private static TokenBatch ids(int[][] rows) {
        List<Encoding> encodings = new ArrayList<>();
        for (int[] r : rows) {
            encodings.add(new Encoding(r, new int[r.length]));
        }
        return TokenBatch.of(encodings, 0);
    }

    @Test
    void contrastiveLossesPassAGradientCheck() {
        Tensor a = Tensor.randn(new Rng(1), 3, 5), p = Tensor.randn(new Rng(2), 3, 5), n = Tensor.randn(new Rng(3), 3, 5);
        for (boolean symmetric : new boolean[] {false, true}) {
            MultipleNegativesRanking mnr = new MultipleNegativesRanking(5f, symmetric);
            GradCheck.Result pairs = GradCheck.check(in -> mnr.loss(in[0], in[1], null), a, p);
            assertTrue(pairs.passed(), "pairs, symmetric " + symmetric + ": " + pairs);
            GradCheck.Result triplets = GradCheck.check(in -> mnr.loss(in[0], in[1], in[2]), a, p, n);
            assertTrue(triplets.passed(), "triplets, symmetric " + symmetric + ": " + triplets);
        }
        Tensor scores = Tensor.of(new float[] {0.9f, 0.1f, 0.5f}, 3);
        GradCheck.Result cosine = GradCheck.check(in -> new CosineSimilarity().loss(in[0], in[1], scores), a, p);
        assertTrue(cosine.passed(), "cosine: " + cosine);
    }

    @Test
    void theirGradientsReachTheEncodersTokenVectors() {
        PooledEncoder model = tinyEncoder();
        TokenBatch anchors = ids(new int[][] {{2, 5, 6, 3}, {2, 7, 3}, {2, 8, 9, 10, 3}});
        TokenBatch positives = ids(new int[][] {{2, 6, 5, 3}, {2, 7, 7, 3}, {2, 10, 3}});
        TokenBatch negatives = ids(new int[][] {{2, 11, 3}, {2, 5, 9, 3}, {2, 6, 3}});
        Tensor tokens = model.encoder().tokenEmbedding(); // N(0, 0.02): a step of 1e-3 keeps the layer norms linear
        GradCheck.Result mnr = GradCheck.checkInPlace(() -> new MultipleNegativesRanking(5f, true).loss(model,
                new PairBatch(anchors, positives, negatives, null)), 1e-3, 1e-3, tokens);
        assertTrue(mnr.passed(), "MNR: " + mnr);
        PairBatch scored = new PairBatch(anchors, positives, null, Tensor.of(new float[] {0.9f, 0.1f, 0.5f}, 3));
        GradCheck.Result cosine = GradCheck.checkInPlace(() -> new CosineSimilarity().loss(model, scored), 1e-3, 1e-3,
                tokens);
        assertTrue(cosine.passed(), "cosine: " + cosine);
    }

    @Test
    void objectivesRefuseTheWrongKindOfBatch() {
        PooledEncoder model = tinyEncoder();
        TokenBatch one = ids(new int[][] {{2, 5, 3}});
        var e = assertThrows(IllegalArgumentException.class, () -> new CosineSimilarity().loss(model,
                new PairBatch(one, one, null, null)));
        assertTrue(e.getMessage().contains("no scores"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultipleNegativesRanking().loss(model,
                new PairBatch(one, one, null, Tensor.of(new float[] {1f}, 1))));
        assertTrue(e.getMessage().contains("scored pairs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultipleNegativesRanking(0f, false));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }
}
