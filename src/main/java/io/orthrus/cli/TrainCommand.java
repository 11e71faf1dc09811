package io.orthrus.cli;

import com.google.gson.JsonObject;
import io.orthrus.bench.KernelThreads;
import io.orthrus.files.AtomicFiles;
import io.orthrus.io.WordVectorsFile;
import io.orthrus.model.Word2Vec;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.ContrastiveRecipe;
import io.orthrus.recipe.CrossEncoderRecipe;
import io.orthrus.recipe.Recipes;
import io.orthrus.recipe.Run;
import io.orthrus.recipe.Word2VecRecipe;
import io.orthrus.train.CheckpointListener;
import io.orthrus.train.JsonlMetricsListener;
import io.orthrus.train.StopOnInterrupt;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingDivergedException;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code orthrus train}: trains any objective of the library from a JSON config (docs/cli.md),
 * writing a run directory: {@code run.json} (the config with every default filled in),
 * {@code metrics.jsonl}, {@code loss.svg} and {@code loss.png}, {@code checkpoints/step-N}
 * (the last few), {@code best/} (lowest validation loss) and, for GPT and BERT, {@code model/}
 * (what {@code generate}, {@code fill-mask}, {@code score} and {@code embed} read). Ctrl-C saves
 * a checkpoint first; {@code --resume DIR} continues bit-exactly.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model from a JSON config; every objective of the library is available.",
        footer = {"", "Examples:",
                "  orthrus train --objective causal-lm --output runs/gpt           (a GPT on the built-in grammar corpus)",
                "  orthrus train --config gpt.json --set optimizer.learning_rate=3e-4 --steps 5000",
                "  orthrus train --objective masked-lm --corpus input.txt --output runs/bert",
                "  orthrus train --objective causal-lm --init-from SmolLM2-135M --corpus mine.txt --steps 500",
                "  orthrus train --objective contrastive --init-from all-MiniLM-L6-v2 --set data.pairs=pairs.jsonl",
                "  orthrus train --resume runs/gpt",
                "", "Objectives: causal-lm (direction left-to-right or right-to-left), masked-lm, denoising (BART"
                + " infilling or T5 span corruption), unilm (causal + masked + prefix on one stack), bilm (ELMo),"
                + " autoencoder, denoising-autoencoder, cbow (word2vec), contrastive (a sentence encoder on text"
                + " pairs), cross-encoder (a reranker on text pairs). Fields: docs/cli.md."})
final class TrainCommand implements Callable<Integer> {
    static final String RUN_FILE = "run.json";
    static final String METRICS = "metrics.jsonl";
        static final String MODEL = "model";
    /** Config fields that hold paths; run.json stores them absolute, so that a run resumes from any directory. */
    private static final List<String> PATHS = List.of("data.corpus", "data.pairs", "data.validation_pairs",
            "model.init_from", "tokenizer.path", "output");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The run's JSON config (optional: every field has a default).")
    Path config;

    @Option(names = "--objective", paramLabel = "NAME", description = "Sets field 'objective'.")
    String objective;

    @Option(names = "--corpus", paramLabel = "FILE", description = "Sets field 'data.corpus' (a UTF-8 text file, or 'grammar').")
    String corpus;

    @Option(names = "--init-from", paramLabel = "DIR", description = "Sets field 'model.init_from': the folder whose"
            + " model is trained further (a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder for causal-lm; an encoder"
            + " folder for contrastive and cross-encoder).")
    Path initFrom;

    @Option(names = "--lora", paramLabel = "SPEC", description = "Train a LoRA adapter on the --init-from model instead of"
            + " the model itself: r=8,alpha=16,dropout=0.05,rslora=true,targets=q_proj,v_proj (fields lora.*); model/"
            + " is then the adapter, in PEFT's layout.")
    String lora;

    @Option(names = "--steps", paramLabel = "N", description = "Sets field 'steps'.")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S", description = "Sets field 'seed'.")
    Long seed;

    @Option(names = "--output", paramLabel = "DIR", description = "Sets field 'output', the run directory (default: runs/OBJECTIVE).")
    Path output;

