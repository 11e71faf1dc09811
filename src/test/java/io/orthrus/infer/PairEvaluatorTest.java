package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.PairDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairEvaluatorTest {
    @Test
    void spearmanRanksWithTiesAveraged() {
        assertEquals(0.8, PairEvaluator.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 30, 20, 40}), 1e-12);
        assertEquals(-1.0, PairEvaluator.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // ranks (1.5, 1.5, 3) against (1, 2, 3): scipy.stats.spearmanr gives 0.8660254
        assertEquals(0.8660254037844387, PairEvaluator.spearman(new double[] {5, 5, 7}, new double[] {1, 2, 3}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PairEvaluator.spearman(new double[] {1}, new double[] {1}));
    }

    @Test
    void retrievalFindsATextItselfFirstAndCountsRanks() throws Exception {
        SentenceEncoder encoder = SentenceEncoder.load(SentenceEncoderTest.fixture("mean-normalize"));
        List<String> texts = List.of("the dog barks .", "a cat", "money in the bank", "river bank", "sitting cats");
        PairDataset same = PairDataset.of(texts.stream().map(t -> PairDataset.Example.related(t, t)).toList());
        PairEvaluator.Retrieval perfect = PairEvaluator.retrieval(encoder, same);
        assertEquals(1.0, perfect.recallAt1());
        assertEquals(1.0, perfect.mrr());
        assertEquals(5, perfect.candidates());
        // each anchor's positive is the next text: its rank is whatever the encoder says, and MRR lies between 1/5 and 1
        PairDataset shifted = PairDataset.of(java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> PairDataset.Example.related(texts.get(i), texts.get((i + 1) % 5))).toList());
        PairEvaluator.Retrieval r = PairEvaluator.retrieval(encoder, shifted);
        assertTrue(r.mrr() >= 0.2 && r.mrr() < 1 && r.recallAt10() == 1.0 && r.recallAt1() < 1, r.toString());
        assertThrows(IllegalArgumentException.class, () -> PairEvaluator.retrieval(encoder,
                PairDataset.of(List.of(PairDataset.Example.scored("a", "b", 1)))));
    }
}
