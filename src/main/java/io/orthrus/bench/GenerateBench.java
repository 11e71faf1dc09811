package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.io.HuggingFaceLlama;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.nn.Quantization;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Recipes;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tensor.kernel.QuantizedMatrix;
import io.orthrus.tokenize.CharTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Generation speed of a decoder: the prompt's tokens per second (prefill: the median of five passes over
 * it), then each new token's time
 * through the KV cache (decode: median and 99th percentile, tokens per second), the bytes of weights a
 * token reads and the bandwidth that makes, beside the machine's measured memory bandwidth; and, for
 * comparison, generation without the cache. Weights in float32, bfloat16 or int8 ({@code --dtype}). A
 * shape preset has random weights (speed does not depend on them, so SmolLM2-135M or GPT-2 small can be
 * measured without downloading them); {@code --model DIR} reads a Hugging Face Llama, Qwen2 or Mistral
 * folder.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Examples:", "  orthrus bench generate --model smollm2-135m --dtype int8 --tokens 200",
                "  orthrus bench generate --model gpt2-small --tokens 500 --uncached-tokens 100",
                "  orthrus bench generate --model path/to/SmolLM2-135M --dtype bf16"},
        description = "Prefill and decode speed, with and without the KV cache, against memory bandwidth; prints one"
                + " JSON line.")
