package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonObject;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.tensor.kernel.Parallel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    /** A small run: a tiny model on 400 grammar sentences. */
    private static final String[] SMALL = {"--set", "data.sentences=400", "--set", "eval_batches=2", "--set",
            "eval_interval=5", "--set", "data.batch_size=4", "--set", "model.context_length=16"};

    @TempDir
    Path dir;

    private static String[] args(String... first) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(SMALL));
        return all.toArray(String[]::new);
    }

    private static byte[] finalWeights(Path run, int step) throws Exception {
        return Files.readAllBytes(run.resolve(String.format("checkpoints/step-%08d/model.safetensors", step)));
    }

    @Test
    void causalLmFineTunesAHuggingFaceLlamaFolderAndWritesOneBack() throws Exception {
        String corpus = "the dog chases the cat . the cat sleeps . ".repeat(200);
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, corpus);
        io.orthrus.tokenize.CharTokenizer chars = io.orthrus.tokenize.CharTokenizer.fromCorpus(corpus);
        Path folder = dir.resolve("llama");
        io.orthrus.model.Gpt original = new io.orthrus.model.Gpt(io.orthrus.nn.TransformerConfig.tinyLlama(chars.vocabSize()),
                new io.orthrus.tensor.Rng(2));
        io.orthrus.io.HuggingFaceLlama.save(folder, original, chars);
        Files.writeString(folder.resolve("chat_template.jinja"), "{{ messages[0].content }}");
        Path run = dir.resolve("tuned");
        Cli tuned = Cli.expect(0, "train", "--objective", "causal-lm", "--steps", "6", "--output", run.toString(),
                "--init-from", folder.toString(), "--corpus", text.toString(), "--set", "data.batch_size=4", "--set",
                "eval_interval=3", "--set", "eval_batches=1");
        assertEquals(folder.toAbsolutePath().toString(),
                JsonFiles.readObject(run.resolve("run.json")).getAsJsonObject("model").get("init_from").getAsString());
        assertTrue(tuned.out().contains("step 6/6"), tuned.out());
        JsonObject config = JsonFiles.readObject(run.resolve("model/config.json"));
        assertEquals("llama", config.get("model_type").getAsString(), "written back in the layout it came in");
        assertTrue(Files.exists(run.resolve("model/chat_template.jinja")), "the chat template comes along");
        io.orthrus.model.Gpt read = io.orthrus.io.HuggingFaceLlama.loadModel(run.resolve("model"));
        assertFalse(Arrays.equals(original.tokenEmbedding().data(), read.tokenEmbedding().data()), "the weights moved");
        Cli generated = Cli.expect(0, "generate", "--model", run.toString(), "--max-tokens", "5", "the ");
        assertTrue(generated.out().startsWith("the "), generated.out());
        Cli preset = Cli.expect(1, "train", "--objective", "causal-lm", "--steps", "1", "--output",
                dir.resolve("no").toString(), "--set", "model.init_from=" + folder, "--set", "model.preset=tiny",
                "--set", "data.corpus=" + text);
        assertTrue(preset.err().contains("model.preset") && preset.err().contains("cannot be set with model.init_from"),
                preset.err());
        Cli missing = Cli.expect(1, "train", "--objective", "causal-lm", "--steps", "1", "--output",
                dir.resolve("no2").toString(), "--set", "model.init_from=" + dir.resolve("nowhere"), "--set",
                "data.corpus=" + text);
        assertTrue(missing.err().contains("which is not a model folder"), missing.err());
    }

    @Test
    void aRunWritesItsDirectoryAndTheOtherCommandsUseItsModel() throws Exception {
        Path run = dir.resolve("gpt");
        Cli trained = Cli.expect(0, args("train", "--objective", "causal-lm", "--steps", "12", "--output", run.toString()));
        assertTrue(trained.out().contains("step 12/12") && trained.out().contains("done: train loss"), trained.out());
        for (String file : List.of("run.json", "metrics.jsonl", "loss.svg", "loss.png", "best/state.json",
                "checkpoints/step-00000012/state.json", "checkpoints/step-00000010/state.json", "model/config.json")) {
            assertTrue(Files.exists(run.resolve(file)), file);
        }
        assertFalse(Files.exists(run.resolve("checkpoints/step-00000005")), "only the last 2 checkpoints are kept");
        JsonObject resolved = JsonFiles.readObject(run.resolve("run.json"));
        assertEquals(12, resolved.get("steps").getAsInt());
        assertEquals(0.001, resolved.getAsJsonObject("optimizer").get("learning_rate").getAsDouble());
        assertEquals("char", resolved.getAsJsonObject("tokenizer").get("kind").getAsString());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(12, metrics.stream().filter(l -> l.contains("\"event\":\"step\"")).count());
        assertEquals(3, metrics.stream().filter(l -> l.contains("\"event\":\"eval\"")).count()); // steps 5, 10, 12
        assertTrue(Files.readString(run.resolve("loss.svg")).contains("<polyline"));
        assertEquals(16, GptCheckpoint.load(run.resolve("model")).model().contextLength());

        Cli generated = Cli.expect(0, "generate", "--model", run.toString(), "--max-tokens", "5", "--temperature", "0", "the");
        assertTrue(generated.out().startsWith("the") && generated.out().strip().length() > 3, generated.out());
        Cli scored = Cli.expect(0, "score", "--model", run.toString(), "the dog barks .");
        assertTrue(scored.out().contains("overall perplexity"), scored.out());
        Cli plotted = Cli.expect(0, "plot", run.toString(), run.toString(), "--output", dir.resolve("both").toString());
        assertTrue(Files.exists(dir.resolve("both.svg")) && Files.exists(dir.resolve("both.png")), plotted.out());
        Cli wrongHead = Cli.expect(1, "fill-mask", "--model", run.toString(), "the [MASK] .");
        assertTrue(wrongHead.err().contains("needs a BERT"), wrongHead.err());
    }

    @Test
    void aMaskedLmRunServesFillMaskEmbedAndScore() throws Exception {
        Path run = dir.resolve("bert");
        Cli.expect(0, args("train", "--objective", "masked-lm", "--steps", "6", "--output", run.toString(), "--set",
                "tokenizer.vocab_size=200"));
        Cli filled = Cli.expect(0, "fill-mask", "--model", run.toString(), "--top", "2", "the dogs [MASK] .");
        assertTrue(filled.out().contains("[MASK] 1:"), filled.out());
        Cli scored = Cli.expect(0, "score", "--model", run.toString(), "the dog barks .");
        assertTrue(scored.out().contains("pseudo-perplexity"), scored.out());
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.writeString(in, "{\"text\": \"the dog barks .\"}\n{\"id\": 2}\n");
        Cli embedded = Cli.expect(1, "embed", "--model", run.toString(), "--input", in.toString(), "--output", out.toString());
        assertTrue(embedded.err().contains("in.jsonl:2: no string field \"text\""), embedded.err());
        assertTrue(Files.readString(out).contains("\"embedding\":["));
    }

    @Test
    void everyObjectiveTrainsFromTheCommandLine() {
        // Each objective reads only its own fields: a field it does not use is an error, not silently ignored.
        for (String objective : List.of("denoising", "unilm", "bilm", "autoencoder", "denoising-autoencoder")) {
            List<String> command = new ArrayList<>(List.of("train", "--objective", objective, "--steps", "3", "--output",
                    dir.resolve(objective).toString(), "--set", "data.sentences=400", "--set", "eval_batches=2", "--set",
                    "data.batch_size=4"));
            if (objective.equals("denoising") || objective.equals("unilm")) {
                command.addAll(List.of("--set", "model.width=16", "--set", "model.heads=2", "--set", "model.context_length=16"));
            } else if (objective.equals("bilm")) {
                command.addAll(List.of("--set", "model.width=16", "--set", "model.context_length=16"));
            } else {
                command.addAll(List.of("--set", "model.hidden=[8, 4]"));
            }
            Cli trained = Cli.expect(0, command.toArray(String[]::new));
            assertTrue(trained.out().contains("done: train loss"), objective + ": " + trained.out());
        }
        Cli unused = Cli.expect(1, "train", "--objective", "bilm", "--set", "model.heads=2", "--output",
                dir.resolve("unused").toString());
        assertTrue(unused.err().contains("field 'model.heads' is not a known field here"), unused.err());
        Path cbow = dir.resolve("cbow");
        Cli.expect(0, "train", "--objective", "cbow", "--output", cbow.toString(), "--set", "data.sentences=400", "--set",
                "model.width=8", "--set", "epochs=1", "--set", "min_count=1");
        assertTrue(Files.exists(cbow.resolve("vectors.txt")));
    }

    @Test
    void stoppingAndResumingIsBitExactAtTheDefaultThreadCount() throws Exception {
        for (String objective : List.of("causal-lm", "unilm")) {
            Path straight = dir.resolve(objective + "-straight"), resumed = dir.resolve(objective + "-resumed");
            String[] common = {"--objective", objective, "--steps", "14", "--set", "model.dropout=0.1"};
            Cli.expect(0, concat(args("train", "--output", straight.toString()), common));
            Cli stopped = Cli.expect(0, concat(args("train", "--output", resumed.toString(), "--stop-at", "6"), common));
            assertTrue(stopped.out().contains("stopped at step 6/14"), stopped.out());
            Cli early = Cli.expect(1, "train", "--resume", resumed.toString(), "--stop-at", "6");
            assertTrue(early.err().contains("--stop-at 6 is not after step 6"), early.err());
            Cli continued = Cli.expect(0, "train", "--resume", resumed.toString());
            assertTrue(continued.out().contains("resuming") && continued.out().contains("at step 6/14"), continued.out());
            assertArrayEquals(finalWeights(straight, 14), finalWeights(resumed, 14), objective);
            assertEquals(stepLosses(straight), stepLosses(resumed), objective);
            assertEquals(evaluations(straight), evaluations(resumed), objective);
            Cli again = Cli.expect(0, "train", "--resume", resumed.toString());
            assertTrue(again.out().contains("is complete") && again.out().contains("nothing to resume"), again.out());
            if (objective.equals("causal-lm")) { // unilm exports no model/
                AtomicFiles.delete(resumed.resolve("model")); // as if killed after the last checkpoint
                Cli exported = Cli.expect(0, "train", "--resume", resumed.toString());
                assertTrue(exported.out().contains("wrote its model/"), exported.out());
                assertTrue(Files.isRegularFile(resumed.resolve("model").resolve("model.safetensors")), objective);
            }
        }
    }

    @Test
    void whatAKillDuringASaveOrAPruningLeftIsCleanedUpByTheNextRun() throws Exception {
        Path run = dir.resolve("leftovers");
        Cli.expect(0, args("train", "--objective", "causal-lm", "--steps", "4", "--output", run.toString()));
        Path checkpoints = run.resolve("checkpoints");
        Files.createDirectories(checkpoints.resolve(".step-00000009.tmp-5e1f"));       // a save killed half-way
        Files.writeString(checkpoints.resolve(".step-00000009.tmp-5e1f").resolve("model.safetensors"), "partial");
        Files.createDirectories(checkpoints.resolve("step-00000002"));                 // a pruning killed half-way
        Files.writeString(checkpoints.resolve("step-00000002").resolve("model.safetensors"), "left");
        Files.writeString(run.resolve(".metrics.jsonl.tmp-77"), "partial");
        Cli again = Cli.expect(0, "train", "--resume", run.toString());
        assertTrue(again.out().contains("is complete"), again.out());
        try (var files = Files.list(checkpoints)) {
            assertEquals(List.of("step-00000004"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Files.exists(run.resolve(".metrics.jsonl.tmp-77")));
    }

    /** The evaluation lines of a run's metrics file. */
    private static List<String> evaluations(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"event\":\"eval\""))
                .toList();
    }


    /** The "loss" of each step line: a resumed run's metrics file reads as if it had never stopped. */
    private static List<String> stepLosses(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"event\":\"step\""))
                .map(l -> l.replaceAll(",\"ms\":[^,]*", "")).toList();
    }

    @Test
    void stoppingAndResumingIsBitExactOnOneThread() throws Exception {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        String[] common = concat(new String[] {"--objective", "causal-lm", "--steps", "10", "--set", "model.dropout=0.1"}, SMALL);
        child(concat(new String[] {"train", "--output", straight.toString()}, common));
        child(concat(new String[] {"train", "--output", resumed.toString(), "--stop-at", "4"}, common));
        child("train", "--resume", resumed.toString());
        assertArrayEquals(finalWeights(straight, 10), finalWeights(resumed, 10));
    }

    @Test
    void ctrlCSavesACheckpointThatResumes() throws Exception {
        // A shell that starts a job in the background without job control (nohup, `cmd &` in a script, some CI
        // runners) sets SIGINT to "ignored", and the child JVM inherits that: it would never see the Ctrl-C.
        assumeFalse(ignoresSigint(), "this JVM was started with SIGINT ignored, so its child would ignore Ctrl-C too");
        Path run = dir.resolve("interrupted");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args("train", "--steps", "100000", "--output", run.toString())));
        Path log = dir.resolve("interrupted.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("step 1/100000") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300); // a few more steps
            new ProcessBuilder("sh", "-c", "kill -INT " + process.pid()).start().waitFor(); // Ctrl-C
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the run did not stop on SIGINT");
        } finally {
            process.destroyForcibly(); // never leave a 100,000-step run behind on the machine
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("interrupted at step") && output.contains("--resume"), output);
        assertEquals(130, process.exitValue(), output);
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("interrupted at step (\\d+)/").matcher(output);
        assertTrue(stopped.find(), output);
        List<String> saved;
        try (var files = Files.list(run.resolve("checkpoints"))) {
            saved = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(String.format("step-%08d", Integer.parseInt(stopped.group(1))), saved.get(saved.size() - 1),
                "the step in progress is saved");
        int step = Integer.parseInt(stopped.group(1));
        Cli resumed = Cli.expect(0, "train", "--resume", run.toString(), "--stop-at", Integer.toString(step + 2));
        assertTrue(resumed.out().contains("at step " + step + "/100000") && resumed.out().contains("stopped at step "
                + (step + 2) + "/100000"), resumed.out());
    }

    /** Runs the command line in a new JVM with one kernel thread. */
    private void child(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Parallel.THREADS_PROPERTY + "=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        File log = dir.resolve("child.log").toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("1 threads") || !output.contains("threads"), output);
    }

    /** Whether SIGINT is ignored in this process (Linux: bit 1 of SigIgn in /proc/self/status; false elsewhere). */
    private static boolean ignoresSigint() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void badConfigsAndDirectoriesAreOneLineNamingWhatIsWrong() throws Exception {
        Path config = dir.resolve("run.json");
        Files.writeString(config, "{\n  \"objective\": \"causal-lm\",\n  \"optimiser\": {\"learning_rate\": 1e-3}\n}\n");
        Cli unknown = Cli.expect(1, "train", "--config", config.toString(), "--output", dir.resolve("x").toString());
        assertTrue(unknown.err().strip().startsWith("orthrus train: " + config + ":3: field 'optimiser.learning_rate' is not a"
                + " known field"), unknown.err());
        assertFalse(unknown.err().strip().contains("\n"), unknown.err());

        Files.writeString(config, "{\n  \"steps\": \"many\"\n}\n");
        Cli wrongType = Cli.expect(1, "train", "--config", config.toString(), "--output", dir.resolve("x").toString());
        assertTrue(wrongType.err().contains(config + ":2: field 'steps' must be a whole number, got \"many\""), wrongType.err());

        Files.writeString(config, "{\n  \"steps\": 10,\n  \"seed\": \n}\n");
        Cli malformed = Cli.expect(1, "train", "--config", config.toString(), "--output", dir.resolve("x").toString());
        assertTrue(malformed.err().contains("not valid JSON") && malformed.err().contains("at line 4"), malformed.err());
        assertFalse(malformed.err().strip().contains("\n"), malformed.err());

        Cli missing = Cli.expect(1, "train", "--config", dir.resolve("none.json").toString());
        assertTrue(missing.err().contains("none.json does not exist"), missing.err());

        Cli badSet = Cli.expect(2, "train", "--set", "steps");
        assertTrue(badSet.err().contains("--set needs FIELD=VALUE") && badSet.err().contains("--help"), badSet.err());
        assertEquals(2, Cli.run("train", "--no-such-option").status());

        Path foreign = dir.resolve("photos");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("holiday.jpg"), "precious");
        Cli notRun = Cli.expect(1, args("train", "--steps", "2", "--output", foreign.toString()));
        assertTrue(notRun.err().contains("is not an Orthrus run"), notRun.err());
        assertEquals("precious", Files.readString(foreign.resolve("holiday.jpg")));

        Path run = dir.resolve("run");
        Cli.expect(0, args("train", "--steps", "2", "--output", run.toString()));
        Cli exists = Cli.expect(1, args("train", "--steps", "2", "--output", run.toString()));
        assertTrue(exists.err().contains("already holds a run") && exists.err().contains("--force"), exists.err());
        Cli typo = Cli.expect(1, args("train", "--steps", "3", "--output", run.toString(), "--force", "--set", "stpes=4"));
        assertTrue(typo.err().contains("field 'stpes' is not a known field"), typo.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-00000002/state.json")), "a bad config loses nothing");
        Cli.expect(0, args("train", "--steps", "3", "--output", run.toString(), "--force"));
        assertEquals(3, JsonFiles.readObject(run.resolve("run.json")).get("steps").getAsInt());

        Cli mixed = Cli.expect(2, "train", "--resume", run.toString(), "--steps", "5");
        assertTrue(mixed.err().contains("takes only --stop-at and --threads"), mixed.err());
        Cli noRun = Cli.expect(1, "train", "--resume", foreign.toString());
        assertTrue(noRun.err().contains("is not an Orthrus run directory"), noRun.err());
        AtomicFiles.delete(run.resolve("checkpoints"));
        Cli noCheckpoint = Cli.expect(1, "train", "--resume", run.toString());
        assertTrue(noCheckpoint.err().contains("has no checkpoint to resume from"), noCheckpoint.err());
    }
}
