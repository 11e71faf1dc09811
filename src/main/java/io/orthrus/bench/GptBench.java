package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.model.Gpt;
import io.orthrus.recipe.CausalLmRecipe;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Run;
import io.orthrus.tensor.IntTensor;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * nanoGPT's CPU recipe on a character-level corpus (by default Tiny Shakespeare), built by the
 * {@code causal-lm} recipe as {@code orthrus train} builds it: 4 layers, 4 heads, width 128,
 * context 64, batch 12, AdamW lr 1e-3 (100 warm-up steps, cosine to 1e-4), β = (0.9, 0.99),
 * weight decay 0.1, clip 1.0, no dropout; first 90% of the text for training, the last 10% for
 * validation. Its result ({@code orthrus bench gpt} prints it) is one JSON line with the losses,
 * the step time, the throughput, the memory figures, a 200-character sample, and generation speed
 * with and without the KV cache.
 *
 * <p>Options: those of {@link TrainingBenchOptions} ({@code --steps} 2000, {@code --batch} 12,
 * {@code --eval-batches} 200, {@code --lr} 1e-3, {@code --seed} 1337), another shape with
 * {@code --layers}, {@code --heads}, {@code --width} and {@code --context} (4, 4, 128, 64),
 * {@code --blocks llama} for the same recipe with Llama blocks ({@code nano-llama-cpu}: RMS norm,
 * SwiGLU 3× as wide, rotary positions, {@code --kv-heads} half the heads), and
 * {@code --generation-tokens N} (500; 0 skips timing generation).
 */
@Command(name = "gpt", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = GptBench.Defaults.class,
        footer = {"", "Examples:", "  orthrus bench gpt --steps 200 --threads 2",
                "  orthrus bench gpt --steps 30 --layers 6 --heads 6 --width 384 --context 256 --batch 16",
                "  orthrus bench gpt --blocks llama --steps 2000"},
        description = "nanoGPT's CPU recipe (or another shape) on a character-level corpus; prints one JSON line.")
public final class GptBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public GptBench() {}

    /** nanoGPT's defaults of the shared options. */
    public static final class Defaults extends TrainingBenchOptions.Defaults {
        /** 2000 steps, batch 12, 200 evaluation batches, lr 1e-3, seed 1337. */
        public Defaults() {
            super(2000, 12, 200, 1e-3, 1337);
        }
    }

    @Mixin
    TrainingBenchOptions options;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--width", defaultValue = "128",
            description = "Model width; the feed-forward is 4× as wide, 3× with Llama blocks (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--blocks", defaultValue = "gpt", paramLabel = "gpt|llama",
            description = "GPT-2 blocks (learned positions, layer norm, GELU) or Llama blocks (rotary positions, "
                    + "RMS norm, SwiGLU, grouped-query attention) (default: ${DEFAULT-VALUE}).")
    String blocks;

    @Option(names = "--kv-heads", defaultValue = "0",
            description = "Key/value heads with Llama blocks; 0 = half the heads when even (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--context", defaultValue = "64", description = "Context length in characters (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--generation-tokens", defaultValue = "500",
            description = "Tokens generated to time generation with and without the KV cache; 0 skips it "
                    + "(default: ${DEFAULT-VALUE}).")
    int generationTokens;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench gpt} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new GptBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        boolean llama = switch (blocks) {
            case "gpt" -> false;
            case "llama" -> true;
            default -> throw new IllegalArgumentException("bench gpt: --blocks must be gpt or llama, got '" + blocks + "'");
        };
        ConfigFile c = options.config("gpt");
        c.set("model.preset", llama ? "nano-llama-cpu" : "nano-gpt-cpu");
        c.set("model.layers", Integer.toString(layers));
        c.set("model.width", Integer.toString(width));
        c.set("model.heads", Integer.toString(heads));
        c.set("model.feed_forward_width", Integer.toString((llama ? 3 : 4) * width));
        if (llama) {
            c.set("model.kv_heads", Integer.toString(kvHeads > 0 ? kvHeads : heads % 2 == 0 ? heads / 2 : heads));
        }
        c.set("model.context_length", Integer.toString(context));
        Run<Gpt, IntTensor> run = new CausalLmRecipe().build(c, Path.of(""));
        c.rejectUnread();
        Gpt model = run.model();
        Trainer<Gpt, IntTensor> trainer = run.trainer();
        BenchSupport.AllocationMeter allocation = new BenchSupport.AllocationMeter(Math.min(50, options.steps / 4));
        trainer.addListener(allocation);
        TrainingResult result = options.fit(run, options.evaluationSet(run.validation()));

        Generator generator = new Generator(model, run.tokenizer());
        String prompt = run.tokenizer().decode(new int[] {run.data().train()[0]}); // the corpus's first character
        String sample = generator.generate(prompt, GenerationConfig.sampling(200, 1f, options.seed));
        double cached = generationSpeed(generator, prompt, true);
        double uncached = generationSpeed(generator, prompt, false);

        JsonObject json = options.report("gpt", model, result, result.predictionsPerStep());
        json.addProperty("blocks", blocks);
        json.addProperty("kv_heads", model.config().kvHeads());
        json.addProperty("val_loss", BenchSupport.round(result.validationLoss()));
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
        GenerationConfig config = GenerationConfig.sampling(generationTokens, 1f, options.seed).withCache(cache);
        generator.generate(prompt, config); // warm-up
        long start = System.nanoTime();
        generator.generate(prompt, config);
        return generationTokens / ((System.nanoTime() - start) / 1e9);
    }
}
