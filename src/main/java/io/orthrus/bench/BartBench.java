package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.TextDataset;
import io.orthrus.data.WindowSampler;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.nn.Activation;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Denoising;
import io.orthrus.objective.Seq2Seq;
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
 * BART-style denoising pre-training of a small encoder-decoder on characters of a corpus (by
 * default Tiny Shakespeare, split 90/10): text infilling (30% of the characters in Poisson(3)
 * spans, one mask each) on windows of {@code --length} characters; validation loss and
 * reconstruction accuracy (teacher-forced next-token accuracy over the whole rewritten window)
 * on a fixed set of corrupted validation windows, and the speed.
 *
 * <p>Options: {@code --corpus FILE}, {@code --steps N} (1000), {@code --width C} (128),
 * {@code --layers L} (2 per side), {@code --length T} (64), {@code --batch B} (16),
 * {@code --lr LR} (1e-3), {@code --eval-batches N} (20), {@code --threads K}, {@code --seed S}.
 */
@Command(name = "bart", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Example:", "  orthrus bench bart --steps 1000"},
        description = "BART-style denoising pre-training of a small encoder-decoder on characters; prints one JSON line.")
public final class BartBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public BartBench() {}

    private static final String NAME = "BartBench";

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "UTF-8 text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--width", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--layers", defaultValue = "2", description = "Layers per side (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--length", defaultValue = "64", description = "Window length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--eval-batches", defaultValue = "20", description = "Fixed validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Mixin
    KernelThreads threads;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench bart} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new BartBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        threads.apply();
        String text = BenchSupport.readCorpus(NAME, corpus);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        TextDataset data = TextDataset.of(text, tokenizer, 0.9);
        int characters = tokenizer.vocabSize();
        SpecialTokens specials = SpecialTokens.after(characters);
        int mask = characters + 3;
        TransformerConfig shape = new TransformerConfig(characters + 4, length + 1, width, Math.max(1, width / 32), layers,
                4 * width, Activation.Kind.GELU_EXACT, 0f, TransformerConfig.PositionalEncoding.LEARNED,
                TransformerConfig.NormPlacement.PRE, false, true);
        Rng rng = new Rng(seed);
        EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(shape), rng.split());
        Denoising objective = Denoising.textInfilling(specials, mask, seed);
        WindowSampler validation = data.validationWindows(length, batch, new Rng(seed + 1));
        List<IntTensor> windows = new ArrayList<>();
        List<Seq2SeqBatch> evaluationSet = new ArrayList<>();
        for (int i = 0; i < evalBatches; i++) {
            windows.add(validation.next());
            evaluationSet.add(objective.batch(windows.get(i), false));
        }
        Trainer<EncoderDecoder, IntTensor> trainer = new Trainer<>(model, objective,
                TrainingOptions.nanoGpt(steps).withLearningRate(learningRate, learningRate / 10).withEvaluation(0, 1));
        TrainingResult result = trainer.fit(data.trainWindows(length, batch, rng.split()), () -> windows.get(0));
        Seq2Seq.Evaluation evaluation = new Seq2Seq().evaluate(model, evaluationSet);
        JsonObject json = new JsonObject();
        json.addProperty("bench", "bart-infilling-chars");
        json.addProperty("width", width);
        json.addProperty("layers", layers);
        json.addProperty("params", model.parameterCount());
        json.addProperty("steps", steps);
        json.addProperty("batch", batch);
        json.addProperty("length", length);
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("val_loss", BenchSupport.round(evaluation.loss()));
        json.addProperty("val_reconstruction_accuracy", BenchSupport.round(evaluation.accuracy()));
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(batch * length * 1000.0 / result.medianStepMillis()));
        return json.toString();
    }
}
