package io.orthrus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.orthrus.Orthrus;
import io.orthrus.data.BatchSource;
import io.orthrus.data.WindowSampler;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Parameter;
import io.orthrus.objective.CausalLm;
import io.orthrus.objective.Mixture;
import io.orthrus.objective.MixtureTest;
import io.orthrus.objective.Objective;
import io.orthrus.objective.PrefixLm;
import io.orthrus.optim.LrSchedule;
import io.orthrus.optim.ParamGroup;
import io.orthrus.optim.Sgd;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {
    static final int STEPS = 12;
    private static final int[] TOKENS = grammarTokens();

    private static int[] grammarTokens() {
        Grammar grammar = Grammar.english();
        List<String> words = grammar.vocabulary();
        return java.util.Arrays.stream(grammar.text(400, new Rng(3)).split("\\s+")).mapToInt(words::indexOf).toArray();
    }

    /** Everything a run is built from: the same seeds give the same objects. */
    record Run(Trainer<Gpt, IntTensor> trainer, BatchSource<IntTensor> train, BatchSource<IntTensor> validation) {
        static Run create() {
            return create(false);
        }

        /** The same run with SGD (momentum 0.9) under warm-up and cosine decay instead of AdamW. */
        static Run withSgd() {
            return create(true);
        }

        private static Run create(boolean sgd) {
            // Dropout (model generators), a mixture with a random prefix (objective generators) and a window sampler (data).
            Gpt model = new Gpt(MixtureTest.gpt(1).config().withDropout(0.1f), new Rng(1));
            Objective<Gpt, IntTensor> objective = new Mixture<>(List.of(Mixture.part(CausalLm.leftToRight(), 1),
                    Mixture.part(PrefixLm.randomPrefix(7), 1)), 9);
            TrainingOptions options = new TrainingOptions(STEPS, 3e-3, 3e-4, 3, 0.01, 0.9, 0.98, 1.0, 1, 4, 2);
            Trainer<Gpt, IntTensor> trainer = sgd
                    ? new Trainer<>(model, objective, options, new Sgd(ParamGroup.all(model, 0), 0.1, 0.9, false),
                            LrSchedule.warmupCosine(0.1, 3, STEPS, 0.01))
                    : new Trainer<>(model, objective, options);
            return new Run(trainer, WindowSampler.over(TOKENS, 17, 8, new Rng(5)), WindowSampler.over(TOKENS, 17, 8, new Rng(6)));
        }
    }

    static List<float[]> weights(Gpt model) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            out.add(p.data().clone());
        }
        return out;
    }

    @Test
    void stoppingSavingAndResumingGivesTheWeightsOfAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Run straight = Run.create();
        List<Double> straightLosses = new ArrayList<>();
        straight.trainer().addListener(losses(straightLosses));
        straight.trainer().fit(straight.train(), straight.validation());

        Run first = Run.create();
        List<Double> resumedLosses = new ArrayList<>();
        first.trainer().addListener(losses(resumedLosses));
        first.trainer().addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                if (metrics.step() == STEPS / 2) {
                    first.trainer().requestStop();
                }
            }
        });
        TrainingResult half = first.trainer().fit(first.train(), first.validation());
        assertEquals(STEPS / 2, half.steps());
        JsonObject config = new JsonObject();
        config.addProperty("note", "anything the caller needs");
        TrainingCheckpoint.save(dir.resolve("ckpt"), first.trainer().model(), first.trainer().state(first.train()).withConfig(config));
        assertTrue(TrainingCheckpoint.isCheckpoint(dir.resolve("ckpt")));

        Run second = Run.create();
        second.trainer().addListener(losses(resumedLosses));
        TrainingCheckpoint checkpoint = TrainingCheckpoint.read(dir.resolve("ckpt"));
        assertEquals(STEPS / 2, checkpoint.step());
        assertEquals(Orthrus.version(), checkpoint.libraryVersion());
        assertEquals(config, checkpoint.config());
        checkpoint.restore(second.trainer(), second.train());
        TrainingResult rest = second.trainer().fit(second.train(), second.validation());
        assertEquals(STEPS, rest.steps());

        assertEquals(straightLosses, resumedLosses);
        List<float[]> expected = weights(straight.trainer().model()), actual = weights(second.trainer().model());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i);
        }
        // Without the checkpoint, the second half differs: the test can fail.
        Run fresh = Run.create();
        fresh.trainer().fit(fresh.train(), fresh.validation());
        Run unrestored = Run.create();
        RunState withoutWeightsOrDraws = new RunState(STEPS / 2, first.trainer().optimizer().state(),
                unrestored.trainer().state(unrestored.train()).generators(), new JsonObject(), Double.NaN);
        unrestored.trainer().restore(withoutWeightsOrDraws, unrestored.train());
        unrestored.trainer().fit(unrestored.train(), unrestored.validation());
        assertFalse(java.util.Arrays.equals(weights(fresh.trainer().model()).get(0), weights(unrestored.trainer().model()).get(0)));
    }

    private static TrainingListener losses(List<Double> into) {
        return new TrainingListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                into.add(metrics.loss());
            }
        };
    }

    @Test
    void generatorsAreNamedByWhereTheyLive() {
        Run run = Run.create();
        Map<String, Rng> generators = run.trainer().generators(run.train());
        assertTrue(generators.containsKey("model.drop.rng"), generators.keySet().toString());
        assertTrue(generators.containsKey("model.stack.blocks.0.attn.attnDrop.rng"), generators.keySet().toString());
        assertTrue(generators.containsKey("objective.draws"));
        assertTrue(generators.containsKey("objective.part1.trainingDraws"));
        assertTrue(generators.containsKey("data.windows"));
    }

    @Test
    void aCheckpointOfAnotherRunIsRefusedAndNothingChanges(@TempDir Path dir) throws Exception {
        Run run = Run.create();
        TrainingCheckpoint.save(dir.resolve("ckpt"), run.trainer().model(), run.trainer().state(run.train()));
        Gpt wider = new Gpt(MixtureTest.gpt(1).config().withWidth(32, 4, 64), new Rng(1));
        Trainer<Gpt, IntTensor> other = new Trainer<>(wider, CausalLm.leftToRight(), TrainingOptions.nanoGpt(10));
        List<float[]> before = weights(wider);
        var e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoint.read(dir.resolve("ckpt")).restore(other, run.train()));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());
        List<float[]> after = weights(wider);
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i));
        }
        assertEquals(0, other.step());
    }

    @Test
    void aDirectoryWithoutStateIsNotACheckpoint(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        assertFalse(TrainingCheckpoint.isCheckpoint(dir));
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.read(dir));
        assertTrue(e.getMessage().contains("no training checkpoint"), e.getMessage());
        Files.writeString(dir.resolve("state.json"), "{\"format\": \"orthrus-training-checkpoint\", \"format_version\": 1}");
        var missing = assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.read(dir));
        assertTrue(missing.getMessage().contains("state.json"), missing.getMessage());
    }
}
