package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.TextDataset;
import io.orthrus.data.WindowSampler;
import io.orthrus.model.BiLm;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
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
 * ELMo's bidirectional LM on characters of a corpus (by default Tiny Shakespeare, split 90/10):
 * both directions' validation cross-entropy and perplexity after a fixed number of steps, and the
 * speed.
 *
 * <p>Options: {@code --corpus FILE}, {@code --steps N} (1000), {@code --hidden H} (128),
 * {@code --layers L} (2), {@code --length T} (64), {@code --batch B} (32), {@code --lr LR} (3e-3),
 * {@code --eval-batches N} (20), {@code --threads K}, {@code --seed S}.
 */
@Command(name = "elmo", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Example:", "  orthrus bench elmo --steps 600"},
        description = "ELMo's bidirectional LSTM LM on characters; prints one JSON line.")
public final class ElmoBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public ElmoBench() {}

    private static final String NAME = "ElmoBench";

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "UTF-8 text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--hidden", defaultValue = "128", description = "LSTM width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "LSTM layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--length", defaultValue = "64", description = "Window length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--eval-batches", defaultValue = "20", description = "Fixed validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Mixin
    KernelThreads threads;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench elmo} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new ElmoBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        threads.apply();
        String text = BenchSupport.readCorpus(NAME, corpus);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        TextDataset data = TextDataset.of(text, tokenizer, 0.9);
        Rng rng = new Rng(seed);
        BiLm model = new BiLm(tokenizer.vocabSize(), hidden, layers, rng.split());
        BidirectionalLm objective = new BidirectionalLm();
        WindowSampler validation = data.validationWindows(length, batch, new Rng(seed + 1));
        List<IntTensor> evaluationSet = new ArrayList<>();
        for (int i = 0; i < evalBatches; i++) {
            evaluationSet.add(validation.next());
        }
        Trainer<BiLm, IntTensor> trainer = new Trainer<>(model, objective,
                TrainingOptions.nanoGpt(steps).withLearningRate(learningRate, learningRate / 10).withEvaluation(0, 1));
        TrainingResult result = trainer.fit(data.trainWindows(length, batch, rng.split()), () -> evaluationSet.get(0));
        BidirectionalLm.Evaluation evaluation = objective.evaluate(model, evaluationSet);
        JsonObject json = new JsonObject();
        json.addProperty("bench", "elmo-bilm-chars");
        json.addProperty("hidden", hidden);
        json.addProperty("layers", layers);
        json.addProperty("params", model.parameterCount());
        json.addProperty("steps", steps);
        json.addProperty("batch", batch);
        json.addProperty("length", length);
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("val_forward_loss", BenchSupport.round(evaluation.forward()));
        json.addProperty("val_backward_loss", BenchSupport.round(evaluation.backward()));
        json.addProperty("val_forward_perplexity", BenchSupport.round(evaluation.forwardPerplexity()));
        json.addProperty("val_backward_perplexity", BenchSupport.round(evaluation.backwardPerplexity()));
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(batch * length * 1000.0 / result.medianStepMillis()));
        return json.toString();
    }
}
