package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TextDataset;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.nn.KvCache;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingListener;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GptTest {
    static final String SENTENCE = "the quick brown fox jumps over the lazy dog. ";
    static final String CORPUS = SENTENCE.repeat(60);
    /**
     * In the repeated sentence every character is determined by the five before it, so a model
     * that has learned the text has near-zero loss beyond the first few positions of a window;
     * the first positions (one to four characters of context) keep about 1 nat of uncertainty
     * between them, which averages to about 0.1 over a window of 16. Untrained, the loss is
     * ln 29 ≈ 3.37.
     */
    private static final double LEARNED_LOSS = 0.3;

    static TransformerConfig config(int vocab) {
        return TransformerConfig.tiny(vocab).withContextLength(16);
    }

    static TrainingResult train(Gpt model, CausalLm objective, CharTokenizer tokenizer, int steps, List<Double> losses) {
        TextDataset data = TextDataset.of(CORPUS, tokenizer, 0.9);
        TrainingOptions options = new TrainingOptions(steps, 3e-3, 3e-4, 20, 0.0, 0.9, 0.99, 1.0, 1, 0, 4);
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, objective, options);
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                losses.add(m.loss());
            }
        });
        Rng rng = new Rng(11);
        return trainer.fit(data.trainWindows(17, 8, rng), data.validationWindows(17, 8, rng.split()));
    }

    @Test
    void lossAtInitialisationIsCloseToLnVocab() {
        int vocab = 65;
        Gpt gpt = new Gpt(TransformerConfig.nanoGptCpu(vocab), new Rng(1));
        int[] ids = new int[4 * 65];
        Rng rng = new Rng(2);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(vocab);
        }
        float loss = CausalLm.leftToRight().loss(gpt, IntTensor.wrap(ids, 4, 65)).item();
        // Logits start with std ≈ 0.02·√C ≈ 0.23, which adds about var/2 ≈ 0.03 to ln V.
        assertEquals(Math.log(vocab), loss, 0.1);
    }

    @Test
    void aTinyGptLearnsARepeatedSentenceDeterministically() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        List<Double> first = new ArrayList<>(), second = new ArrayList<>();
        TrainingResult result = train(new Gpt(config(tokenizer.vocabSize()), new Rng(5)), CausalLm.leftToRight(),
                tokenizer, 300, first);
        assertTrue(first.get(0) > 3.0, "initial loss " + first.get(0));
        assertTrue(result.finalTrainLoss() < LEARNED_LOSS, "final train loss " + result.finalTrainLoss());
        assertTrue(result.validationLoss() < LEARNED_LOSS, "validation loss " + result.validationLoss());
        List<Double> third = new ArrayList<>();
        train(new Gpt(config(tokenizer.vocabSize()), new Rng(5)), CausalLm.leftToRight(), tokenizer, 30, second);
        train(new Gpt(config(tokenizer.vocabSize()), new Rng(5)), CausalLm.leftToRight(), tokenizer, 30, third);
        assertEquals(second, third); // bit-identical for a fixed seed

        Generator generator = new Generator(new Gpt(config(tokenizer.vocabSize()), new Rng(5)), tokenizer);
        Gpt trained = new Gpt(config(tokenizer.vocabSize()), new Rng(5));
        train(trained, CausalLm.leftToRight(), tokenizer, 300, new ArrayList<>());
        String text = new Generator(trained, tokenizer).generate("the lazy", GenerationConfig.greedy(30));
        assertEquals(" dog. the quick brown fox jump", text);
        assertEquals(30, generator.generate("the", GenerationConfig.sampling(30, 1f, 3)).length());
    }

    @Test
    void aRightToLeftGptWritesWhatComesBeforeAnEnding() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        Gpt model = new Gpt(config(tokenizer.vocabSize()), Direction.RIGHT_TO_LEFT, new Rng(5));
        TrainingResult result = train(model, CausalLm.rightToLeft(), tokenizer, 300, new ArrayList<>());
        assertTrue(result.validationLoss() < LEARNED_LOSS, "validation loss " + result.validationLoss());
        String before = new Generator(model, tokenizer).generate("lazy dog.", GenerationConfig.greedy(15));
        assertEquals("jumps over the ", before);
        var mismatch = assertThrows(IllegalArgumentException.class,
                () -> CausalLm.leftToRight().loss(model, IntTensor.of(new int[] {1, 2, 3}, 1, 3)));
        assertTrue(mismatch.getMessage().contains("RIGHT_TO_LEFT"), mismatch.getMessage());
    }

    @Test
    void rightToLeftTargetsAreThePreviousTokens() {
        IntTensor[] pair = CausalLm.rightToLeft().inputsAndTargets(IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4));
        assertArrayEquals(new int[] {4, 3, 2}, pair[0].data());
        assertArrayEquals(new int[] {3, 2, 1}, pair[1].data());
        IntTensor[] forward = CausalLm.leftToRight().inputsAndTargets(IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4));
        assertArrayEquals(new int[] {1, 2, 3}, forward[0].data());
        assertArrayEquals(new int[] {2, 3, 4}, forward[1].data());
    }

    @Test
    void cachedForwardGivesTheSameLogitsAsAFullForward() {
        for (TransformerConfig.PositionalEncoding positions : TransformerConfig.PositionalEncoding.values()) {
            Gpt gpt = new Gpt(config(20).withPositions(positions), new Rng(7));
            int[] ids = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
            try (var g = NoGrad.enter()) {
                Tensor full = gpt.forward(IntTensor.wrap(ids, 1, ids.length)); // (1, 10, V)
                KvCache cache = gpt.newCache();
                Tensor prefix = gpt.forward(IntTensor.wrap(java.util.Arrays.copyOf(ids, 4), 1, 4), cache);
                assertArrayEquals(full.narrow(1, 0, 4).toArray(), prefix.toArray(), 1e-5f, positions.toString());
                for (int t = 4; t < ids.length; t++) {
                    Tensor step = gpt.forward(IntTensor.wrap(new int[] {ids[t]}, 1, 1), cache);
                    assertArrayEquals(full.narrow(1, t, 1).toArray(), step.toArray(), 1e-5f, positions + " at " + t);
                }
                assertEquals(ids.length, cache.length());
            }
        }
    }

    @Test
    void cachedAndUncachedGenerationPickTheSameTokensAlsoPastTheContext() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        Gpt model = new Gpt(config(tokenizer.vocabSize()), new Rng(9));
        Generator generator = new Generator(model, tokenizer);
        for (GenerationConfig config : List.of(GenerationConfig.greedy(40), GenerationConfig.greedy(40).withWindowShift(1),
                GenerationConfig.sampling(40, 0.8f, 4).withTopK(5), GenerationConfig.sampling(40, 1.2f, 6).withTopP(0.9f))) {
            String cached = generator.generate("the quick", config.withCache(true));
            String uncached = generator.generate("the quick", config.withCache(false));
            assertEquals(uncached, cached, config.toString());
            assertEquals(40, cached.length());
        }
    }

    @Test
    void generationStopsAtTheStopTokenAndStreamsEveryToken() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        Gpt model = new Gpt(config(tokenizer.vocabSize()), new Rng(9));
        List<String> pieces = new ArrayList<>();
        int stop = tokenizer.encode(" ")[0];
        String text = new Generator(model, tokenizer).generate("fox",
                GenerationConfig.sampling(200, 1f, 1).withStopToken(stop), pieces::add);
        assertEquals(text, String.join("", pieces));
        assertTrue(text.endsWith(" ") || text.length() == 200, text);
        assertTrue(text.indexOf(' ') == text.length() - 1 || text.indexOf(' ') < 0, text);
    }

    @Test
    void badInputsSayWhatIsWrong() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
        Gpt model = new Gpt(config(tokenizer.vocabSize()), new Rng(9));
        Generator generator = new Generator(model, tokenizer);
        var unseen = assertThrows(IllegalArgumentException.class, () -> generator.generate("Zebra", GenerationConfig.greedy(3)));
        assertTrue(unseen.getMessage().contains("'Z'") && unseen.getMessage().contains("vocabulary"), unseen.getMessage());
        var tooLong = assertThrows(IllegalArgumentException.class,
                () -> generator.generate("the quick brown fox", GenerationConfig.greedy(3)));
        assertTrue(tooLong.getMessage().contains("context"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> generator.generate("", GenerationConfig.greedy(3)));
        var shortCorpus = assertThrows(IllegalArgumentException.class,
                () -> TextDataset.of("the fox", tokenizer, 0.9).trainWindows(17, 2, new Rng(1)));
        assertTrue(shortCorpus.getMessage().contains("fewer than one window"), shortCorpus.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromCorpus(""));
        assertThrows(IllegalArgumentException.class, () -> model.forward(IntTensor.of(new int[] {99}, 1, 1)));
    }
}
