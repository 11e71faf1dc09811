package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.TextDataset;
import io.orthrus.data.WindowSampler;
import io.orthrus.model.BiLm;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ELMo's bidirectional LM on characters of a corpus (by default Tiny Shakespeare, split 90/10):
 * both directions' validation cross-entropy and perplexity after a fixed number of steps, and the
 * speed.
 *
 * <p>Options: {@code --corpus FILE}, {@code --steps N} (1000), {@code --hidden H} (128),
 * {@code --layers L} (2), {@code --length T} (64), {@code --batch B} (32), {@code --lr LR} (3e-3),
 * {@code --eval-batches N} (20), {@code --threads K}, {@code --seed S}.
 */
public final class ElmoBench {
    private static final String NAME = "ElmoBench";

    private ElmoBench() {}

    /** Trains, measures and returns the JSON line ({@code orthrus bench elmo} prints it). */
    public static String run(String[] args) throws IOException {
        Path corpus = Path.of("../shared/data/tinyshakespeare.txt");
        int steps = 1000, hidden = 128, layers = 2, length = 64, batch = 32, evalBatches = 20;
        double learningRate = 3e-3;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--corpus" -> corpus = Path.of(BenchSupport.require(NAME, args[i], value));
                case "--steps" -> steps = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--hidden" -> hidden = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--layers" -> layers = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--length" -> length = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--batch" -> batch = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--lr" -> learningRate = Double.parseDouble(BenchSupport.require(NAME, args[i], value));
                case "--eval-batches" -> evalBatches = Integer.parseInt(BenchSupport.require(NAME, args[i], value));
                case "--threads" -> System.setProperty(Parallel.THREADS_PROPERTY, BenchSupport.require(NAME, args[i], value));
                case "--seed" -> seed = Long.parseLong(BenchSupport.require(NAME, args[i], value));
                default -> throw new IllegalArgumentException(NAME + ": unknown option '" + args[i] + "'; options: "
                        + "--corpus FILE --steps N --hidden H --layers L --length T --batch B --lr LR --eval-batches N "
                        + "--threads K --seed S");
            }
            i++;
        }
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
