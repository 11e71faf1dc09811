package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.QuantizedMatrix;

/**
 * A fully connected layer {@code y = x · Wᵀ + b}: input {@code (..., in)}, output {@code (..., out)},
 * weight {@code (out, in)} as in PyTorch, optional bias {@code (out)}.
 *
 * <p>Initialised as PyTorch's {@code nn.Linear}: weight and bias uniform in {@code ±1/√in}.
 */
public final class Linear extends Module implements Layer {
    private final Parameter weight;
    private final Parameter bias;
    private final java.util.List<LoraAdapter> adapters = new java.util.ArrayList<>();

    /** A layer with a bias. */
    public Linear(int in, int out, Rng rng) {
        this(in, out, true, rng);
    }

    /** A layer with or without a bias. */
    public Linear(int in, int out, boolean bias, Rng rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        float bound = (float) (1.0 / Math.sqrt(in));
        this.weight = registerParameter("weight", new Parameter(out, in));
        Init.uniform(weight, bound, rng);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(out));
            Init.uniform(this.bias, bound, rng);
        } else {
            this.bias = null;
        }
    }

    /**
     * {@code (..., in) -> (..., out)}; inside {@link Quantization#apply}, by this layer's quantized
     * weight, inside {@link PackedWeights#apply}, by its packed weight; plus the update of its active
     * {@link Lora} adapter, unless merged.
     */
    @Override
    public Tensor forward(Tensor input) {
        Gemm.Packed packed = PackedWeights.inUse(this);
        Tensor y = packed != null ? input.linear(packed, bias) : multiply(input, weight, bias);
        for (LoraAdapter adapter : adapters) {
            if (adapter.applies()) {
                y = adapter.addTo(y, input);
            }
        }
        return y;
    }

    /** Registers {@code adapter} as the child {@code name}: {@link Lora} attaches adapters through here. */
    void attach(String name, LoraAdapter adapter) {
        registerModule(name, adapter);
        adapters.add(adapter);
    }

    /**
     * {@code x (..., in) · weightᵀ + bias} for a weight {@code (out, in)}: by its quantized copy inside
     * {@link Quantization#apply}, else by the weight itself. An output head tied to the token
     * embedding multiplies through here, so that quantization covers it too.
     */
    public static Tensor multiply(Tensor x, Parameter weight, Tensor bias) {
        QuantizedMatrix quantized = Quantization.inUse(weight);
        return quantized != null ? x.linear(quantized, bias) : x.linear(weight, bias);
    }

    /** The weight {@code (out, in)}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias {@code (out)}, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }
}
