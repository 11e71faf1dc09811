package io.orthrus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.orthrus.tensor.IntTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resumable training from the Java API: the run of {@link TrainingCheckpointTest} (12 steps, evaluation every 4). */
class CheckpointListenerTest {
    private static final int STEPS = TrainingCheckpointTest.STEPS;

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static void assertSameWeights(TrainingCheckpointTest.Run expected, TrainingCheckpointTest.Run actual) {
        List<float[]> a = TrainingCheckpointTest.weights(expected.trainer().model());
        List<float[]> b = TrainingCheckpointTest.weights(actual.trainer().model());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
        }
    }

    @Test
    void savesEveryIntervalKeepsTheLastAndTheBest(@TempDir Path dir) throws Exception {
        TrainingCheckpointTest.Run run = TrainingCheckpointTest.Run.create();
        List<Double> evaluations = new ArrayList<>();
        run.trainer().addListener(new TrainingListener() {
            @Override
            public void onEvaluation(EvaluationMetrics m) {
                evaluations.add(m.validationLoss());
            }
        });
        JsonObject config = new JsonObject();
        config.addProperty("seed", 1);
        CheckpointListener<IntTensor> checkpoints = new CheckpointListener<>(dir, run.trainer(), run.train())
                .every(2).keepLast(3).withConfig(config);
        run.trainer().addListener(checkpoints);
        run.trainer().fit(run.train(), run.validation());

        assertEquals(List.of("step-00000008", "step-00000010", "step-00000012"), names(checkpoints.checkpoints()));
        assertEquals(dir.resolve("checkpoints/step-00000012"), checkpoints.latest().orElseThrow());
        double best = evaluations.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertEquals(3, evaluations.size()); // steps 4, 8, 12
        assertEquals(best, checkpoints.bestValidationLoss());
        TrainingCheckpoint kept = TrainingCheckpoint.read(dir.resolve("best"));
        assertEquals(best, kept.state().validationLoss());
        assertEquals(4 * (1 + evaluations.indexOf(best)), kept.step());
        assertEquals(config, kept.config());
        assertTrue(Double.isNaN(TrainingCheckpoint.read(dir.resolve("checkpoints/step-00000010")).state().validationLoss()),
                "step 10 had no evaluation");
        assertTrue(Files.list(dir.resolve("checkpoints")).noneMatch(p -> p.getFileName().toString().startsWith(".")),
                "no temporaries left");
    }

    @Test
    void aRunStoppedAndResumedFromItsDirectoryEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        TrainingCheckpointTest.Run straight = TrainingCheckpointTest.Run.create();
        straight.trainer().fit(straight.train(), straight.validation());

        TrainingCheckpointTest.Run first = TrainingCheckpointTest.Run.create();
        CheckpointListener<IntTensor> before = new CheckpointListener<>(dir, first.trainer(), first.train());
        assertEquals(OptionalInt.empty(), before.resume(), "a new directory has nothing to resume");
        first.trainer().addListener(before);
        try (JsonlMetricsListener metrics = new JsonlMetricsListener(dir.resolve("metrics.jsonl"))) {
            first.trainer().addListener(metrics);
            assertEquals(7, first.trainer().fit(first.train(), first.validation(), 7).steps());
        }
        assertEquals(List.of("step-00000004", "step-00000007"), names(before.checkpoints()), "the stop is saved");
        // A kill during a later save leaves a temporary and a directory without its state file: resume cleans both.
        Files.createDirectories(dir.resolve("checkpoints/.step-00000008.tmp-1"));
        Files.createDirectories(dir.resolve("checkpoints/step-00000008"));
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"event\":\"step\",\"step\":8,\"lo", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        TrainingCheckpointTest.Run second = TrainingCheckpointTest.Run.create();
        CheckpointListener<IntTensor> after = new CheckpointListener<>(dir, second.trainer(), second.train());
        assertEquals(OptionalInt.of(7), after.resume());
        assertEquals(List.of("step-00000004", "step-00000007"), names(after.checkpoints()));
        assertFalse(Files.exists(dir.resolve("checkpoints/.step-00000008.tmp-1")));
        assertFalse(Files.exists(dir.resolve("checkpoints/step-00000008")));
        assertEquals(before.bestValidationLoss(), after.bestValidationLoss(), "the best loss so far is read back");
        second.trainer().addListener(after);
        try (JsonlMetricsListener metrics = JsonlMetricsListener.resumingAt(dir.resolve("metrics.jsonl"), 7)) {
            second.trainer().addListener(metrics);
            assertEquals(STEPS, second.trainer().fit(second.train(), second.validation()).steps());
        }
        assertSameWeights(straight, second);
        List<Integer> steps = Files.readAllLines(dir.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"step\"") && l.startsWith("{\"event\":\"step\""))
                .map(l -> com.google.gson.JsonParser.parseString(l).getAsJsonObject().get("step").getAsInt()).toList();
        assertEquals(java.util.stream.IntStream.rangeClosed(1, STEPS).boxed().toList(), steps,
                "each step once, the cut line dropped");
    }

    @Test
    void aShutdownDuringFitFinishesTheStepAndSavesIt(@TempDir Path dir) throws Exception {
        TrainingCheckpointTest.Run run = TrainingCheckpointTest.Run.create();
        CheckpointListener<IntTensor> checkpoints = new CheckpointListener<>(dir, run.trainer(), run.train()).every(0);
        Thread hook;
        try (StopOnInterrupt interrupt = StopOnInterrupt.install(run.trainer())) {
            hook = interrupt.hook();
            run.trainer().addListener(checkpoints).addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() == 3) { // as the JVM does on Ctrl-C: run the registered hook on a thread of its own
                        hook.start();
                        while (!interrupt.interrupted()) {
                            Thread.onSpinWait();
                        }
                    }
                }
            });
            assertEquals(3, run.trainer().fit(run.train(), run.validation()).steps());
            assertTrue(interrupt.interrupted());
            assertEquals(List.of("step-00000003"), names(checkpoints.checkpoints()), "the step in progress is saved");
            Thread.sleep(50);
            assertTrue(hook.isAlive(), "the JVM waits until the caller is done");
        }
        hook.join(10_000);
        assertFalse(hook.isAlive(), "closing lets the hook return");
        assertFalse(Runtime.getRuntime().removeShutdownHook(hook), "close removed the hook");
    }

    @Test
    void anSgdRunResumesAndAnAdamWCheckpointIsRefusedByIt(@TempDir Path dir) throws Exception {
        TrainingCheckpointTest.Run adam = TrainingCheckpointTest.Run.create();
        CheckpointListener<IntTensor> saved = new CheckpointListener<>(dir, adam.trainer(), adam.train()).every(0);
        adam.trainer().addListener(saved);
        adam.trainer().fit(adam.train(), adam.validation(), 2);

        TrainingCheckpointTest.Run sgdRun = TrainingCheckpointTest.Run.withSgd();
        List<float[]> before = TrainingCheckpointTest.weights(sgdRun.trainer().model());
        CheckpointListener<IntTensor> refused = new CheckpointListener<>(dir, sgdRun.trainer(), sgdRun.train());
        var e = assertThrows(IllegalArgumentException.class, refused::resume);
        assertTrue(e.getMessage().contains("state.json") && e.getMessage().contains("saved by AdamW"), e.getMessage());
        List<float[]> after = TrainingCheckpointTest.weights(sgdRun.trainer().model());
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i), "nothing restored");
        }
        assertEquals(0, sgdRun.trainer().step());

        TrainingCheckpointTest.Run straight = TrainingCheckpointTest.Run.withSgd();
        straight.trainer().fit(straight.train(), straight.validation());
        TrainingCheckpointTest.Run first = TrainingCheckpointTest.Run.withSgd();
        Path sgdDir = dir.resolve("sgd");
        first.trainer().addListener(new CheckpointListener<>(sgdDir, first.trainer(), first.train()));
        first.trainer().fit(first.train(), first.validation(), 5);
        TrainingCheckpointTest.Run second = TrainingCheckpointTest.Run.withSgd();
        assertEquals(OptionalInt.of(5), new CheckpointListener<>(sgdDir, second.trainer(), second.train()).resume());
        second.trainer().fit(second.train(), second.validation());
        assertSameWeights(straight, second);
    }

    @Test
    void fitRefusesATargetOutsideTheRun() {
        TrainingCheckpointTest.Run run = TrainingCheckpointTest.Run.create();
        var e = assertThrows(IllegalArgumentException.class, () -> run.trainer().fit(run.train(), run.validation(), STEPS + 1));
        assertTrue(e.getMessage().contains("untilStep must be in [1, 12]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointListener<>(Path.of("x"), run.trainer(), run.train())
                .keepLast(0));
    }
}
