package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.BatchSource;
import io.orthrus.nn.Module;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Run;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.train.LoggingListener;
import io.orthrus.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The options every training benchmark shares (a picocli mixin), and the recipe config they make:
 * the corpus, the steps, the batch, the seed, the fixed evaluation set and nanoGPT's optimizer
 * (AdamW, the peak learning rate after {@code min(100, steps)} warm-up steps, cosine decay to a
 * tenth of it, weight decay 0.1, β = (0.9, 0.99), clipping at 1). Each benchmark gives its own
 * defaults through a {@link Defaults} provider.
 */
public final class TrainingBenchOptions {
    @Option(names = "--corpus", paramLabel = "FILE", description = "UTF-8 text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--eval-batches", paramLabel = "N", description = "Fixed validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate, decayed to a tenth (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", paramLabel = "N", description = "Log every N steps; 0 = quiet (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Mixin
    KernelThreads threads;

    /** Options filled in by picocli. */
    public TrainingBenchOptions() {}

    /**
     * The recipe config of these options for benchmark {@code bench}, which sets its own fields
     * (the model's shape) on it; sizes the thread pool first. A missing corpus is an error naming
     * the file and the option.
     */
    ConfigFile config(String bench) {
        threads.apply();
        BenchSupport.requireCorpus(bench, corpus);
        ConfigFile c = ConfigFile.empty("bench " + bench);
        c.set("data.corpus", corpus.toAbsolutePath().toString());
        c.set("steps", Integer.toString(steps));
        c.set("seed", Long.toString(seed));
        c.set("data.batch_size", Integer.toString(batch));
        c.set("eval_interval", "0");
        c.set("eval_batches", Integer.toString(evalBatches));
        c.set("optimizer.learning_rate", Double.toString(learningRate));
        c.set("optimizer.warmup_steps", Integer.toString(Math.min(100, steps)));
        return c;
    }

    /** Draws {@code --eval-batches} batches from {@code validation} once: the fixed set a benchmark scores. */
    <B> List<B> evaluationSet(BatchSource<B> validation) {
        List<B> batches = new ArrayList<>(evalBatches);
        for (int i = 0; i < evalBatches; i++) {
            batches.add(validation.next());
        }
        return batches;
    }

    /**
     * Trains {@code run} (logging every {@code --log-every} steps when asked), evaluating on
     * {@code evaluationSet}, whose batches the trainer's validation source hands out in turn.
     */
    <M extends Module, B> TrainingResult fit(Run<M, B> run, List<B> evaluationSet) {
        if (logEvery > 0) {
            run.trainer().addListener(new LoggingListener(logEvery));
        }
        int[] next = {0};
        return run.trainer().fit(run.train(), () -> evaluationSet.get(next[0]++ % evaluationSet.size()));
    }

    /**
     * The JSON line's fields every training benchmark reports: {@code bench}, the kernel and
     * threads, steps, batch, parameters, the final training loss, the median ms per step and
     * {@code tokens_per_s} for {@code tokensPerStep} tokens read a step.
     */
    JsonObject report(String bench, Module model, TrainingResult result, long tokensPerStep) {
        JsonObject json = new JsonObject();
        json.addProperty("bench", bench);
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("steps", steps);
        json.addProperty("batch", batch);
        json.addProperty("params", model.parameterCount());
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(tokensPerStep * 1000.0 / result.medianStepMillis()));
        return json;
    }

    /** One benchmark's defaults of these options, by option name; other options keep their own. */
    public static class Defaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> values;

        /**
         * Defaults for {@code --steps}, {@code --batch}, {@code --eval-batches}, {@code --lr}
         * and {@code --seed}; the corpus is Tiny Shakespeare beside the project, logging off.
         */
        protected Defaults(int steps, int batch, int evalBatches, double learningRate, long seed) {
            values = Map.of("--corpus", BenchSupport.DEFAULT_CORPUS, "--steps", Integer.toString(steps),
                    "--batch", Integer.toString(batch), "--eval-batches", Integer.toString(evalBatches),
                    "--lr", String.format(Locale.ROOT, "%s", learningRate), "--seed", Long.toString(seed),
                    "--log-every", "0");
        }

        @Override
        public String defaultValue(ArgSpec argument) {
            return argument instanceof OptionSpec option ? values.get(option.longestName()) : null;
        }
    }
}