public final class GenerateBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public GenerateBench() {}

    /** The model shapes this benchmark knows by name. */
    enum Shape {
        /** GPT-2 small: 12 layers, width 768, context 1024, vocabulary 50,257 (124M parameters). */
        GPT2_SMALL,
        /** nanoGPT's CPU recipe on Tiny Shakespeare's 65 characters (0.8M parameters). */
        NANOGPT,
        /** SmolLM2-135M (Llama family: 30 layers of width 576, 9 heads on 3, tied head). */
        SMOLLM2_135M;

        /** The shape: the recipes' presets for the GPTs, {@link TransformerConfig#smolLm2_135m()}. */
        TransformerConfig config() {
            if (this == SMOLLM2_135M) {
                return TransformerConfig.smolLm2_135m();
            }
            ConfigFile c = ConfigFile.empty("bench generate");
            c.set("model.preset", this == GPT2_SMALL ? "gpt2-small" : "nano-gpt-cpu");
            return Recipes.shape(c, this == GPT2_SMALL ? TransformerConfig.gpt2Small().vocabSize() : 65);
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Weights as stored for the products. */
    enum Dtype { F32, BF16, INT8 }

    @Option(names = "--model", defaultValue = "gpt2-small", paramLabel = "SHAPE|DIR",
            description = "gpt2-small, nanogpt, smollm2-135m, or a Hugging Face Llama/Qwen2/Mistral folder"
                    + " (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "TYPE", converter = DtypeConverter.class,
            description = "f32, bf16 or int8 (groups of --group values) (default: ${DEFAULT-VALUE}).")
    Dtype dtype;

    @Option(names = "--group", defaultValue = "32", description = "Values per int8 scale (default: ${DEFAULT-VALUE}).")
    int group;

    @Option(names = "--prompt-tokens", defaultValue = "1", description = "Tokens of the prompt before generation (prefill)"
            + " (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--tokens", defaultValue = "500", description = "New tokens with the cache (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--uncached-tokens", defaultValue = "100",
            description = "New tokens without the cache, and with it again for the speed-up at equal length; "
                    + "0 skips the uncached run (default: ${DEFAULT-VALUE}).")
    int uncachedTokens;

    @Mixin
    KernelThreads threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights and prompt (default: ${DEFAULT-VALUE}).")
    long seed;

    /** {@code f32}, {@code bf16} or {@code int8}, in any case. */
    static final class DtypeConverter implements picocli.CommandLine.ITypeConverter<Dtype> {
        @Override
        public Dtype convert(String value) {
            return Dtype.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench generate} prints it. */
    public static String run(String... args) {
        return BenchSupport.parse(new GenerateBench(), args).call();
    }

    /** Builds or loads the model, generates, measures and returns the JSON line. */
    @Override
    public String call() {
        threads.apply();
        if (tokens < 2 || uncachedTokens < 0 || promptTokens < 1 || group < 1) {
            throw new IllegalArgumentException("bench generate: --tokens must be >= 2, --prompt-tokens and --group >= 1"
                    + " and --uncached-tokens >= 0, got " + tokens + ", " + promptTokens + ", " + group + " and "
                    + uncachedTokens);
        }
        String label;
        Gpt gpt;
        Path folder = Path.of(model);
        if (Files.isDirectory(folder)) {
            try {
                gpt = HuggingFaceLlama.loadModel(folder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            label = folder.getFileName().toString();
        } else {
            Shape shape;
            try {
                shape = Shape.valueOf(model.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bench generate: --model '" + model + "' is neither a shape (gpt2-small,"
                        + " nanogpt, smollm2-135m) nor a directory");
            }
            gpt = new Gpt(shape.config(), new Rng(seed));
            label = shape.label();
        }
        if (promptTokens >= gpt.contextLength()) {
            throw new IllegalArgumentException("bench generate: --prompt-tokens " + promptTokens + " leaves no room in the"
                    + " model's context of " + gpt.contextLength());
        }
        Quantization quantization = switch (dtype) {
            case F32 -> null;
            case BF16 -> Quantization.bf16(gpt);
            case INT8 -> Quantization.int8(gpt, group);
        };
        Gpt m = gpt;
        Generator generator = new Generator(m, CharTokenizer.fromCorpus("a"));
        int[] prompt = new int[promptTokens];
        Rng rng = new Rng(seed + 1);
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rng.nextInt(gpt.vocabSize());
        }
        with(quantization, () -> timed(generator, prompt, Math.min(tokens, 32), true)); // warm-up: let the JIT compile
        long[] times = with(quantization, () -> timed(generator, prompt, tokens, true));

        double prefill = with(quantization, () -> prefillSeconds(m, prompt));
        double total = (times[tokens] - times[0]) / 1e9;
        double[] steps = new double[tokens - 1];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = (times[i + 2] - times[i + 1]) / 1e6;
        }
        double decodeSeconds = (times[tokens] - times[1]) / 1e9;
        Arrays.sort(steps);
        long bytes = bytesPerToken(gpt, quantization);
        double decodeRate = (tokens - 1) / decodeSeconds;

        JsonObject json = new JsonObject();
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("model", label);
        json.addProperty("dtype", dtype.name().toLowerCase(Locale.ROOT));
        if (dtype == Dtype.INT8) {
            json.addProperty("group", group);
        }
        json.addProperty("params", gpt.parameterCount());
        json.addProperty("context", gpt.contextLength());
        json.addProperty("prompt_tokens", promptTokens);
        json.addProperty("tokens", tokens);
        json.addProperty("prefill_tokens_per_s", BenchSupport.round(promptTokens / prefill));
        json.addProperty("decode_tokens_per_s", BenchSupport.round(decodeRate));
        json.addProperty("decode_ms_p50", BenchSupport.round(steps[steps.length / 2]));
        json.addProperty("decode_ms_p99", BenchSupport.round(steps[Math.min(steps.length - 1, (int) (0.99 * steps.length))]));
        json.addProperty("weight_mb_per_token", BenchSupport.round(bytes / 1e6));
        json.addProperty("achieved_gb_per_s", BenchSupport.round(bytes * decodeRate / 1e9));
        MemoryBandwidth bandwidth = MemoryBandwidth.measure();
        json.addProperty("read_gb_per_s", BenchSupport.round(bandwidth.readGbPerS()));
        json.addProperty("copy_gb_per_s", BenchSupport.round(bandwidth.copyGbPerS()));
        json.addProperty("cached_tokens_per_s", BenchSupport.round(tokens / total));
        json.addProperty("cached_ms_per_token", BenchSupport.round(1000 * total / tokens));
        if (uncachedTokens > 0) {
            double cachedSame = with(quantization, () -> seconds(generator, prompt, uncachedTokens, true));
            double uncachedSeconds = with(quantization, () -> seconds(generator, prompt, uncachedTokens, false));
            json.addProperty("uncached_tokens", uncachedTokens);
            json.addProperty("uncached_tokens_per_s", BenchSupport.round(uncachedTokens / uncachedSeconds));
            json.addProperty("cache_speedup", BenchSupport.round(uncachedSeconds / cachedSame));
        }
        return json.toString();
    }

    private static <T> T with(Quantization quantization, Supplier<T> body) {
        return quantization == null ? body.get() : quantization.apply(body);
    }

    /** {@code times[0]}: the start; {@code times[i]}: when the i-th new token came (nanoseconds). */
    private static long[] timed(Generator generator, int[] prompt, int count, boolean cache) {
        long[] times = new long[count + 1];
        int[] n = {0};
        GenerationConfig config = GenerationConfig.greedy(count).withCache(cache);
        times[0] = System.nanoTime();
        generator.generate(prompt, config, id -> times[++n[0]] = System.nanoTime());
        return times;
    }

    /** The median of five passes over the prompt into a fresh cache: the prefill of a generation. */
    private static double prefillSeconds(Gpt model, int[] prompt) {
        double[] runs = new double[5];
        for (int i = 0; i < runs.length; i++) {
            long start = System.nanoTime();
            model.evaluating(() -> model.forward(io.orthrus.tensor.IntTensor.wrap(prompt.clone(), 1, prompt.length),
                    model.newCache()));
            runs[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(runs);
        return runs[runs.length / 2];
    }

    private static double seconds(Generator generator, int[] prompt, int count, boolean cache) {
        long[] times = timed(generator, prompt, count, cache);
        return (times[count] - times[0]) / 1e9;
    }

    /**
     * Bytes of weights a decoding step reads: every {@link Linear} weight and the output head (the token
     * embedding when tied), as stored for the products (float32, or their quantized copies).
     */
    static long bytesPerToken(Gpt gpt, Quantization quantization) {
        long bytes = 0;
        Deque<Module> pending = new ArrayDeque<>();
        pending.push(gpt);
        while (!pending.isEmpty()) {
            Module module = pending.pop();
            if (module instanceof Linear linear) {
                bytes += weightBytes(linear.weight(), quantization);
            }
            module.children().values().forEach(pending::push);
        }
        if (gpt.config().tiedEmbeddings()) {
            bytes += weightBytes(gpt.tokenEmbedding(), quantization);
        }
        return bytes;
    }

    private static long weightBytes(io.orthrus.nn.Parameter weight, Quantization quantization) {
        QuantizedMatrix q = quantization == null ? null : quantization.of(weight);
        return q != null ? q.bytes() : 4L * weight.numel();
    }
}