    @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "Sets any field, such as model.width=128 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint.")
    Path resume;

    @Option(names = "--force", description = "Start over in an output directory that already holds a run (its files are replaced).")
    boolean force;

    @Option(names = "--stop-at", paramLabel = "STEP", description = "Save a checkpoint and stop after this step (resume later).")
    Integer stopAt;

    @CommandLine.Mixin
    KernelThreads threads;

    /**
     * The {@code lora.*} fields of a {@code --lora} spec: {@code key=value} pairs separated by commas, where a piece
     * without {@code =} continues the value before it ({@code targets=q_proj,v_proj}).
     */
    private Map<String, String> loraFields(String text) {
        Map<String, String> keys = Map.of("r", "lora.rank", "rank", "lora.rank", "alpha", "lora.alpha", "dropout",
                "lora.dropout", "rslora", "lora.rslora", "targets", "lora.targets");
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        for (String piece : text.split(",")) {
            int eq = piece.indexOf('=');
            if (eq < 0 && last != null) {
                fields.put(last, fields.get(last) + "," + piece.strip());
                continue;
            }
            String key = eq < 0 ? piece.strip() : piece.substring(0, eq).strip();
            if (eq < 0 || !keys.containsKey(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--lora: '" + piece + "' is not KEY=VALUE"
                        + " with KEY one of r, alpha, dropout, rslora, targets");
            }
            last = keys.get(key);
            fields.put(last, piece.substring(eq + 1).strip());
        }
        if (!fields.containsKey("lora.rank")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lora needs r=RANK, got '" + text + "'");
        }
        return fields;
    }

    @Override
    public Integer call() throws IOException {
        threads.apply();
        PrintStream out = System.out;
        Path directory;
        ConfigFile c;
        if (resume != null) {
            if (config != null || objective != null || corpus != null || initFrom != null || lora != null || steps != null
                    || seed != null || output != null
                    || !sets.isEmpty() || force) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues a run with its own"
                        + " run.json; it takes only --stop-at and --threads");
            }
            directory = resume;
            if (!Files.isRegularFile(directory.resolve(RUN_FILE))) {
                throw new IllegalArgumentException(directory + " is not an Orthrus run directory (no " + RUN_FILE + ")");
            }
            c = ConfigFile.read(directory.resolve(RUN_FILE));
        } else {
            c = config == null ? ConfigFile.empty("command line") : ConfigFile.read(config);
            for (String path : PATHS) { // relative to the config file
                absolutePath(c, path, config);
            }
            override(c, "objective", objective);
            override(c, "data.corpus", corpus == null || corpus.equals("grammar") ? corpus
                    : Path.of(corpus).toAbsolutePath().toString());
            override(c, "model.init_from", initFrom == null ? null : initFrom.toAbsolutePath().toString());
            if (lora != null) {
                loraFields(lora).forEach(c::set);
            }
            override(c, "steps", steps == null ? null : steps.toString());
            override(c, "seed", seed == null ? null : seed.toString());
            override(c, "output", output == null ? null : output.toString());
            for (String set : sets) {
                int eq = set.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--set needs FIELD=VALUE, got '" + set + "'");
                }
                c.set(set.substring(0, eq).strip(), set.substring(eq + 1).strip());
            }
            for (String path : PATHS) { // given on the command line: relative to the working directory
                absolutePath(c, path, null);
            }
            directory = null;
        }
        String kind = c.choice("objective", "causal-lm", Recipes.OBJECTIVES);
        String outputName = c.string("output", Path.of("runs", kind).toAbsolutePath().toString());
        if (directory == null) {
            directory = Path.of(outputName);
            checkOutput(directory); // before the work of building the run; nothing is changed until it is built
        }
        if (kind.equals("cbow")) {
            if (resume != null) {
                throw new IllegalArgumentException(directory + " is a cbow run; word2vec trains in one pass of seconds and"
                        + " is not resumable: start it again with --force");
            }
            return trainCbow(c, directory, out);
        }
        Run<?, ?> run = Recipes.of(kind).build(c, Path.of(""));
        int checkpointInterval = c.integer("checkpoint_interval", run.trainer().options().evalInterval(), 0, Integer.MAX_VALUE);
        int keep = c.integer("keep_checkpoints", 2, 1, 1000);
        int patience = c.integer("divergence_patience", 3, 1, 1000);
        c.rejectUnread();
        JsonObject resolved = c.resolved();
        if (resume == null) {
            clearOutput(directory);
            AtomicFiles.writeString(directory.resolve(RUN_FILE), resolved.toString() + "\n");
        }
        return train(run, resolved, directory, checkpointInterval, keep, patience, out);
    }

    private static void override(ConfigFile c, String path, String value) {
        if (value != null) {
            c.set(path, value);
        }
    }

    /** Makes a relative path field absolute, against the config file's directory (or the working directory when null). */
    private static void absolutePath(ConfigFile c, String path, Path configFile) {
        if (!c.has(path)) {
            return;
        }
        String value = c.string(path, null);
        if (value == null || value.equals("grammar")) {
            return;
        }
        Path base = configFile == null || configFile.toAbsolutePath().getParent() == null ? Path.of("")
                : configFile.toAbsolutePath().getParent();
        c.set(path, base.resolve(value).toAbsolutePath().normalize().toString());
    }

    /** A new run's directory must be new, empty, or (with --force) an earlier run; anything else is left alone. */
    private void checkOutput(Path directory) throws IOException {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("output " + directory + " exists and is a file, not a run directory");
        }
        if (Files.isDirectory(directory)) {
            boolean empty;
            try (Stream<Path> files = Files.list(directory)) {
                empty = files.findAny().isEmpty();
            }
            if (!empty) {
                if (!Files.isRegularFile(directory.resolve(RUN_FILE))) {
                    throw new IllegalArgumentException("output " + directory + " exists and is not an Orthrus run; choose"
                            + " another --output");
                }
                if (!force) {
                    throw new IllegalArgumentException("output " + directory + " already holds a run; continue it with"
                            + " --resume " + directory + " or start over with --force");
                }
            }
        }
    }

    /** Once the new run is built and its config valid: removes an earlier run's files (--force) and creates the directory. */
    private static void clearOutput(Path directory) throws IOException {
        AtomicFiles.recover(directory); // what a killed run left: its temporaries go, with the rest of the run
        for (String name : List.of(RUN_FILE, METRICS, "loss.svg", "loss.png", CheckpointListener.CHECKPOINTS, CheckpointListener.BEST,
                MODEL, "vectors.txt")) {
            AtomicFiles.delete(directory.resolve(name));
        }
        Files.createDirectories(directory);
    }

    private <M extends io.orthrus.nn.Module, B> int train(Run<M, B> run, JsonObject resolved, Path directory,
                                                         int checkpointInterval, int keep, int patience, PrintStream out)
            throws IOException {
        Trainer<M, B> trainer = run.trainer().withDivergencePatience(patience);
        int total = trainer.options().steps();
        CheckpointListener<B> checkpoints = new CheckpointListener<>(directory, trainer, run.train())
                .every(checkpointInterval).keepLast(keep).withConfig(resolved);
        Path metrics = directory.resolve(METRICS);
        if (resume != null) {
            int at = checkpoints.resume().orElseThrow(() -> new IllegalArgumentException(directory
                    + " has no checkpoint to resume from (" + directory.resolve(CheckpointListener.CHECKPOINTS)
                    + " is empty or missing)"));
            if (at >= total) {
                if (run.export() != null && !Files.isDirectory(directory.resolve(MODEL))) { // killed before the export
                    run.export().save(directory.resolve(MODEL));
                    plot(directory);
                    out.println(directory + " is complete (step " + at + "/" + total + "); wrote its " + MODEL
                            + "/, which the stopped run had not");
                    return 0;
                }
                out.println(directory + " is complete (step " + at + "/" + total + "); nothing to resume");
                return 0;
            }
            out.println("resuming " + directory + " at step " + at + "/" + total + " from " + checkpoints.latest().orElseThrow());
        }
        out.printf(Locale.ROOT, "training %s: %s, %,d parameters, %d steps -> %s%n", resolved.get("objective").getAsString(),
                trainer.objective().name(), trainer.model().parameterCount(), total, directory);
        if (stopAt != null && stopAt <= trainer.step()) {
            throw new IllegalArgumentException("--stop-at " + stopAt + " is not after step " + trainer.step()
                    + ", where the run stands");
        }
        if (run.evaluation() != null) {
            out.println("held-out evaluation at step " + trainer.step() + ": " + run.evaluation().evaluate());
        }
        ProgressListener progress = new ProgressListener(out, total, System.console() != null);
        trainer.addListener(progress).addListener(checkpoints);
        try (StopOnInterrupt interrupt = StopOnInterrupt.install(trainer)) { // Ctrl-C: finish the step, save, report
            TrainingResult result;
            try (JsonlMetricsListener metricsFile = resume != null ? JsonlMetricsListener.resumingAt(metrics, trainer.step())
                    : new JsonlMetricsListener(metrics)) {
                trainer.addListener(metricsFile);
                result = trainer.fit(run.train(), run.validation(), stopAt == null ? total : Math.min(stopAt, total));
            } catch (TrainingDivergedException e) {
                throw new IllegalStateException(e.getMessage() + " (" + patience + " non-finite steps in a row); "
                        + checkpoints.latest().map(p -> "the last good checkpoint is " + p).orElse("no checkpoint was saved"), e);
            } finally {
                progress.finish();
            }
            String warning = plot(directory);
            if (warning != null) {
                out.println("warning: " + warning);
            }
            int exit = interrupt.interrupted() ? 130 : 0;
            if (trainer.step() < total) {
                out.println((interrupt.interrupted() ? "interrupted" : "stopped") + " at step " + trainer.step() + "/"
                        + total + "; checkpoint saved; continue with: orthrus train --resume " + directory);
                return exit;
            }
            if (run.export() != null) {
                run.export().save(directory.resolve(MODEL));
            }
            if (run.evaluation() != null) {
                out.println("held-out evaluation at step " + trainer.step() + ": " + run.evaluation().evaluate());
            }
            out.printf(Locale.ROOT, "done: train loss %.4f, validation loss %.4f (best %.4f), %.1f ms/step%n",
                    result.finalTrainLoss(), result.validationLoss(), checkpoints.bestValidationLoss(),
                    result.medianStepMillis());
            out.println("wrote " + directory.resolve(METRICS) + ", loss.svg, loss.png, " + CheckpointListener.CHECKPOINTS
                    + "/, " + CheckpointListener.BEST + "/" + (run.export() != null
                    ? ", " + MODEL + "/ (for " + usedBy(resolved.get("objective").getAsString()) + ")" : ""));
            return exit;
        }
    }

    /** The commands that read the model an objective's run exports. */
    private static String usedBy(String objective) {
        return switch (objective) {
            case ContrastiveRecipe.OBJECTIVE -> "embed, and SentenceTransformer(dir) in Python";
            case CrossEncoderRecipe.OBJECTIVE -> "rerank, and CrossEncoder(dir) in Python";
            default -> "generate, fill-mask, score, embed";
        };
    }

    /** Draws loss.svg and loss.png from the run's metrics; returns a warning or null. */
    static String plot(Path directory) throws IOException {
        List<LossPlot.Series> series = LossPlot.read(directory.resolve(METRICS), "", 0);
        if (series.isEmpty()) {
            return null;
        }
        return LossPlot.write(series, "loss: " + directory.getFileName(), directory.resolve("loss.svg"),
                directory.resolve("loss.png"));
    }

    private int trainCbow(ConfigFile c, Path directory, PrintStream out) throws IOException {
        String text = Recipes.corpus(c, Path.of(""));
        Word2Vec.Options options = Word2VecRecipe.options(c);
        c.rejectUnread();
        clearOutput(directory);
        AtomicFiles.writeString(directory.resolve(RUN_FILE), c.resolved().toString() + "\n");
        out.println("training cbow (word2vec): " + options);
        Word2Vec model = Word2Vec.train(Word2VecRecipe.sentences(text), options);
        WordVectorsFile.save(model.vectors(), directory.resolve("vectors.txt"));
        Word2Vec.Statistics stats = model.statistics();
        JsonObject line = new JsonObject();
        line.addProperty("event", "done");
        line.addProperty("words", stats.words());
        line.addProperty("seconds", stats.seconds());
        line.addProperty("words_per_s", stats.wordsPerSecond());
        AtomicFiles.writeString(directory.resolve(METRICS), line + "\n");
        out.printf(Locale.ROOT, "done: %,d words in %.1f s (%,.0f words/s); wrote %s%n", stats.words(), stats.seconds(),
                stats.wordsPerSecond(), directory.resolve("vectors.txt"));
        return 0;
    }
}
