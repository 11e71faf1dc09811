package io.orthrus.nn;

/**
 * The shape of a Transformer: everything needed to build the shared stack and the embeddings
 * around it. A validated record: an impossible combination throws, naming the field.
 *
 * @param vocabSize          number of token ids V
 * @param contextLength      the longest sequence T the model reads (and the size of a learned position table)
 * @param width              model width C (embedding and residual stream)
 * @param heads              attention heads; must divide {@code width}
 * @param layers             Transformer blocks
 * @param feedForwardWidth   hidden width of each block's feed-forward layer (usually 4·C)
 * @param activation         the feed-forward non-linearity (GELU in GPT and BERT)
 * @param dropout            dropout probability on embeddings, attention weights and residual branches
 * @param positions          how positions are encoded
 * @param norm               where the layer norms sit
 * @param bias               whether linear layers and layer norms have biases
 * @param tiedEmbeddings     whether the output head reuses the token embedding matrix
 * @param layerNormEps       the ε every layer norm adds to the variance (1e-5 as in GPT-2 unless given; BERT's
 *                           checkpoints use 1e-12)
 */
public record TransformerConfig(int vocabSize, int contextLength, int width, int heads, int layers,
                                int feedForwardWidth, Activation.Kind activation, float dropout, PositionalEncoding positions,
                                NormPlacement norm, boolean bias, boolean tiedEmbeddings, float layerNormEps) {

    /** How a position enters the model. */
    public enum PositionalEncoding {
        /** A learned table of T vectors added to the token embeddings (GPT-2, BERT). */
        LEARNED,
        /** Fixed sines and cosines added to the token embeddings (Vaswani et al., 2017). */
        SINUSOIDAL,
        /** Rotary embeddings: queries and keys rotated by position inside attention (Su et al., 2021). */
        ROTARY
    }

    /** Where each block normalises. */
    public enum NormPlacement {
        /** {@code x + f(norm(x))}, with a final norm after the last block (GPT-2 and later). */
        PRE,
        /** {@code norm(x + f(x))}, no final norm (the original Transformer and BERT). */
        POST
    }

    /** Checks every field; messages name the field and the value expected. */
    public TransformerConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("width", width);
        positive("heads", heads);
        positive("layers", layers);
        positive("feedForwardWidth", feedForwardWidth);
        if (width % heads != 0) {
            throw new IllegalArgumentException("TransformerConfig: width " + width + " is not divisible by heads "
                    + heads + "; choose heads that divide the width (e.g. " + largestDivisorAtMost(width, heads) + ")");
        }
        if (positions == PositionalEncoding.ROTARY && (width / heads) % 2 != 0) {
            throw new IllegalArgumentException("TransformerConfig: rotary positions need an even head size, but width "
                    + width + " / heads " + heads + " = " + width / heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TransformerConfig: dropout must be in [0, 1), got " + dropout);
        }
        if (positions == null || norm == null || activation == null) {
            throw new IllegalArgumentException("TransformerConfig: activation, positions and norm must be set");
        }
        if (!(layerNormEps > 0) || Float.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("TransformerConfig: layerNormEps must be finite and > 0, got " + layerNormEps);
        }
    }

    /** A config whose layer norms use ε = {@link LayerNorm#DEFAULT_EPS} (1e-5). */
    public TransformerConfig(int vocabSize, int contextLength, int width, int heads, int layers, int feedForwardWidth,
                             Activation.Kind activation, float dropout, PositionalEncoding positions, NormPlacement norm,
                             boolean bias, boolean tiedEmbeddings) {
        this(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout, positions, norm, bias,
                tiedEmbeddings, LayerNorm.DEFAULT_EPS);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("TransformerConfig: " + field + " must be positive, got " + value);
        }
    }

    private static int largestDivisorAtMost(int n, int limit) {
        for (int d = Math.min(n, limit); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    /**
     * Parameters of a model of this shape, counted in 64 bits so that no size overflows: the token
     * embedding, a learned position table, the blocks and their norms, and an untied output head.
     * Exact for {@code Gpt}; other models add a few small tensors of their own (BERT's segment
     * table and MLM head).
     */
    public long parameterCount() {
        long c = width, f = feedForwardWidth, v = vocabSize;
        long normBias = bias ? 2 : 1;
        long attention = 4 * c * c + (bias ? 4 * c : 0);
        long feedForward = 2 * c * f + (bias ? f + c : 0);
        long block = attention + feedForward + 2 * normBias * c;
        long total = v * c + layers * block;
        total += positions == PositionalEncoding.LEARNED ? (long) contextLength * c : 0;
        total += norm == NormPlacement.PRE ? normBias * c : 0;
        total += tiedEmbeddings ? 0 : v * c;
        return total;
    }

    /**
     * An estimate, in bytes, of what one training step on batches of {@code batch} sequences of
     * {@link #contextLength()} tokens keeps in memory: weights, gradients and AdamW's two moments
     * (16 bytes a parameter), the activations saved for backward (per layer about
     * {@code 2·B·T·C·(34 + 5·heads·T/C)} bytes in float32, the estimate of Korthikanti et al.,
     * 2022, doubled from 16 to 32 bits) and the logits with their gradient. Used to refuse a run
     * that cannot fit before it allocates anything; not a bound.
     */
    public long trainingBytes(int batch) {
        double tokens = (double) batch * contextLength;
        double perLayer = 2 * tokens * width * (34 + 5.0 * heads * contextLength / width);
        double total = 16.0 * parameterCount() + layers * perLayer + 3 * 4 * tokens * vocabSize;
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
    }

    /** Size of one attention head, {@code width / heads}. */
    public int headSize() {
        return width / heads;
    }

    /** A 2-layer, 2-head, width-32 model with context 32: for tests and first experiments. */
    public static TransformerConfig tiny(int vocabSize) {
        return new TransformerConfig(vocabSize, 32, 32, 2, 2, 128, Activation.Kind.GELU_EXACT, 0f, PositionalEncoding.LEARNED,
                NormPlacement.PRE, false, true);
    }

    /**
     * nanoGPT's CPU recipe for character-level Tiny Shakespeare: 4 layers, 4 heads, width 128,
     * context 64, feed-forward 512, exact GELU, no dropout, no biases, tied embeddings, learned
     * positions (the model of {@code shared/bench/torch_gpt_ref.py}).
     */
    public static TransformerConfig nanoGptCpu(int vocabSize) {
        return new TransformerConfig(vocabSize, 64, 128, 4, 4, 512, Activation.Kind.GELU_EXACT, 0f, PositionalEncoding.LEARNED,
                NormPlacement.PRE, false, true);
    }

    /** GPT-2 small's shape: 12 layers, 12 heads, width 768, context 1024, tanh GELU, biases, tied embeddings. */
    public static TransformerConfig gpt2Small() {
        return new TransformerConfig(50257, 1024, 768, 12, 12, 3072, Activation.Kind.GELU, 0.1f, PositionalEncoding.LEARNED,
                NormPlacement.PRE, true, true);
    }

    /**
     * A 2-layer BERT of width 128 (2 heads, feed-forward 512, context 128): Google's "BERT-Tiny"
     * shape (Turc et al., 2019), post-norm, exact GELU, dropout 0.1, biases, tied embeddings.
     */
    public static TransformerConfig bertTiny(int vocabSize) {
        return bert(vocabSize, 128, 128, 2, 2);
    }

    /** Google's "BERT-Mini" shape: 4 layers, width 256, 4 heads, context 512. */
    public static TransformerConfig bertMini(int vocabSize) {
        return bert(vocabSize, 512, 256, 4, 4);
    }

    /** Google's "BERT-Small" shape: 4 layers, width 512, 8 heads, context 512. */
    public static TransformerConfig bertSmall(int vocabSize) {
        return bert(vocabSize, 512, 512, 8, 4);
    }

    /**
     * all-MiniLM-L6-v2's shape, the most used sentence encoder: 6 layers, width 384, 12 heads,
     * feed-forward 1536, 512 positions, BERT's post-norm layers.
     */
    public static TransformerConfig miniLmL6(int vocabSize) {
        return bert(vocabSize, 512, 384, 12, 6);
    }

    /** bert-base-uncased's shape: 12 layers, width 768, 12 heads, feed-forward 3072, 512 positions, 30,522 tokens. */
    public static TransformerConfig bertBase() {
        return bert(30522, 512, 768, 12, 12);
    }

    private static TransformerConfig bert(int vocabSize, int context, int width, int heads, int layers) {
        return new TransformerConfig(vocabSize, context, width, heads, layers, 4 * width, Activation.Kind.GELU_EXACT, 0.1f,
                PositionalEncoding.LEARNED, NormPlacement.POST, true, true);
    }

    /** A copy with another vocabulary size. */
    public TransformerConfig withVocabSize(int value) {
        return new TransformerConfig(value, contextLength, width, heads, layers, feedForwardWidth, activation, dropout, positions,
                norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another context length. */
    public TransformerConfig withContextLength(int value) {
        return new TransformerConfig(vocabSize, value, width, heads, layers, feedForwardWidth, activation, dropout, positions,
                norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another width, heads and feed-forward width. */
    public TransformerConfig withWidth(int newWidth, int newHeads, int newFeedForwardWidth) {
        return new TransformerConfig(vocabSize, contextLength, newWidth, newHeads, layers, newFeedForwardWidth, activation, dropout,
                positions, norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another number of layers. */
    public TransformerConfig withLayers(int value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, value, feedForwardWidth, activation, dropout, positions,
                norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another feed-forward non-linearity. */
    public TransformerConfig withActivation(Activation.Kind value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, value, dropout,
                positions, norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another dropout probability. */
    public TransformerConfig withDropout(float value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, value, positions,
                norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another positional encoding. */
    public TransformerConfig withPositions(PositionalEncoding value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout, value,
                norm, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with another norm placement. */
    public TransformerConfig withNorm(NormPlacement value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout,
                positions, value, bias, tiedEmbeddings, layerNormEps);
    }

    /** A copy with or without biases. */
    public TransformerConfig withBias(boolean value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout,
                positions, norm, value, tiedEmbeddings, layerNormEps);
    }

    /** A copy with tied or separate output embeddings. */
    public TransformerConfig withTiedEmbeddings(boolean value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout,
                positions, norm, bias, value, layerNormEps);
    }

    /** A copy whose layer norms add {@code value} to the variance. */
    public TransformerConfig withLayerNormEps(float value) {
        return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout,
                positions, norm, bias, tiedEmbeddings, value);
    }
}
