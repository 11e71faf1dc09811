package io.orthrus.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.BatchSource;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Activation;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

public class MixtureTest {
    static final int WORDS = Grammar.english().vocabulary().size();
    static final int MASK = WORDS;

    public static Gpt gpt(long seed) {
        return new Gpt(new TransformerConfig(WORDS + 1, 16, 64, 4, 2, 256, Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.PRE, false, true), new Rng(seed));
    }

    public static MaskedLm masking() {
        return new MaskedLm(new MaskedLm.Vocabulary(WORDS + 1, MASK, id -> id == MASK, id -> false),
                MaskedLm.Options.bert(3));
    }

    /** Mean loss of {@code objective} on {@code batches}, in evaluation mode. */
    static double evaluate(Gpt model, Objective<? super Gpt, IntTensor> objective, List<IntTensor> batches) {
        return model.evaluating(() -> batches.stream().mapToDouble(b -> objective.loss(model, b).item()).average().orElseThrow());
    }

    public static List<IntTensor> fixed(int count, long seed) {
        BatchSource<IntTensor> source = DenoisingTest.grammarWindows(32, 17, new Rng(seed));
        List<IntTensor> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(source.next());
        }
        return out;
    }

    public static Gpt train(Objective<? super Gpt, IntTensor> objective, int steps) {
        Gpt model = gpt(4);
        TrainingOptions options = new TrainingOptions(steps, 3e-3, 3e-4, Math.min(50, steps / 10), 0.01, 0.9, 0.98, 1.0,
                1, 0, 2);
        new Trainer<>(model, objective, options).fit(DenoisingTest.grammarWindows(32, 17, new Rng(5)),
                DenoisingTest.grammarWindows(32, 17, new Rng(6)));
        return model;
    }

    /** Causal and masked-LM validation losses of a model trained with each objective, in that order: causal-only, MLM-only, mixture. */
    public static double[][] compare(int steps) {
        List<IntTensor> validation = fixed(10, 9);
        CausalLm causal = CausalLm.leftToRight();
        Objective<io.orthrus.model.LanguageModel, IntTensor> mlm = masking().onWindows();
        Mixture<Gpt, IntTensor> mixture = new Mixture<>(List.of(Mixture.part(causal, 1), Mixture.part(mlm, 1),
                Mixture.part(PrefixLm.randomPrefix(7), 1)), 8);
        List<Objective<? super Gpt, IntTensor>> objectives = List.of(causal, mlm, mixture);
        double[][] table = new double[3][];
        for (int i = 0; i < 3; i++) {
            Gpt model = train(objectives.get(i), steps);
            table[i] = new double[] {evaluate(model, causal, validation), evaluate(model, mlm, validation)};
        }
        return table;
    }

    @Test
    void oneStackLearnsToContinueAndToFillMasks() {
        double[][] t = compare(200);
        double[] causalOnly = t[0], mlmOnly = t[1], mixture = t[2];
        // Each specialist fails the other task by far (an AR model never saw a mask: it guesses from the
        // left alone; an MLM model never predicted a next token from the left alone); the mixture does both.
        assertTrue(mixture[0] < mlmOnly[0] - 1, "continuing: mixture " + mixture[0] + " vs MLM-only " + mlmOnly[0]);
        assertTrue(mixture[1] < causalOnly[1] - 1, "filling masks: mixture " + mixture[1] + " vs causal-only " + causalOnly[1]);
        assertTrue(mixture[0] < causalOnly[0] + 0.5 && mixture[1] < mlmOnly[1] + 1,
                "close to each specialist: " + java.util.Arrays.deepToString(t));
    }

    /** An objective that only counts its calls. */
    private static final class Counting implements Objective<Object, Integer> {
        int calls;

        @Override
        public Tensor loss(Object model, Integer batch) {
            calls++;
            return Tensor.scalar(batch);
        }

        @Override
        public int predictions(Integer batch) {
            return batch;
        }

        @Override
        public String name() {
            return "counting";
        }
    }

    @Test
    void trainingDrawsPartsByWeightAndEvaluationAveragesThem() {
        Counting heavy = new Counting(), light = new Counting();
        Mixture<Object, Integer> draws = new Mixture<>(List.of(Mixture.part(heavy, 3), Mixture.part(light, 1)), 5);
        for (int i = 0; i < 4000; i++) {
            draws.loss(new Object(), 1); // not a Module: always training
        }
        assertEquals(0.75, heavy.calls / 4000.0, 0.02);
        assertEquals(4000, heavy.calls + light.calls);

        Gpt model = gpt(1);
        List<IntTensor> batches = fixed(1, 2);
        CausalLm causal = CausalLm.leftToRight();
        PrefixLm prefix = PrefixLm.fixedPrefix(8);
        Mixture<Gpt, IntTensor> mixture = new Mixture<>(List.of(Mixture.part(causal, 3), Mixture.part(prefix, 1)), 5);
        double expected = 0.75 * evaluate(model, causal, batches) + 0.25 * evaluate(model, prefix, batches);
        assertEquals(expected, evaluate(model, mixture, batches), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> Mixture.part(causal, 0));
        assertThrows(IllegalArgumentException.class, () -> new Mixture<Gpt, IntTensor>(List.of(), 1));
    }

    @Test
    void prefixLmScoresOnlyPositionsThatCannotSeeTheirTarget() {
        Gpt model = gpt(2);
        IntTensor window = fixed(1, 3).get(0);
        int t = window.shape()[1] - 1, p = 6;
        // The loss is the mean next-token cross-entropy over positions p-1 .. T-1 under the prefix mask:
        // earlier positions see the token they would predict and are not scored.
        float loss = lossOf(model, PrefixLm.fixedPrefix(p), window);
        IntTensor[] pair = CausalLm.leftToRight().inputsAndTargets(window);
        float[] logProbs;
        try (var g = NoGrad.enter()) {
            logProbs = model.logits(pair[0], io.orthrus.nn.AttentionMask.prefix(p)).logSoftmax(-1).toArray();
        }
        int b = window.shape()[0], v = WORDS + 1;
        double sum = 0;
        for (int row = 0; row < b; row++) {
            for (int i = p - 1; i < t; i++) {
                sum -= logProbs[(row * t + i) * v + pair[1].data()[row * t + i]];
            }
        }
        assertEquals(sum / (b * (t - p + 1)), loss, 1e-5);
        // A fully causal run and a prefix run agree at positions after the prefix only through their inputs:
        // with prefix 1 the prefix LM is exactly the causal LM.
        assertEquals(lossOf(model, CausalLm.leftToRight(), window), lossOf(model, PrefixLm.fixedPrefix(1), window), 1e-6);
        var e = assertThrows(IllegalArgumentException.class, () -> lossOf(model, PrefixLm.fixedPrefix(t), window));
        assertTrue(e.getMessage().contains("nothing to predict"), e.getMessage());
    }

    private static float lossOf(Gpt model, Objective<? super Gpt, IntTensor> objective, IntTensor batch) {
        try (var g = NoGrad.enter()) {
            return objective.loss(model, batch).item();
        }
    }
}
