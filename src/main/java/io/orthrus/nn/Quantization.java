package io.orthrus.nn;

import io.orthrus.tensor.kernel.QuantizedMatrix;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A model's weight matrices held as bfloat16 or int8 for inference: generating a token reads every
 * weight once, so its speed is the bytes of weights against memory bandwidth, and int8 reads a
 * quarter of float32's. Inside {@link #apply}, each {@link Linear} layer, and a tied output head that
 * multiplies by the token {@link Embedding}, multiplies by its quantized copy ({@link QuantizedMatrix}):
 * one input row at a time straight from the compact values, longer inputs (a prompt) through the
 * matrix kernel on blocks widened back to floats. Norms, biases, embeddings looked up and the KV cache
 * stay float32.
 *
 * <p>int8 is symmetric with a float scale per group of 32 (or 64) values of a row, as GGUF's Q8_0; its
 * error on a trained model's perplexity is a fraction of a percent (docs/llama.md#quantized-generation).
 * A snapshot of the weights when made, which it holds beside them; immutable and thread-safe, and
 * {@code apply} is per thread, like {@link Module#evaluating}.
 */
public final class Quantization {
    private static final ThreadLocal<Quantization> CURRENT = new ThreadLocal<>();

    private final QuantizedMatrix.Format format;
    private final int group;
    private final Map<Parameter, QuantizedMatrix> weights;

    private Quantization(QuantizedMatrix.Format format, int group, Map<Parameter, QuantizedMatrix> weights) {
        this.format = format;
        this.group = group;
        this.weights = Collections.unmodifiableMap(weights);
    }

    /** {@code model}'s weight matrices as int8 with a scale per 32 values of a row. */
    public static Quantization int8(Module model) {
        return int8(model, 32);
    }

    /** {@code model}'s weight matrices as int8 with a scale per {@code group} values of a row (32 or 64 are usual). */
    public static Quantization int8(Module model, int group) {
        if (group <= 0) {
            throw new IllegalArgumentException("Quantization.int8: the group size must be positive, got " + group);
        }
        return of(model, QuantizedMatrix.Format.INT8, group);
    }

    /** {@code model}'s weight matrices as bfloat16. */
    public static Quantization bf16(Module model) {
        return of(model, QuantizedMatrix.Format.BF16, 0);
    }

    private static Quantization of(Module model, QuantizedMatrix.Format format, int group) {
        Map<Parameter, QuantizedMatrix> weights = new IdentityHashMap<>();
        Deque<Module> pending = new ArrayDeque<>();
        pending.push(model);
        while (!pending.isEmpty()) {
            Module module = pending.pop();
            Parameter w = module instanceof Linear linear ? linear.weight()
                    : module instanceof Embedding embedding ? embedding.weight() : null;
            if (w != null && !weights.containsKey(w)) {
                int rows = w.size(0), cols = w.size(1);
                weights.put(w, format == QuantizedMatrix.Format.INT8 ? QuantizedMatrix.int8(w.data(), 0, rows, cols, group)
                        : QuantizedMatrix.bf16(w.data(), 0, rows, cols));
            }
            module.children().values().forEach(pending::push);
        }
        return new Quantization(format, group, weights);
    }

    /**
     * Runs {@code body} on this thread with the quantized weights in use and no gradients recorded,
     * and returns what it returns.
     */
    public <T> T apply(Supplier<T> body) {
        return InferenceScope.within(CURRENT, this, body);
    }

    /** bfloat16 or int8. */
    public QuantizedMatrix.Format format() {
        return format;
    }

    /** Values of a row per int8 scale, or 0 for bfloat16. */
    public int group() {
        return group;
    }

    /** Bytes of the quantized weights (values and scales). */
    public long bytes() {
        return weights.values().stream().mapToLong(QuantizedMatrix::bytes).sum();
    }

    /** The quantized copy of {@code weight}, or null when it has none. */
    public QuantizedMatrix of(Parameter weight) {
        return weights.get(weight);
    }

    /** The quantized copy of {@code weight} in the calling thread's {@link #apply}, or null. */
    static QuantizedMatrix inUse(Parameter weight) {
        Quantization current = CURRENT.get();
        return current == null ? null : current.weights.get(weight);
    }
}
