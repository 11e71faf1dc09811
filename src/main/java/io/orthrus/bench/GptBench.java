package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.TextDataset;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.LoggingListener;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;

/**
 * nanoGPT's CPU recipe on a character-level corpus (by default Tiny Shakespeare): 4 layers,
 * 4 heads, width 128, context 64, batch 12, AdamW lr 1e-3 (100 warm-up steps, cosine to 1e-4),
 * β = (0.9, 0.99), weight decay 0.1, clip 1.0, no dropout; first 90% of the text for training,
 * the last 10% for validation. Its result ({@code orthrus bench gpt} prints it) is one JSON line with the losses, the step time, the
 * throughput, the peak heap, a 200-character sample, and generation speed with and without the
 * KV cache.
 *
 * <p>Options: {@code --corpus FILE} (default {@code ../shared/data/tinyshakespeare.txt}),
 * {@code --steps N} (2000), {@code --threads K} (all cores), {@code --eval-batches N} (200),
 * {@code --seed S} (1337), {@code --batch B} (12), {@code --log-every N} (0 = quiet).
 */
public final class GptBench {
    private GptBench() {}


    /** Trains, measures and returns the JSON line (the options are listed in the class comment; {@code orthrus bench} prints it). */
    public static String run(String[] args) throws IOException {
        Path corpus = Path.of("../shared/data/tinyshakespeare.txt");
        int steps = 2000, evalBatches = 200, batch = 12, logEvery = 0;
        long seed = 1337;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--corpus" -> corpus = Path.of(BenchSupport.require("GptBench", args[i], value));
                case "--steps" -> steps = Integer.parseInt(BenchSupport.require("GptBench", args[i], value));
                case "--threads" -> System.setProperty(Parallel.THREADS_PROPERTY, BenchSupport.require("GptBench", args[i], value));
                case "--eval-batches" -> evalBatches = Integer.parseInt(BenchSupport.require("GptBench", args[i], value));
                case "--seed" -> seed = Long.parseLong(BenchSupport.require("GptBench", args[i], value));
                case "--batch" -> batch = Integer.parseInt(BenchSupport.require("GptBench", args[i], value));
                case "--log-every" -> logEvery = Integer.parseInt(BenchSupport.require("GptBench", args[i], value));
                default -> throw new IllegalArgumentException("GptBench: unknown option '" + args[i] + "'; options: "
                        + "--corpus FILE --steps N --threads K --eval-batches N --seed S --batch B --log-every N");
            }
            i++;
        }
        String text = BenchSupport.readCorpus("GptBench", corpus);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        TransformerConfig config = TransformerConfig.nanoGptCpu(tokenizer.vocabSize());
        TextDataset data = TextDataset.of(text, tokenizer, 0.9);
        Rng rng = new Rng(seed);
        Gpt model = new Gpt(config, rng.split());
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(),
                TrainingOptions.nanoGpt(steps).withEvaluation(0, evalBatches));
        if (logEvery > 0) {
            trainer.addListener(new LoggingListener(logEvery));
        }
        int window = config.contextLength() + 1;
        TrainingResult result = trainer.fit(data.trainWindows(window, batch, rng.split()),
                data.validationWindows(window, batch, rng.split()));

        Generator generator = new Generator(model, tokenizer);
        String prompt = text.substring(0, text.offsetByCodePoints(0, 1)); // a character the corpus surely has
        String sample = generator.generate(prompt, GenerationConfig.sampling(200, 1f, seed));
        double cached = generationSpeed(generator, prompt, true, seed);
        double uncached = generationSpeed(generator, prompt, false, seed);

        JsonObject json = new JsonObject();
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("steps", steps);
        json.addProperty("batch", batch);
        json.addProperty("params", model.parameterCount());
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("val_loss", BenchSupport.round(result.validationLoss()));
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(result.predictionsPerSecond()));
        json.addProperty("peak_heap_mb", Math.round(BenchSupport.peakHeapBytes() / 1e6));
        json.addProperty("generate_cached_tokens_per_s", Math.round(cached));
        json.addProperty("generate_uncached_tokens_per_s", Math.round(uncached));
        json.addProperty("sample", sample);
        return json.toString();
    }

    /** New tokens per second when generating 500 tokens after a one-character prompt. */
    private static double generationSpeed(Generator generator, String prompt, boolean cache, long seed) {
        GenerationConfig config = GenerationConfig.sampling(500, 1f, seed).withCache(cache);
        generator.generate(prompt, config); // warm-up
        long start = System.nanoTime();
        generator.generate(prompt, config);
        return 500 / ((System.nanoTime() - start) / 1e9);
    }
}
