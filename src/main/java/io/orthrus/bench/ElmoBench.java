package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.model.BiLm;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.recipe.BiLmRecipe;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Run;
import io.orthrus.tensor.IntTensor;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * ELMo's bidirectional LM on characters of a corpus (by default Tiny Shakespeare, split 90/10),
 * built by the {@code bilm} recipe as {@code orthrus train} builds it: both directions' validation
 * cross-entropy and perplexity after a fixed number of steps, and the speed.
 *
 * <p>Options: those of {@link TrainingBenchOptions} ({@code --steps} 1000, {@code --batch} 32,
 * {@code --eval-batches} 20, {@code --lr} 3e-3, {@code --seed} 1), {@code --hidden H} (128),
 * {@code --layers L} (2), {@code --length T} (64).
 */
@Command(name = "elmo", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = ElmoBench.Defaults.class,
        footer = {"", "Example:", "  orthrus bench elmo --steps 600"},
        description = "ELMo's bidirectional LSTM LM on characters; prints one JSON line.")
public final class ElmoBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public ElmoBench() {}

    /** This benchmark's defaults of the shared options. */
    public static final class Defaults extends TrainingBenchOptions.Defaults {
        /** 1000 steps, batch 32, 20 evaluation batches, lr 3e-3, seed 1. */
        public Defaults() {
            super(1000, 32, 20, 3e-3, 1);
        }
    }

    @Mixin
    TrainingBenchOptions options;

    @Option(names = "--hidden", defaultValue = "128", description = "LSTM width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "LSTM layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--length", defaultValue = "64", description = "Window length (default: ${DEFAULT-VALUE}).")
    int length;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench elmo} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new ElmoBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        ConfigFile c = options.config("elmo");
        c.set("model.width", Integer.toString(hidden));
        c.set("model.layers", Integer.toString(layers));
        c.set("model.context_length", Integer.toString(length));
        Run<BiLm, IntTensor> run = new BiLmRecipe().build(c, Path.of(""));
        c.rejectUnread();
        BiLm model = run.model();
        List<IntTensor> evaluationSet = options.evaluationSet(run.validation());
        TrainingResult result = options.fit(run, evaluationSet);
        BidirectionalLm.Evaluation evaluation = new BidirectionalLm().evaluate(model, evaluationSet);
        JsonObject json = options.report("elmo-bilm-chars", model, result, (long) options.batch * length);
        json.addProperty("hidden", hidden);
        json.addProperty("layers", layers);
        json.addProperty("length", length);
        json.addProperty("val_forward_loss", BenchSupport.round(evaluation.forward()));
        json.addProperty("val_backward_loss", BenchSupport.round(evaluation.backward()));
        json.addProperty("val_forward_perplexity", BenchSupport.round(evaluation.forwardPerplexity()));
        json.addProperty("val_backward_perplexity", BenchSupport.round(evaluation.backwardPerplexity()));
        return json.toString();
    }
}
