package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Recipes;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.CharTokenizer;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Generation speed of a GPT with random weights, with and without the KV cache: tokens per
 * second for a given number of new tokens after a one-token prompt (greedy, so no sampling cost).
 * The weights do not matter for speed, which is why a GPT-2-small-shaped model (124M parameters)
 * can be measured without downloading GPT-2.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Examples:", "  orthrus bench generate --model gpt2-small --tokens 500 --uncached-tokens 100",
                "  orthrus bench generate --model nanogpt --tokens 500"},
        description = "Tokens per second of generation with and without the KV cache; prints one JSON line.")
public final class GenerateBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public GenerateBench() {}

    /** The model shapes this benchmark knows. */
    enum Shape {
        /** GPT-2 small: 12 layers, width 768, context 1024, vocabulary 50,257 (124M parameters). */
        GPT2_SMALL,
        /** nanoGPT's CPU recipe on Tiny Shakespeare's 65 characters (0.8M parameters). */
        NANOGPT;

        /** The shape, from the recipes' presets: {@code model.preset} over this shape's vocabulary. */
        TransformerConfig config() {
            ConfigFile c = ConfigFile.empty("bench generate");
            c.set("model.preset", this == GPT2_SMALL ? "gpt2-small" : "nano-gpt-cpu");
            return Recipes.shape(c, this == GPT2_SMALL ? TransformerConfig.gpt2Small().vocabSize() : 65);
        }
    }

    @Option(names = "--model", defaultValue = "gpt2-small", paramLabel = "SHAPE",
            converter = ShapeConverter.class, description = "gpt2-small or nanogpt (default: ${DEFAULT-VALUE}).")
    Shape shape;

    @Option(names = "--tokens", defaultValue = "500", description = "New tokens with the cache (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--uncached-tokens", defaultValue = "100",
            description = "New tokens without the cache, and with it again for the speed-up at equal length; "
                    + "0 skips the uncached run (default: ${DEFAULT-VALUE}).")
    int uncachedTokens;

    @Mixin
    KernelThreads threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    /** {@code gpt2-small} or {@code nanogpt}, in any case. */
    static final class ShapeConverter implements picocli.CommandLine.ITypeConverter<Shape> {
        @Override
        public Shape convert(String value) {
            return Shape.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench generate} prints it. */
    public static String run(String... args) {
        return BenchSupport.parse(new GenerateBench(), args).call();
    }

    /** Builds the model, generates, measures and returns the JSON line. */
    @Override
    public String call() {
        threads.apply();
        if (tokens < 1 || uncachedTokens < 0) {
            throw new IllegalArgumentException("bench generate: --tokens must be >= 1 and --uncached-tokens >= 0, got "
                    + tokens + " and " + uncachedTokens);
        }
        TransformerConfig config = shape.config();
        Gpt model = new Gpt(config, new Rng(seed));
        Generator generator = new Generator(model, CharTokenizer.fromCorpus("a"));
        int[] prompt = {0};
        generate(generator, prompt, Math.min(tokens, 32), true); // warm-up: let the JIT compile the one-row kernels
        double cachedSeconds = generate(generator, prompt, tokens, true);

        JsonObject json = new JsonObject();
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("model", shape.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        json.addProperty("params", model.parameterCount());
        json.addProperty("context", config.contextLength());
        json.addProperty("tokens", tokens);
        json.addProperty("cached_tokens_per_s", BenchSupport.round(tokens / cachedSeconds));
        json.addProperty("cached_ms_per_token", BenchSupport.round(1000 * cachedSeconds / tokens));
        if (uncachedTokens > 0) {
            double cachedSame = generate(generator, prompt, uncachedTokens, true);
            double uncachedSeconds = generate(generator, prompt, uncachedTokens, false);
            json.addProperty("uncached_tokens", uncachedTokens);
            json.addProperty("uncached_tokens_per_s", BenchSupport.round(uncachedTokens / uncachedSeconds));
            json.addProperty("cache_speedup", BenchSupport.round(uncachedSeconds / cachedSame));
        }
        return json.toString();
    }

    /** Seconds to generate {@code count} tokens greedily after {@code prompt}. */
    private static double generate(Generator generator, int[] prompt, int count, boolean cache) {
        GenerationConfig config = GenerationConfig.greedy(count).withCache(cache);
        long start = System.nanoTime();
        generator.generate(prompt, config, id -> { });
        return (System.nanoTime() - start) / 1e9;
    }
}
