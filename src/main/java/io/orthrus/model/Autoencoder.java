package io.orthrus.model;

import io.orthrus.nn.Activation;
import io.orthrus.nn.Layer;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.nn.ModuleList;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.Sequential;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classic autoencoder: an input x is encoded into a code y = s(W x + b) and decoded into a
 * reconstruction z = s'(W' y + b'), trained so that z reconstructs x (Rumelhart, Hinton and
 * Williams, 1986; Bengio et al., 2007). With several hidden layers the encoder is
 * x → h₁ → … → h_k and the decoder mirrors it back to x.
 *
 * <pre>
 * x (N, D) ─▶ [Linear (D, H₁) ─▶ s] ─▶ … ─▶ [Linear (H_k−1, H_k) ─▶ s] ─▶ code (N, H_k)
 *          ─▶ [Linear (H_k, H_k−1) ─▶ s] ─▶ … ─▶ Linear (H₁, D) ─▶ output s' ─▶ z (N, D)
 * </pre>
 *
 * With tied weights each decoder matrix is the transpose of its encoder's (W' = Wᵀ) and only the
 * decoder biases are its own. {@link #layer(int)} gives one encoder-decoder pair on its own,
 * sharing the parameters, for greedy layer-wise pre-training; {@link #encoder()} gives the
 * encoder as a layer, to put a classifier on top.
 */
public final class Autoencoder extends Module implements Reconstructor {
    /** The non-linearity s' of the reconstruction. */
    public enum Output {
        /** z in (0, 1): for inputs in [0, 1], with the cross-entropy loss (Bernoulli inputs) or MSE. */
        SIGMOID,
        /** z unbounded: for real-valued inputs, with MSE (Gaussian inputs). */
        LINEAR;

        /** Applies this non-linearity. */
        public Tensor apply(Tensor logits) {
            return this == SIGMOID ? logits.sigmoid() : logits;
        }
    }

    /**
     * The shape of an autoencoder.
     *
     * @param inputs      input width D
     * @param hidden      widths H₁ … H_k of the hidden layers, the last being the code
     * @param activation  the hidden non-linearity s
     * @param output      the output non-linearity s'
     * @param tiedWeights whether each decoder matrix is its encoder's transpose
     */
    public record Config(int inputs, List<Integer> hidden, Activation.Kind activation, Output output,
                         boolean tiedWeights) {
        /** Checks every field, naming the one that is wrong. */
        public Config {
            if (inputs <= 0) {
                throw new IllegalArgumentException("Autoencoder.Config: inputs must be positive, got " + inputs);
            }
            if (hidden == null || hidden.isEmpty()) {
                throw new IllegalArgumentException("Autoencoder.Config: hidden needs at least one layer width");
            }
            hidden = List.copyOf(hidden);
            for (int i = 0; i < hidden.size(); i++) {
                if (hidden.get(i) <= 0) {
                    throw new IllegalArgumentException("Autoencoder.Config: hidden[" + i + "] must be positive, got "
                            + hidden.get(i));
                }
            }
            if (activation == null || output == null) {
                throw new IllegalArgumentException("Autoencoder.Config: activation and output must be set");
            }
        }

        /** Sigmoid hidden layers and output, untied weights: the classic autoencoder. */
        public static Config of(int inputs, int... hidden) {
            return new Config(inputs, Arrays.stream(hidden).boxed().toList(), Activation.Kind.SIGMOID, Output.SIGMOID,
                    false);
        }

        /** A copy with another hidden non-linearity. */
        public Config withActivation(Activation.Kind value) {
            return new Config(inputs, hidden, value, output, tiedWeights);
        }

        /** A copy with another output non-linearity. */
        public Config withOutput(Output value) {
            return new Config(inputs, hidden, activation, value, tiedWeights);
        }

        /** A copy with tied (W' = Wᵀ) or untied weights. */
        public Config withTiedWeights(boolean value) {
            return new Config(inputs, hidden, activation, output, value);
        }

        /** Number of hidden layers k. */
        public int layers() {
            return hidden.size();
        }

        /** Width of layer {@code i}'s input: D for layer 0, H_i otherwise. */
        int widthBefore(int i) {
            return i == 0 ? inputs : hidden.get(i - 1);
        }
    }

    private final Config config;
    private final List<Linear> encoders = new ArrayList<>();
    private final List<Decoder> decoders = new ArrayList<>();
    private final Sequential encoder;
    private final Activation activation;

    /** An autoencoder of the given shape; weights as PyTorch's {@code nn.Linear}, from {@code rng}. */
    public Autoencoder(Config config, Rng rng) {
        this.config = config;
        this.activation = new Activation(config.activation());
        List<Layer> encoderLayers = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            Linear linear = new Linear(config.widthBefore(i), config.hidden().get(i), rng);
            encoders.add(linear);
            encoderLayers.add(linear);
            encoderLayers.add(new Activation(config.activation()));
        }
        this.encoder = registerModule("encoder", new Sequential(encoderLayers.toArray(Layer[]::new)));
        for (int i = 0; i < config.layers(); i++) {
            decoders.add(config.tiedWeights() ? new Decoder(encoders.get(i).weight(), config.widthBefore(i))
                    : new Decoder(new Linear(config.hidden().get(i), config.widthBefore(i), rng)));
        }
        registerModule("decoder", new ModuleList<>(decoders)); // "decoder.<i>.…", as the encoder's names
    }

    /** The shape. */
    public Config config() {
        return config;
    }

    /** The code {@code (N, H_k)} of inputs {@code (N, D)}. */
    public Tensor encode(Tensor input) {
        checkInput(input, config.inputs());
        return encoder.forward(input); // (N, H_k)
    }

    /** The representation after the first {@code layers} hidden layers ({@code (N, D)} for 0), without gradients. */
    public Tensor encodeThrough(int layers, Tensor input) {
        if (layers < 0 || layers > config.layers()) {
            throw new IllegalArgumentException("Autoencoder: layers must be in [0, " + config.layers() + "], got " + layers);
        }
        checkInput(input, config.inputs());
        try (var g = NoGrad.enter()) {
            Tensor h = input; // (N, D)
            for (int i = 0; i < layers; i++) {
                h = hidden(encoders.get(i).forward(h)); // (N, H_i)
            }
            return h;
        }
    }

    /** The reconstruction before the output non-linearity {@code (N, D)} from a code {@code (N, H_k)}. */
    public Tensor decodeLogits(Tensor code) {
        checkInput(code, config.hidden().get(config.layers() - 1));
        Tensor h = code; // (N, H_k)
        for (int i = config.layers() - 1; i > 0; i--) {
            h = hidden(decoders.get(i).forward(h)); // (N, H_i-1)
        }
        return decoders.get(0).forward(h); // (N, D)
    }

    @Override
    public Tensor reconstructionLogits(Tensor input) {
        return decodeLogits(encode(input)); // (N, D)
    }

    @Override
    public Output output() {
        return config.output();
    }

    /** The encoder x → code as a layer (its parameters are this model's), e.g. under a {@link VectorClassifier}. */
    public Layer encoder() {
        return encoder;
    }

    /**
     * Hidden layer {@code i} as a one-layer autoencoder of its own input (x for layer 0, the
     * previous layer's code otherwise), sharing this model's parameters. Its output non-linearity
     * is the model's for layer 0; for deeper layers it is a sigmoid when the hidden layers are
     * sigmoid (codes in (0, 1)) and linear otherwise.
     */
    public LayerPair layer(int i) {
        if (i < 0 || i >= config.layers()) {
            throw new IllegalArgumentException("Autoencoder: layer must be in [0, " + config.layers() + "), got " + i);
        }
        Output output = i == 0 ? config.output()
                : config.activation() == Activation.Kind.SIGMOID ? Output.SIGMOID : Output.LINEAR;
        return new LayerPair(this, i, output);
    }

    private Tensor hidden(Tensor preActivation) {
        return activation.forward(preActivation);
    }

    private static void checkInput(Tensor input, int width) {
        if (input.rank() != 2 || input.size(1) != width) {
            throw new IllegalArgumentException("Autoencoder: expected inputs of shape (N, " + width + "), got "
                    + Arrays.toString(input.shape()));
        }
    }

    /** One encoder-decoder pair of an {@link Autoencoder}: input → s(W x + b) → W' y + b'. */
    public static final class LayerPair extends Module implements Reconstructor {
        private final Autoencoder owner;
        private final int index;
        private final Output output;

        private LayerPair(Autoencoder owner, int index, Output output) {
            this.owner = owner;
            this.index = index;
            this.output = output;
            registerModule("encoder", owner.encoders.get(index));
            registerModule("decoder", owner.decoders.get(index));
        }

        /** Which hidden layer this is. */
        public int index() {
            return index;
        }

        /** Input width of this pair (D for layer 0, H_i otherwise). */
        public int inputs() {
            return owner.config.widthBefore(index);
        }

        @Override
        public Tensor reconstructionLogits(Tensor input) {
            checkInput(input, inputs());
            Tensor code = owner.hidden(owner.encoders.get(index).forward(input)); // (N, H_i)
            return owner.decoders.get(index).forward(code); // (N, inputs)
        }

        @Override
        public Output output() {
            return output;
        }
    }

    /** A decoder layer: its own linear map, or the transpose of an encoder's weight plus its own bias. */
    private static final class Decoder extends Module implements Layer {
        private final Linear untied;
        private final Parameter tiedWeight;
        private final Parameter bias;

        Decoder(Linear untied) {
            this.untied = registerModule("linear", untied);
            this.tiedWeight = null;
            this.bias = null;
        }

        Decoder(Parameter encoderWeight, int outputs) {
            this.untied = null;
            this.tiedWeight = encoderWeight; // (H, in), not registered here: the encoder owns it
            this.bias = registerParameter("bias", new Parameter(outputs));
        }

        @Override
        public Tensor forward(Tensor code) {
            if (untied != null) {
                return untied.forward(code); // (N, in)
            }
            return code.matmul(tiedWeight).add(bias); // (N, H) · (H, in) + (in) = (N, in)
        }
    }
}
