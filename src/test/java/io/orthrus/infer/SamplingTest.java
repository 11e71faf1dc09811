package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Rng;
import org.junit.jupiter.api.Test;

class SamplingTest {
    private static final float[] LOGITS = {2f, 1f, 0f, -1f, 0.5f};
    private static final int DRAWS = 200_000;
    /** Binomial standard deviation at p ≈ 0.5 over 200,000 draws is 0.0011; five of them. */
    private static final double FREQUENCY_TOLERANCE = 0.006;

    private static double[] frequencies(GenerationConfig config) {
        Rng rng = new Rng(config.seed());
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[Generator.pick(LOGITS, config, rng)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    private static double[] softmax(float[] logits, float temperature, int... kept) {
        double[] p = new double[logits.length];
        double total = 0;
        for (int i : kept) {
            p[i] = Math.exp(logits[i] / temperature);
            total += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= total;
        }
        return p;
    }

    @Test
    void samplingFollowsTheTemperedSoftmax() {
        double[] f = frequencies(GenerationConfig.sampling(1, 0.7f, 1));
        double[] expected = softmax(LOGITS, 0.7f, 0, 1, 2, 3, 4);
        for (int i = 0; i < f.length; i++) {
            assertEquals(expected[i], f[i], FREQUENCY_TOLERANCE, "token " + i);
        }
    }

    @Test
    void topKAndTopPOnlyDrawFromTheirSets() {
        double[] topK = frequencies(GenerationConfig.sampling(1, 1f, 2).withTopK(2));
        double[] expectedK = softmax(LOGITS, 1f, 0, 1);
        for (int i = 0; i < topK.length; i++) {
            assertEquals(expectedK[i], topK[i], FREQUENCY_TOLERANCE, "top-k token " + i);
        }
        // Probabilities 0.563, 0.207, 0.076, 0.028, 0.126: tokens 0 and 1 make 0.770, so p = 0.8 also keeps token 4.
        double[] topP = frequencies(GenerationConfig.sampling(1, 1f, 3).withTopP(0.8f));
        double[] expectedP = softmax(LOGITS, 1f, 0, 1, 4);
        for (int i = 0; i < topP.length; i++) {
            assertEquals(expectedP[i], topP[i], FREQUENCY_TOLERANCE, "top-p token " + i);
        }
    }

    @Test
    void minPKeepsTokensAtLeastThatShareOfTheLikeliest() {
        // Relative to token 0: token 1 at e^-1 = 0.37, token 4 at e^-1.5 = 0.22, token 2 at 0.14, token 3 at 0.05.
        double[] minP = frequencies(GenerationConfig.sampling(1, 1f, 4).withMinP(0.2f));
        double[] expected = softmax(LOGITS, 1f, 0, 1, 4);
        for (int i = 0; i < minP.length; i++) {
            assertEquals(expected[i], minP[i], FREQUENCY_TOLERANCE, "min-p token " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(1).withMinP(1.5f));
    }

    @Test
    void theRepetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        float[] logits = {2f, 1.9f, -1f, -1.1f};
        GenerationConfig greedy = GenerationConfig.greedy(1).withRepetitionPenalty(1.2f);
        assertEquals(1, Generator.pick(logits.clone(), greedy, new Rng(1), new int[] {0, 0}, 2), "2/1.2 < 1.9");
        float[] changed = logits.clone();
        Generator.pick(changed, greedy, new Rng(1), new int[] {0, 2, 0, 2, 9}, 5); // 9: outside, ignored
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2f / 1.2f, 1.9f, -1.2f, -1.1f}, changed, 1e-6f,
                "each seen token once");
        assertEquals(0, Generator.pick(logits.clone(), GenerationConfig.greedy(1), new Rng(1), new int[] {0}, 1),
                "no penalty by default");
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(1).withRepetitionPenalty(0f));
    }

    @Test
    void tokensAreOrderedByDescendingLogitWithTiesById() {
        float[] logits = {0.5f, -2f, 3f, 0.5f, Float.NEGATIVE_INFINITY, -0f, 0f, 1e-30f};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 0, 3, 7, 6, 5, 1, 4},
                Generator.byDescendingLogit(logits));
    }

    @Test
    void greedyTakesTheLargestLogitAndConfigsAreValidated() {
        assertEquals(0, Generator.pick(LOGITS, GenerationConfig.greedy(1), new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(1, -1f, 0));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(1).withTopP(0f));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(1).withTopK(-1));
        assertTrue(GenerationConfig.greedy(3).useCache());
    }

    @Test
    void logitsThatAreNaNOrPlusInfinityAreRefusedAndMinusInfinityRulesATokenOut() {
        float[] broken = {0.5f, Float.NaN, 1f};
        for (GenerationConfig config : new GenerationConfig[] {GenerationConfig.greedy(1), GenerationConfig.sampling(1, 1f, 1),
                GenerationConfig.sampling(1, 1f, 1).withTopK(2)}) {
            var e = assertThrows(IllegalStateException.class, () -> Generator.pick(broken, config, new Rng(1)));
            assertTrue(e.getMessage().contains("token 1 is NaN"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> Generator.pick(new float[] {0f, Float.POSITIVE_INFINITY},
                GenerationConfig.greedy(1), new Rng(1)));
        assertEquals(1, Generator.pick(new float[] {Float.NEGATIVE_INFINITY, 0f}, GenerationConfig.sampling(1, 1f, 3),
                new Rng(3)));
    }
}
