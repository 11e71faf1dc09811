package io.orthrus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.BatchSource;
import io.orthrus.data.TextDataset;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.nn.Linear;
import io.orthrus.objective.Objective;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on a linear regression, where every step can be reasoned about exactly. */
class TrainerTest {
    @TempDir
    Path dir;

    /** Mean squared error of a linear layer on a batch {@code (N, 3)}: inputs in columns 0-1, target in column 2. */
    static final class Regression implements Objective<Linear, Tensor> {
        int calls;
        final java.util.Set<Integer> nanAtCalls = new java.util.HashSet<>();
        /** Calls whose loss is finite but whose gradient is NaN: √(0·w) is 0 forward, 0·∞ backward. */
        final java.util.Set<Integer> nanGradientAtCalls = new java.util.HashSet<>();

        @Override
        public Tensor loss(Linear model, Tensor batch) {
            calls++;
            Tensor x = batch.narrow(1, 0, 2), y = batch.narrow(1, 2, 1);
            Tensor loss = Losses.mse(model.forward(x), y);
            if (nanGradientAtCalls.contains(calls)) {
                loss = loss.add(model.weight().mul(0f).sqrt().sum());
            }
            return nanAtCalls.contains(calls) ? loss.mul(Float.NaN) : loss;
        }

        @Override
        public int predictions(Tensor batch) {
            return batch.size(0);
        }

        @Override
        public String name() {
            return "regression";
        }
    }

    private static Tensor data(long seed, int rows) {
        Tensor batch = Tensor.randn(new Rng(seed), rows, 3);
        for (int r = 0; r < rows; r++) { // y = 2·x0 − x1 + 0.5
            batch.set(2 * batch.get(r, 0) - batch.get(r, 1) + 0.5f, r, 2);
        }
        return batch;
    }

    private static TrainingOptions options(int steps, int accumulation) {
        return new TrainingOptions(steps, 0.05, 0.05, 0, 0.0, 0.9, 0.99, 0.0, accumulation, 0, 1);
    }

    @Test
    void learnsAndReportsEveryStepAndEvaluation() {
        Linear model = new Linear(2, 1, new Rng(1));
        Trainer<Linear, Tensor> trainer = new Trainer<>(model, new Regression(),
                options(300, 1).withEvaluation(100, 2));
        List<TrainingListener.StepMetrics> steps = new ArrayList<>();
        List<TrainingListener.EvaluationMetrics> evaluations = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                steps.add(m);
            }

