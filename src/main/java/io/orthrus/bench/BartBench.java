package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.objective.Denoising;
import io.orthrus.objective.Seq2Seq;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.DenoisingRecipe;
import io.orthrus.recipe.Run;
import io.orthrus.tensor.IntTensor;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * BART-style denoising pre-training of a small encoder-decoder on characters of a corpus (by
 * default Tiny Shakespeare, split 90/10), built by the {@code denoising} recipe as
 * {@code orthrus train} builds it: text infilling (30% of the characters in Poisson(3) spans, one
 * mask each) on windows of {@code --length} characters; validation loss and reconstruction
 * accuracy (teacher-forced next-token accuracy over the whole rewritten window) on a fixed set of
 * corrupted validation windows, and the speed.
 *
 * <p>Options: those of {@link TrainingBenchOptions} ({@code --steps} 1000, {@code --batch} 16,
 * {@code --eval-batches} 20, {@code --lr} 1e-3, {@code --seed} 1), {@code --width C} (128; one
 * head per 32 channels), {@code --layers L} (2 per side), {@code --length T} (64).
 */
@Command(name = "bart", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = BartBench.Defaults.class,
        footer = {"", "Example:", "  orthrus bench bart --steps 1000"},
        description = "BART-style denoising pre-training of a small encoder-decoder on characters; prints one JSON line.")
public final class BartBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public BartBench() {}

    /** This benchmark's defaults of the shared options. */
    public static final class Defaults extends TrainingBenchOptions.Defaults {
        /** 1000 steps, batch 16, 20 evaluation batches, lr 1e-3, seed 1. */
        public Defaults() {
            super(1000, 16, 20, 1e-3, 1);
        }
    }

    @Mixin
    TrainingBenchOptions options;

    @Option(names = "--width", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--layers", defaultValue = "2", description = "Layers per side (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--length", defaultValue = "64", description = "Window length (default: ${DEFAULT-VALUE}).")
    int length;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench bart} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new BartBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        ConfigFile c = options.config("bart");
        c.set("noise", "infilling");
        c.set("model.width", Integer.toString(width));
        c.set("model.heads", Integer.toString(Math.max(1, width / 32)));
        c.set("model.feed_forward_width", Integer.toString(4 * width));
        c.set("model.layers", Integer.toString(layers));
        c.set("model.context_length", Integer.toString(length + 1)); // the decoder's start token
        Run<EncoderDecoder, IntTensor> run = new DenoisingRecipe().build(c, Path.of(""));
        c.rejectUnread();
        EncoderDecoder model = run.model();
        Denoising objective = (Denoising) run.trainer().objective(); // the recipe's text infilling
        List<IntTensor> windows = options.evaluationSet(run.validation());
        List<Seq2SeqBatch> evaluationSet = new ArrayList<>();
        windows.forEach(window -> evaluationSet.add(objective.batch(window, false))); // corrupted once, then fixed
        TrainingResult result = options.fit(run, windows);
        Seq2Seq.Evaluation evaluation = new Seq2Seq().evaluate(model, evaluationSet);
        JsonObject json = options.report("bart-infilling-chars", model, result, (long) options.batch * length);
        json.addProperty("width", width);
        json.addProperty("layers", layers);
        json.addProperty("length", length);
        json.addProperty("val_loss", BenchSupport.round(evaluation.loss()));
        json.addProperty("val_reconstruction_accuracy", BenchSupport.round(evaluation.accuracy()));
        return json.toString();
    }
}
