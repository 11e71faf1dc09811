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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * nanoGPT's CPU recipe on a character-level corpus (by default Tiny Shakespeare): 4 layers,
 * 4 heads, width 128, context 64, batch 12, AdamW lr 1e-3 (100 warm-up steps, cosine to 1e-4),
 * β = (0.9, 0.99), weight decay 0.1, clip 1.0, no dropout; first 90% of the text for training,
 * the last 10% for validation. Its result ({@code orthrus bench gpt} prints it) is one JSON line
 * with the losses, the step time, the throughput, the memory figures, a 200-character sample, and
 * generation speed with and without the KV cache.
 *
 * <p>Options: {@code --corpus FILE} (default {@code ../shared/data/tinyshakespeare.txt}),
 * {@code --steps N} (2000), {@code --threads K} (all cores), {@code --eval-batches N} (200),
 * {@code --seed S} (1337), {@code --batch B} (12), another shape with {@code --layers},
 * {@code --heads}, {@code --width} and {@code --context} (4, 4, 128, 64), {@code --generation-tokens N}
 * (500; 0 skips timing generation), {@code --log-every N} (0 = quiet).
 */
@Command(name = "gpt", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Examples:", "  orthrus bench gpt --steps 200 --threads 2",
                "  orthrus bench gpt --steps 30 --layers 6 --heads 6 --width 384 --context 256 --batch 16"},
        description = "nanoGPT's CPU recipe (or another shape) on a character-level corpus; prints one JSON line.")
public final class GptBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public GptBench() {}

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "UTF-8 text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    KernelThreads threads;

    @Option(names = "--eval-batches", defaultValue = "200", description = "Fixed validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--seed", defaultValue = "1337", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "12", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--width", defaultValue = "128",
            description = "Model width; the feed-forward is 4× as wide (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--context", defaultValue = "64", description = "Context length in characters (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--generation-tokens", defaultValue = "500",
            description = "Tokens generated to time generation with and without the KV cache; 0 skips it "
                    + "(default: ${DEFAULT-VALUE}).")
    int generationTokens;

    @Option(names = "--log-every", defaultValue = "0", description = "Log every N steps; 0 = quiet (default: ${DEFAULT-VALUE}).")
    int logEvery;


    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench gpt} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new GptBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        threads.apply();
        String text = BenchSupport.readCorpus("GptBench", corpus);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        TransformerConfig config = TransformerConfig.nanoGptCpu(tokenizer.vocabSize()).withLayers(layers)
                .withWidth(width, heads, 4 * width).withContextLength(context);
        TextDataset data = TextDataset.of(text, tokenizer, 0.9);
        Rng rng = new Rng(seed);
        Gpt model = new Gpt(config, rng.split());
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(),
                TrainingOptions.nanoGpt(steps).withEvaluation(0, evalBatches));
        if (logEvery > 0) {
            trainer.addListener(new LoggingListener(logEvery));
        }
        BenchSupport.AllocationMeter allocation = new BenchSupport.AllocationMeter(Math.min(50, steps / 4));
        trainer.addListener(allocation);
        int window = config.contextLength() + 1;
        TrainingResult result = trainer.fit(data.trainWindows(window, batch, rng.split()),
                data.validationWindows(window, batch, rng.split()));

        Generator generator = new Generator(model, tokenizer);
        String prompt = text.substring(0, text.offsetByCodePoints(0, 1)); // a character the corpus surely has
        String sample = generator.generate(prompt, GenerationConfig.sampling(200, 1f, seed));
        double cached = generationSpeed(generator, prompt, true);
        double uncached = generationSpeed(generator, prompt, false);

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
        json.addProperty("live_heap_mb", Math.round(BenchSupport.liveHeapBytes() / 1e6));
        // Weights, their gradients and AdamW's two moments: four floats per parameter.
        json.addProperty("model_state_mb", BenchSupport.round(model.parameterCount() * 4.0 * Float.BYTES / 1e6));
        json.addProperty("workspace_mb", BenchSupport.round(trainer.workspaceBytes() / 1e6));
        long perStep = allocation.medianBytesPerStep();
        json.addProperty("alloc_mb_per_step", perStep < 0 ? -1 : BenchSupport.round(perStep / 1e6));
        if (generationTokens > 0) {
            json.addProperty("generate_cached_tokens_per_s", Math.round(cached));
            json.addProperty("generate_uncached_tokens_per_s", Math.round(uncached));
        }
        json.addProperty("sample", sample);
        return json.toString();
    }

    /** New tokens per second when generating {@code --generation-tokens} tokens after a one-character prompt; 0 when skipped. */
    private double generationSpeed(Generator generator, String prompt, boolean cache) {
        if (generationTokens <= 0) {
            return 0;
        }
        GenerationConfig config = GenerationConfig.sampling(generationTokens, 1f, seed).withCache(cache);
        generator.generate(prompt, config); // warm-up
        long start = System.nanoTime();
        generator.generate(prompt, config);
        return generationTokens / ((System.nanoTime() - start) / 1e9);
    }
}
