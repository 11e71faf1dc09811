package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Bert;
import io.orthrus.model.CopyTask;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.WordPiece;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BertInferenceTest {
    private static final WordPiece TOKENIZER = CopyTask.TOKENIZER;
    private static Bert model;

    @BeforeAll
    static void train() {
        model = CopyTask.train(7).model();
    }

    @Test
    void fillMaskFindsTheWordFromEitherSide() {
        FillMask fill = new FillMask(model, TOKENIZER);
        List<List<FillMask.Prediction>> right = fill.fill("ant bee cat dog | ant [MASK] cat dog", 3);
        assertEquals(1, right.size());
        assertEquals("bee", right.get(0).get(0).token(), right.toString());
        assertTrue(right.get(0).get(0).probability() > 0.5, right.toString());
        assertTrue(right.get(0).get(0).probability() >= right.get(0).get(1).probability());
        List<List<FillMask.Prediction>> two = fill.fill("[MASK] fox gnu hen | eel fox [MASK] hen", 1);
        assertEquals("eel", two.get(0).get(0).token(), "answer to the right of the mask: " + two);
        assertEquals("gnu", two.get(1).get(0).token(), "answer to the left of the mask: " + two);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fill.fill("ant bee", 3));
        assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
    }

    @Test
    void pseudoPerplexityPrefersConsistentText() {
        Scorer.Score consistent = Scorer.pseudoLogLikelihood(model, TOKENIZER, "ant bee cat dog | ant bee cat dog");
        Scorer.Score broken = Scorer.pseudoLogLikelihood(model, TOKENIZER, "ant bee cat dog | eel fox gnu hen");
        assertEquals(9, consistent.tokens());
        assertTrue(consistent.perplexity() < broken.perplexity() / 5,
                consistent.perplexity() + " vs " + broken.perplexity());
        assertTrue(consistent.logLikelihood() <= 0);
    }

    @Test
    void vectorsAreContextualAndPoolingIgnoresPadding() {
        Embedder embedder = new Embedder(model, TOKENIZER);
        Tensor first = embedder.tokenVectors("ant bee | ant bee");
        Tensor second = embedder.tokenVectors("ant koi | ant koi");
        int c = model.config().width();
        assertArrayEquals(new int[] {7, c}, first.shape());
        float[] antFirst = Arrays.copyOfRange(first.toArray(), c, 2 * c), antSecond = Arrays.copyOfRange(second.toArray(), c, 2 * c);
        assertTrue(Embedder.cosine(antFirst, antSecond) < 0.9999, "'ant' depends on its context");

        float[] cls = embedder.sentenceVector("ant bee | ant bee", Embedder.Pooling.CLS);
        assertArrayEquals(Arrays.copyOfRange(first.toArray(), 0, c), cls, 1e-5f);
        float[] alone = embedder.sentenceVector("ant bee | ant bee", Embedder.Pooling.MEAN);
        float[][] batched = embedder.sentenceVectors(List.of("ant bee | ant bee", "cat dog eel fox | cat dog eel fox"),
                Embedder.Pooling.MEAN);
        assertArrayEquals(alone, batched[0], 1e-5f);
        assertEquals(1.0, Embedder.cosine(alone, batched[0]), 1e-6);
    }
}
