package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Lora;
import io.orthrus.nn.LoraConfig;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fine-tuning speed and memory of a GPT-2-small-shaped model (12 layers of width 768, vocabulary 50,257, dropout 0)
 * in full or through a LoRA adapter ({@code --mode full|lora}), on batches of random token windows: AdamW, clipping
 * at 1. One mode per run, so that each JVM's heap figures are its own. The JSON line gives the parameters and the
 * trainable ones, the median ms per step, tokens per second, the peak heap and the heap live after training.
 */
@Command(name = "lora", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Examples:", "  orthrus bench lora --mode lora --rank 8 --targets c_attn --steps 20",
                "  orthrus bench lora --mode full --steps 20"},
        description = "LoRA against full fine-tuning on a GPT-2-small shape: tokens/s and heap; prints one JSON line.")
public final class LoraBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public LoraBench() {}

    @Option(names = "--mode", defaultValue = "lora", paramLabel = "full|lora",
            description = "Train every parameter, or a LoRA adapter on the frozen model (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", defaultValue = "16", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--targets", defaultValue = "c_attn", split = ",",
            description = "Layers to adapt, comma-separated (default: ${DEFAULT-VALUE}).")
    String[] targets;

    @Option(names = "--layers", defaultValue = "12", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--width", defaultValue = "768", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--heads", defaultValue = "12", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--context", defaultValue = "128", description = "Tokens per window (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--batch", defaultValue = "4", description = "Windows per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "20", description = "Training steps; their median time is reported"
            + " (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    KernelThreads threads;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench lora} prints it. */
    public static String run(String... args) {
        return BenchSupport.parse(new LoraBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() {
        threads.apply();
        boolean lora = switch (mode) {
            case "full" -> false;
            case "lora" -> true;
            default -> throw new IllegalArgumentException("bench lora: --mode must be full or lora, got '" + mode + "'");
        };
        TransformerConfig config = TransformerConfig.gpt2Small().withWidth(width, heads, 4 * width).withLayers(layers)
                .withContextLength(context).withDropout(0f);
        Rng rng = new Rng(seed);
        Gpt model = new Gpt(config, rng.split());
        if (lora) {
            Lora.attach(model, LoraConfig.rank(rank).withAlpha(alpha).withTargets(targets), rng.split());
        }
        TrainingOptions options = new TrainingOptions(steps, 1e-4, 1e-5, 0, 0.0, 0.9, 0.999, 1.0, 1, 0, 1);
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(), options);
        Rng data = rng.split();
        TrainingResult result = trainer.fit(() -> randomWindows(data, config.vocabSize()),
                () -> randomWindows(data, config.vocabSize()));
        JsonObject json = new JsonObject();
        json.addProperty("bench", "lora");
        json.addProperty("mode", mode);
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("layers", layers);
        json.addProperty("width", width);
        json.addProperty("context", context);
        json.addProperty("batch", batch);
        json.addProperty("steps", steps);
        if (lora) {
            json.addProperty("rank", rank);
            json.addProperty("targets", String.join(",", targets));
        }
        json.addProperty("params", model.parameterCount());
        json.addProperty("trainable_params", model.trainableParameterCount());
        json.addProperty("trainable_percent", BenchSupport.round(100.0 * model.trainableParameterCount()
                / model.parameterCount()));
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(batch * (long) context * 1000.0 / result.medianStepMillis()));
        json.addProperty("peak_heap_mb", Math.round(BenchSupport.peakHeapBytes() / 1e6));
        json.addProperty("live_heap_mb", Math.round(BenchSupport.liveHeapBytes() / 1e6));
        return json.toString();
    }

    /** {@code --batch} windows of {@code --context + 1} random token ids. */
    private IntTensor randomWindows(Rng rng, int vocab) {
        int[] ids = new int[batch * (context + 1)];
        Arrays.setAll(ids, i -> rng.nextInt(vocab));
        return IntTensor.of(ids, batch, context + 1);
    }
}
