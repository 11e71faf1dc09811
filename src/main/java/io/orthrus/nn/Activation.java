package io.orthrus.nn;

import io.orthrus.tensor.Tensor;
import java.util.function.UnaryOperator;

/** An element-wise non-linearity as a layer with no parameters. */
public final class Activation extends Module implements Layer {
    /** The non-linearities on offer. */
    public enum Kind {
        /** max(0, x). */
        RELU(Tensor::relu),
        /** tanh(x). */
        TANH(Tensor::tanh),
        /** 1 / (1 + e^−x). */
        SIGMOID(Tensor::sigmoid),
        /** x·σ(x), SiLU or swish (Llama-family feed-forward layers). */
        SILU(Tensor::silu),
        /** GELU, tanh approximation (GPT-2, BERT). */
        GELU(Tensor::gelu),
        /** GELU, exact erf form. */
        GELU_EXACT(Tensor::geluExact),
        /** x: no non-linearity. */
        IDENTITY(t -> t);

        private final UnaryOperator<Tensor> function;

        Kind(UnaryOperator<Tensor> function) {
            this.function = function;
        }

        /** This non-linearity applied to {@code input}, element by element. */
        public Tensor apply(Tensor input) {
            return function.apply(input);
        }
    }

    private final Kind kind;

    /** The activation of the given kind. */
    public Activation(Kind kind) {
        this.kind = kind;
    }

    /** Same shape in and out. */
    @Override
    public Tensor forward(Tensor input) {
        return kind.function.apply(input);
    }

    /** Which non-linearity this is. */
    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "Activation(" + kind + ")";
    }
}