            @Override
            public void onEvaluation(EvaluationMetrics m) {
                evaluations.add(m);
            }
        });
        Rng rng = new Rng(2);
        TrainingResult result = trainer.fit(() -> data(rng.nextLong(), 16), () -> data(99, 16));
        assertEquals(300, steps.size());
        assertEquals(List.of(100, 200, 300), evaluations.stream().map(TrainingListener.EvaluationMetrics::step).toList());
        assertTrue(result.validationLoss() < 1e-3, "validation loss " + result.validationLoss());
        assertEquals(Math.exp(result.validationLoss()), evaluations.get(2).perplexity(), 1e-9);
        assertEquals(16, result.predictionsPerStep());
        assertArrayEquals(new float[] {2f, -1f}, model.weight().toArray(), 0.05f);
    }

    @Test
    void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
        Tensor full = data(5, 8);
        Linear once = new Linear(2, 1, new Rng(3)), twice = new Linear(2, 1, new Rng(3));
        new Trainer<>(once, new Regression(), options(1, 1)).fit(() -> full, () -> full);
        List<Tensor> halves = List.of(full.narrow(0, 0, 4), full.narrow(0, 4, 4));
        int[] next = {0};
        BatchSource<Tensor> source = () -> halves.get(next[0]++ % 2);
        new Trainer<>(twice, new Regression(), options(1, 2)).fit(source, () -> full);
        assertArrayEquals(once.weight().toArray(), twice.weight().toArray(), 1e-6f);
        assertArrayEquals(once.bias().toArray(), twice.bias().toArray(), 1e-6f);
    }

    @Test
    void aNonFiniteLossStopsTrainingBeforeAnyUpdate() {
        Linear model = new Linear(2, 1, new Rng(1));
        Regression objective = new Regression();
        objective.nanAtCalls.add(3);
        Trainer<Linear, Tensor> trainer = new Trainer<>(model, objective, options(10, 1));
        float[][] before = new float[1][];
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                before[0] = model.weight().toArray();
            }
        });
        var e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(() -> data(7, 8), () -> data(8, 8)));
        assertEquals(3, e.step());
        assertTrue(Double.isNaN(e.loss()));
        assertTrue(e.getMessage().contains("step 3") && e.getMessage().contains("learning rate"), e.getMessage());
        assertArrayEquals(before[0], model.weight().toArray(), 0f);
    }

    @Test
    void withPatienceIsolatedNonFiniteStepsAreSkippedAndARunOfThemStops() {
        Regression objective = new Regression();
        objective.nanAtCalls.addAll(List.of(3, 4, 8));
        Trainer<Linear, Tensor> trainer = new Trainer<>(new Linear(2, 1, new Rng(1)), objective, options(10, 1))
                .withDivergencePatience(3);
        List<Integer> steps = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                steps.add(m.step());
            }
        });
        assertEquals(10, trainer.fit(() -> data(7, 8), () -> data(8, 8)).steps());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), steps); // the skipped batches did not count as steps
        assertEquals(13, objective.calls - 1); // 10 steps + 3 skipped, + 1 evaluation batch

        Regression diverging = new Regression();
        diverging.nanAtCalls.addAll(List.of(3, 4, 5));
        Trainer<Linear, Tensor> stopped = new Trainer<>(new Linear(2, 1, new Rng(1)), diverging, options(10, 1))
                .withDivergencePatience(3);
        var e = assertThrows(TrainingDivergedException.class, () -> stopped.fit(() -> data(7, 8), () -> data(8, 8)));
        assertEquals(3, e.step());
        assertEquals(2, stopped.step());
    }

    @Test
    void aStepWhoseGradientNormIsNotFiniteIsSkippedNotApplied() {
        Regression objective = new Regression();
        objective.nanGradientAtCalls.addAll(List.of(2, 5));
        Linear model = new Linear(2, 1, new Rng(1));
        Trainer<Linear, Tensor> trainer = new Trainer<>(model, objective, options(6, 1)).withDivergencePatience(2);
        assertEquals(6, trainer.fit(() -> data(7, 8), () -> data(8, 8)).steps());
        assertEquals(2, trainer.skippedSteps());
        for (float w : model.weight().toArray()) {
            assertTrue(Float.isFinite(w), "a NaN gradient reached the weights");
        }

        Regression diverging = new Regression();
        diverging.nanGradientAtCalls.addAll(List.of(3, 4));
        Linear other = new Linear(2, 1, new Rng(1));
        Trainer<Linear, Tensor> stopped = new Trainer<>(other, diverging, options(6, 1)).withDivergencePatience(2);
        var e = assertThrows(TrainingDivergedException.class, () -> stopped.fit(() -> data(7, 8), () -> data(8, 8)));
        assertEquals("gradient norm", e.quantity());
        assertEquals(3, e.step());
        assertTrue(e.getMessage().contains("gradient norm is NaN at step 3"), e.getMessage());
        for (float w : other.weight().toArray()) {
            assertTrue(Float.isFinite(w), "a NaN gradient reached the weights");
        }
    }

    @Test
    void afterStepComesOnceAStepsEvaluationIsDone() {
        List<String> events = new ArrayList<>();
        Trainer<Linear, Tensor> trainer = new Trainer<>(new Linear(2, 1, new Rng(1)), new Regression(),
                options(4, 1).withEvaluation(2, 1));
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                events.add("step " + m.step());
            }

            @Override
            public void onEvaluation(EvaluationMetrics m) {
                events.add("eval " + m.step());
            }

            @Override
            public void afterStep(StepMetrics m) {
                events.add("after " + m.step());
            }
        });
        trainer.fit(() -> data(3, 8), () -> data(4, 8));
        assertEquals(List.of("step 1", "after 1", "step 2", "eval 2", "after 2", "step 3", "after 3", "step 4", "eval 4",
                "after 4"), events);
    }

    @Test
    void metricsFileHasOneJsonObjectPerEvent() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (JsonlMetricsListener metrics = new JsonlMetricsListener(file)) {
            Trainer<Linear, Tensor> trainer = new Trainer<>(new Linear(2, 1, new Rng(1)), new Regression(),
                    options(4, 1).withEvaluation(2, 1));
            trainer.addListener(metrics).addListener(new LoggingListener(2));
            trainer.fit(() -> data(3, 8), () -> data(4, 8));
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(6, lines.size()); // 4 steps + 2 evaluations
        assertTrue(lines.get(0).startsWith("{\"event\":\"step\",\"step\":1,\"loss\":"), lines.get(0));
        assertTrue(lines.get(2).startsWith("{\"event\":\"eval\",\"step\":2,\"val_loss\":"), lines.get(2));
    }

    @Test
    void invalidOptionsNameTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> options(10, 0));
        assertTrue(e.getMessage().contains("accumulationSteps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TrainingOptions(0, 1e-3, 1e-4, 0, 0, 0.9, 0.99, 1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TrainingOptions(10, 1e-3, 1e-2, 0, 0, 0.9, 0.99, 1, 1, 0, 1));
    }

    /** Every loss and the final weights of a tiny GPT with dropout, trained with or without reused buffers. */
    private static List<float[]> trainTinyGpt(boolean reuseBuffers) {
        String text = "the quick brown fox jumps over the lazy dog. ".repeat(20);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        Gpt model = new Gpt(TransformerConfig.tiny(tokenizer.vocabSize()).withContextLength(16).withDropout(0.1f),
                new Rng(5));
        TrainingOptions options = new TrainingOptions(6, 3e-3, 3e-4, 2, 0.0, 0.9, 0.99, 1.0, 2, 3, 2);
        Trainer<Gpt, IntTensor> trainer =
                new Trainer<>(model, CausalLm.leftToRight(), options).reuseBuffers(reuseBuffers);
        List<float[]> out = new ArrayList<>();
        float[] losses = new float[options.steps() + 2];
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                losses[m.step() - 1] = (float) m.loss();
            }

            @Override
            public void onEvaluation(EvaluationMetrics m) {
                losses[options.steps() + m.step() / options.steps()] = (float) m.validationLoss();
            }
        });
        TextDataset data = TextDataset.of(text, tokenizer, 0.8);
        Rng rng = new Rng(11);
        trainer.fit(data.trainWindows(17, 4, rng), data.validationWindows(17, 4, rng.split()));
        out.add(losses);
        model.parameters().forEach(p -> out.add(p.toArray()));
        if (reuseBuffers) {
            assertTrue(trainer.workspaceBytes() > 0, "the workspaces hold the step's arrays");
        } else {
            assertEquals(0, trainer.workspaceBytes());
        }
        return out;
    }

    @Test
    void reusingBuffersFromStepToStepChangesNoBit() {
        List<float[]> reused = trainTinyGpt(true), fresh = trainTinyGpt(false);
        assertEquals(fresh.size(), reused.size());
        for (int i = 0; i < fresh.size(); i++) {
            assertArrayEquals(fresh.get(i), reused.get(i), 0f, i == 0 ? "losses" : "parameter " + (i - 1));
        }
    }

    @Test
    void takesAnyOptimizerAndSchedule() {
        // SGD at a constant rate: after one step from w = 0, w = −lr·∂L/∂w exactly, which AdamW would not give.
        Linear model = new Linear(2, 1, new Rng(1));
        java.util.Arrays.fill(model.weight().data(), 0f);
        java.util.Arrays.fill(model.bias().data(), 0f);
        Tensor batch = data(7, 8);
        Linear probe = new Linear(2, 1, new Rng(1));
        java.util.Arrays.fill(probe.weight().data(), 0f);
        java.util.Arrays.fill(probe.bias().data(), 0f);
        new Regression().loss(probe, batch).backward();
        float[] gradient = probe.weight().grad().toArray();

        var sgd = new io.orthrus.optim.Sgd(io.orthrus.optim.ParamGroup.all(model, 0), 0.1);
        Trainer<Linear, Tensor> trainer = new Trainer<>(model, new Regression(), options(1, 1), sgd,
                io.orthrus.optim.LrSchedule.constant(0.1));
        trainer.fit(() -> batch, () -> batch);
        assertEquals("Sgd", trainer.optimizer().kind());
        for (int i = 0; i < gradient.length; i++) {
            assertEquals(-0.1f * gradient[i], model.weight().data()[i], 1e-7f);
        }


        Linear learner = new Linear(2, 1, new Rng(1));
        TrainingResult learned = new Trainer<>(learner, new Regression(), options(200, 1),
                new io.orthrus.optim.Sgd(io.orthrus.optim.ParamGroup.all(learner, 0), 0.05, 0.9, false),
                io.orthrus.optim.LrSchedule.constant(0.05)).fit(() -> data(7, 8), () -> data(8, 8));
        assertTrue(learned.validationLoss() < 1e-3, "SGD with momentum learns y = 2·x0 − x1 + 0.5: " + learned);

        var foreign = new io.orthrus.optim.Sgd(io.orthrus.optim.ParamGroup.all(probe, 0), 0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer<>(new Linear(2, 1, new Rng(1)),
                new Regression(), options(1, 1), foreign, io.orthrus.optim.LrSchedule.constant(0.1)));
        assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("not a parameter of the model"),
                e.getMessage());
    }
}
