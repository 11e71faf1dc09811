package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.io.HuggingFaceGpt2;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingListener;
import io.orthrus.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes read from a file or an option are checked against the JVM's memory before anything is allocated. */
class SizeLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aModelTooBigForTheJvmIsOneLineSayingHowMuchItNeedsAndHowMuchThereIs() throws Exception {
        Path source = Path.of(getClass().getResource("/hf/gpt2-sharded/config.json").toURI()).getParent();
        Path folder = dir.resolve("huge");
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
        config.addProperty("n_embd", 16384);
        config.addProperty("n_layer", 100);
        config.addProperty("n_head", 16);
        Files.writeString(folder.resolve("config.json"), config.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(folder));
        assertTrue(e.getMessage().contains("parameters needs about") && e.getMessage().contains("TB of memory")
                && e.getMessage().contains("-Xmx"), e.getMessage());

        Cli generate = Cli.expect(1, "generate", "--model", folder.toString(), "x");
        assertTrue(generate.err().contains("needs about") && generate.err().trim().lines().count() == 1, generate.err());
    }

    @Test
    void aBatchTooBigToTrainIsRefusedBeforeTraining() {
        Cli train = Cli.expect(1, "train", "--objective", "causal-lm", "--output", dir.resolve("run").toString(), "--set",
                "data.sentences=400", "--set", "data.batch_size=65536", "--set", "model.context_length=4096");
        assertTrue(train.err().contains("batches of 65536 × 4096 tokens needs about"), train.err());
        assertEquals(1, train.err().trim().lines().count(), train.err());
        assertFalse(Files.exists(dir.resolve("run").resolve("checkpoints")));
    }

    @Test
    void theLargestStepCountAllocatesNothingUpFront() {
        Gpt model = new Gpt(TransformerConfig.tiny(8).withContextLength(8), new Rng(1));
        int[] ids = new int[9 * 2];
        TrainingOptions options = TrainingOptions.nanoGpt(Integer.MAX_VALUE).withEvaluation(0, 1);
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(), options);
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == 3) {
                    trainer.requestStop();
                }
            }
        });
        assertEquals(3, trainer.fit(() -> IntTensor.wrap(ids, 2, 9), () -> IntTensor.wrap(ids, 2, 9)).steps());
    }

    @Test
    void anOutOfMemoryErrorIsOneLineWithTheXmxHint() throws Exception {
        Path corpus = dir.resolve("big.txt");
        Files.write(corpus, "abcdefgh\n".repeat(8 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8)); // 75 MB
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "tokenizer", "train", "--kind", "char",
                "--corpus", corpus.toString(), "--output", dir.resolve("t.json").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        try {
            assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the child JVM did not finish");
            String log = Files.readString(dir.resolve("log.txt"));
            assertEquals(1, process.exitValue(), log);
            assertTrue(log.contains("orthrus train: out of memory") && log.contains("-Xmx"), log);
            assertFalse(log.contains("\tat ") || log.contains("Exception in thread"), log);
        } finally {
            process.destroyForcibly();
        }
    }
}
