package io.orthrus.nn;

import java.util.function.Consumer;

/**
 * The shape of a Transformer: everything needed to build the shared stack and the embeddings
 * around it, GPT-2 and BERT as well as Llama-family decoders (RMS norm, SwiGLU, grouped-query
 * attention, rotary positions with their base and Llama 3's scaling). A validated record: an
 * impossible combination throws, naming the field. Build one from a preset and the {@code with…}
 * methods.
 *
 * @param vocabSize          number of token ids V
 * @param contextLength      the longest sequence T the model reads (and the size of a learned position table)
 * @param width              model width C (embedding and residual stream)
 * @param heads              query heads nh
 * @param layers             Transformer blocks
 * @param feedForwardWidth   hidden width F of each block's feed-forward layer (usually 4·C; Llama's "intermediate size")
 * @param activation         the feed-forward non-linearity (GELU in GPT and BERT, SiLU in Llama)
 * @param dropout            dropout probability on embeddings, attention weights and residual branches
 * @param positions          how positions are encoded
 * @param norm               where the norms sit
 * @param bias               whether linear layers and norms have biases
 * @param tiedEmbeddings     whether the output head reuses the token embedding matrix
 * @param layerNormEps       the ε every norm adds to the variance or mean square (1e-5 as in GPT-2 unless given;
 *                           BERT's checkpoints use 1e-12, Qwen2's 1e-6)
 * @param normalization      layer norm (GPT-2, BERT) or RMS norm (Llama)
 * @param gatedFeedForward   whether the feed-forward is gated, {@code down(act(gate(x)) ⊙ up(x))}: with SiLU, the
 *                           SwiGLU of Llama (Shazeer, 2020)
 * @param kvHeads            key and value heads; dividing {@code heads}: fewer is grouped-query attention (1 is
 *                           multi-query), each serving {@code heads / kvHeads} consecutive query heads
 * @param headSize           channels per head hs ({@code width / heads} unless a model says otherwise)
 * @param ropeTheta          the base of rotary positions' angle frequencies (10,000; Llama 3 uses 500,000)
 * @param ropeScaling        Llama 3's rescaling of those frequencies for long contexts, or null
 * @param qkvBias            whether the query, key and value projections have biases (as {@code bias} unless
 *                           set: Qwen2 has them and no other bias)
 */
public record TransformerConfig(int vocabSize, int contextLength, int width, int heads, int layers,
                                int feedForwardWidth, Activation.Kind activation, float dropout, PositionalEncoding positions,
                                NormPlacement norm, boolean bias, boolean tiedEmbeddings, float layerNormEps,
                                Normalization normalization, boolean gatedFeedForward, int kvHeads, int headSize,
                                double ropeTheta, RopeScaling ropeScaling, boolean qkvBias) {

    /** The base of rotary positions' frequencies unless a model gives another ({@code rope_theta}). */
    public static final double DEFAULT_ROPE_THETA = 10_000.0;

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

    /** Which normalisation every norm of the model is. */
    public enum Normalization {
        /** {@link LayerNorm}: centred and scaled, with a weight and (with biases) a bias. */
        LAYER_NORM,
        /** {@link RmsNorm}: scaled by the root mean square, a weight only (Zhang and Sennrich, 2019; Llama). */
        RMS_NORM;

        /** A norm of this kind over {@code dim} channels ({@code bias} applies to layer norms only). */
        public Norm create(int dim, boolean bias, float eps) {
            return this == LAYER_NORM ? new LayerNorm(dim, bias, eps) : new RmsNorm(dim, eps);
        }
    }

    /**
     * Llama 3's rescaling of rotary frequencies ({@code rope_scaling} with {@code rope_type "llama3"}):
     * wavelengths longer than {@code originalContext / lowFreqFactor} are divided by {@code factor},
     * those shorter than {@code originalContext / highFreqFactor} kept, and those between blended.
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
        /** Checks the fields, naming the one that is wrong. */
        public RopeScaling {
            if (!(factor >= 1) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("RopeScaling: factor must be finite and >= 1, got " + factor);
            }
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || Double.isInfinite(highFreqFactor)) {
                throw new IllegalArgumentException("RopeScaling: need 0 < low_freq_factor < high_freq_factor, got "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalContext <= 0) {
                throw new IllegalArgumentException("RopeScaling: original_max_position_embeddings must be positive, got "
                        + originalContext);
            }
        }
    }

    /** Checks every field; messages name the field and the value expected. */
    public TransformerConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("width", width);
        positive("heads", heads);
        positive("layers", layers);
        positive("feedForwardWidth", feedForwardWidth);
        positive("kvHeads", kvHeads);
        positive("headSize", headSize);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("TransformerConfig: kvHeads " + kvHeads + " does not divide heads " + heads
                    + "; each key/value head serves the same number of query heads");
        }
        if (positions == PositionalEncoding.ROTARY && headSize % 2 != 0) {
            throw new IllegalArgumentException("TransformerConfig: rotary positions need an even head size, got " + headSize);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TransformerConfig: dropout must be in [0, 1), got " + dropout);
        }
        if (positions == null || norm == null || activation == null || normalization == null) {
            throw new IllegalArgumentException("TransformerConfig: activation, positions, norm and normalization must be set");
        }
        if (!(layerNormEps > 0) || Float.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("TransformerConfig: layerNormEps must be finite and > 0, got " + layerNormEps);
        }
        if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("TransformerConfig: ropeTheta must be finite and > 1, got " + ropeTheta);
        }
        if (ropeScaling != null && positions != PositionalEncoding.ROTARY) {
            throw new IllegalArgumentException("TransformerConfig: ropeScaling needs rotary positions, but positions are "
                    + positions);
        }
    }

    /**
     * A GPT-2- or BERT-style config: layer norms, an ungated feed-forward, as many key/value heads
     * as heads of {@code width / heads} channels (heads must divide the width), rotary base 10,000.
     */
    public TransformerConfig(int vocabSize, int contextLength, int width, int heads, int layers, int feedForwardWidth,
                             Activation.Kind activation, float dropout, PositionalEncoding positions, NormPlacement norm,
                             boolean bias, boolean tiedEmbeddings, float layerNormEps) {
        this(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout, positions, norm, bias,
                tiedEmbeddings, layerNormEps, Normalization.LAYER_NORM, false, heads, evenHeadSize(width, heads),
                DEFAULT_ROPE_THETA, null, bias);
    }

    /** As the 13-field constructor, with layer norms of ε = {@link LayerNorm#DEFAULT_EPS} (1e-5). */
    public TransformerConfig(int vocabSize, int contextLength, int width, int heads, int layers, int feedForwardWidth,
                             Activation.Kind activation, float dropout, PositionalEncoding positions, NormPlacement norm,
                             boolean bias, boolean tiedEmbeddings) {
        this(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout, positions, norm, bias,
                tiedEmbeddings, LayerNorm.DEFAULT_EPS);
    }

    /** {@code width / heads}, after checking that heads divide the width. */
    private static int evenHeadSize(int width, int heads) {
        positive("width", width);
        positive("heads", heads);
        if (width % heads != 0) {
            throw new IllegalArgumentException("TransformerConfig: width " + width + " is not divisible by heads "
                    + heads + "; choose heads that divide the width (e.g. " + largestDivisorAtMost(width, heads) + ")");
        }
        return width / heads;
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
        long c = width, f = feedForwardWidth, v = vocabSize, q = (long) heads * headSize, kv = (long) kvHeads * headSize;
        long normParams = normalization == Normalization.RMS_NORM ? c : bias ? 2 * c : c;
        long attention = c * (q + 2 * kv) + q * c + (qkvBias ? q + 2 * kv : 0) + (bias ? c : 0);
        long feedForward = (gatedFeedForward ? 3 : 2) * c * f + (bias ? (gatedFeedForward ? 2 : 1) * f + c : 0);
        long block = attention + feedForward + 2 * normParams;
        long total = v * c + layers * block;
        total += positions == PositionalEncoding.LEARNED ? (long) contextLength * c : 0;
        total += norm == NormPlacement.PRE ? normParams : 0;
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

    /** Query heads that share each key/value head: {@code heads / kvHeads}. */
    public int queriesPerKeyValueHead() {
        return heads / kvHeads;
    }

    /**
     * What this config has beyond GPT-2's and BERT's blocks, which their file layouts cannot hold:
     * RMS norm, a gated feed-forward, fewer key/value heads, heads sized apart from the width,
     * q/k/v biases differing from the other biases; "" when none.
     */
    public String beyondClassicBlocks() {
        java.util.List<String> found = new java.util.ArrayList<>();
        if (normalization != Normalization.LAYER_NORM) {
            found.add("RMS norm");
        }
        if (gatedFeedForward) {
            found.add("a gated feed-forward");
        }
        if (kvHeads != heads) {
            found.add(kvHeads + " key/value heads for " + heads + " heads");
        }
        if ((long) heads * headSize != width) {
            found.add("heads of " + headSize + " channels in width " + width);
        }
        if (qkvBias != bias) {
            found.add("q/k/v biases " + (qkvBias ? "without" : "unlike") + " the other biases");
        }
        return String.join(", ", found);
    }

    /**
     * A small Llama-family decoder for tests: 2 layers of width 32, 4 query heads sharing 2
     * key/value heads, SwiGLU of width 64, RMS norm, rotary positions, context 32, no biases,
     * untied output head.
     */
    public static TransformerConfig tinyLlama(int vocabSize) {
        return llama(vocabSize, 32, 32, 4, 2, 2, 64, DEFAULT_ROPE_THETA, 1e-5f).withTiedEmbeddings(false);
    }

    /**
     * SmolLM2-135M's shape (HuggingFaceTB/SmolLM2-135M): 30 layers of width 576, 9 query heads on 3
     * key/value heads of 64 channels, SwiGLU of width 1536, rotary base 100,000, context 8,192,
     * vocabulary 49,152, tied head; 134,515,008 parameters.
     */
    public static TransformerConfig smolLm2_135m() {
        return llama(49_152, 8_192, 576, 9, 3, 30, 1_536, 100_000, 1e-5f);
    }

    /** SmolLM2-360M's shape: 32 layers of width 960, 15 heads on 5, SwiGLU 2,560, base 100,000, tied; 361,821,120 parameters. */
    public static TransformerConfig smolLm2_360m() {
        return llama(49_152, 8_192, 960, 15, 5, 32, 2_560, 100_000, 1e-5f);
    }

    /**
     * Qwen2.5-0.5B's shape: 24 layers of width 896, 14 heads on 2, SwiGLU 4,864, q/k/v biases, base
     * 1,000,000, RMS ε 1e-6, context 32,768, vocabulary 151,936, tied; 494,032,768 parameters.
     */
    public static TransformerConfig qwen25_05b() {
        return llama(151_936, 32_768, 896, 14, 2, 24, 4_864, 1_000_000, 1e-6f).withQkvBias(true);
    }

    /**
     * TinyLlama-1.1B's shape: 22 layers of width 2,048, 32 heads on 4, SwiGLU 5,632, base 10,000,
     * context 2,048, vocabulary 32,000, untied head; 1,100,048,384 parameters.
     */
    public static TransformerConfig tinyLlama_1_1b() {
        return llama(32_000, 2_048, 2_048, 32, 4, 22, 5_632, DEFAULT_ROPE_THETA, 1e-5f).withTiedEmbeddings(false);
    }

    /**
     * Llama 3.2 1B's shape: 16 layers of width 2,048, 32 heads on 8, SwiGLU 8,192, base 500,000 with
     * Llama 3 scaling (factor 32, 1, 4, original context 8,192), context 131,072, vocabulary 128,256,
     * tied; 1,235,814,400 parameters.
     */
    public static TransformerConfig llama32_1b() {
        return llama(128_256, 131_072, 2_048, 32, 8, 16, 8_192, 500_000, 1e-5f)
                .withRope(500_000, new RopeScaling(32, 1, 4, 8_192));
    }

    /**
     * The Llama shape: pre-norm RMS norms, SwiGLU, rotary positions of base {@code ropeTheta}, no
     * biases, no dropout, tied embeddings (untie with {@link #withTiedEmbeddings}).
     */
    public static TransformerConfig llama(int vocabSize, int context, int width, int heads, int kvHeads, int layers,
                                          int feedForwardWidth, double ropeTheta, float rmsNormEps) {
        return new TransformerConfig(vocabSize, context, width, heads, layers, feedForwardWidth, Activation.Kind.SILU, 0f,
                PositionalEncoding.ROTARY, NormPlacement.PRE, false, true, rmsNormEps, Normalization.RMS_NORM, true,
                kvHeads, evenHeadSize(width, heads), ropeTheta, null, false);
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

    /**
     * nanoGPT's CPU recipe with Llama blocks: 4 layers of width 128, 4 query heads on 2 key/value
     * heads, SwiGLU of width 384, RMS norm, rotary positions (base 10,000), context 64, tied head.
     * The feed-forward and the smaller key/value projections add up to {@link #nanoGptCpu}'s block
     * parameters exactly, so the two differ only by nanoGPT's 8,192 learned positions.
     */
    public static TransformerConfig nanoLlamaCpu(int vocabSize) {
        return llama(vocabSize, 64, 128, 4, 2, 4, 384, DEFAULT_ROPE_THETA, 1e-5f);
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
        return edit(d -> d.vocabSize = value);
    }

    /** A copy with another context length. */
    public TransformerConfig withContextLength(int value) {
        return edit(d -> d.contextLength = value);
    }

    /**
     * A copy with another width, heads and feed-forward width; heads of {@code newWidth / newHeads}
     * channels (heads must divide the width), and as many key/value heads as heads unless this
     * config had fewer (then kept).
     */
    public TransformerConfig withWidth(int newWidth, int newHeads, int newFeedForwardWidth) {
        int size = evenHeadSize(newWidth, newHeads);
        return edit(d -> {
            d.width = newWidth;
            d.kvHeads = kvHeads == heads ? newHeads : kvHeads;
            d.heads = newHeads;
            d.feedForwardWidth = newFeedForwardWidth;
            d.headSize = size;
        });
    }

    /** A copy with another number of layers. */
    public TransformerConfig withLayers(int value) {
        return edit(d -> d.layers = value);
    }

    /** A copy with another feed-forward non-linearity. */
    public TransformerConfig withActivation(Activation.Kind value) {
        return edit(d -> d.activation = value);
    }

    /** A copy with another dropout probability. */
    public TransformerConfig withDropout(float value) {
        return edit(d -> d.dropout = value);
    }

    /** A copy with another positional encoding. */
    public TransformerConfig withPositions(PositionalEncoding value) {
        return edit(d -> d.positions = value);
    }

    /** A copy with another norm placement. */
    public TransformerConfig withNorm(NormPlacement value) {
        return edit(d -> d.norm = value);
    }

    /** A copy with or without biases, the query, key and value projections' included. */
    public TransformerConfig withBias(boolean value) {
        return edit(d -> {
            d.bias = value;
            d.qkvBias = value;
        });
    }

    /** A copy with tied or separate output embeddings. */
    public TransformerConfig withTiedEmbeddings(boolean value) {
        return edit(d -> d.tiedEmbeddings = value);
    }

    /** A copy whose norms add {@code value} to the variance (or mean square). */
    public TransformerConfig withLayerNormEps(float value) {
        return edit(d -> d.layerNormEps = value);
    }

    /** A copy with layer norms or RMS norms. */
    public TransformerConfig withNormalization(Normalization value) {
        return edit(d -> d.normalization = value);
    }

    /** A copy with a gated (SwiGLU with SiLU) or plain feed-forward. */
    public TransformerConfig withGatedFeedForward(boolean value) {
        return edit(d -> d.gatedFeedForward = value);
    }

    /** A copy with {@code value} key/value heads (dividing the heads): grouped-query attention when fewer. */
    public TransformerConfig withKeyValueHeads(int value) {
        return edit(d -> d.kvHeads = value);
    }

    /** A copy whose heads have {@code value} channels (the attention's width is then heads · value, not the model's). */
    public TransformerConfig withHeadSize(int value) {
        return edit(d -> d.headSize = value);
    }

    /** A copy whose rotary positions have base {@code theta} and Llama 3's {@code scaling} (or null). */
    public TransformerConfig withRope(double theta, RopeScaling scaling) {
        return edit(d -> {
            d.ropeTheta = theta;
            d.ropeScaling = scaling;
        });
    }

    /** A copy with or without biases on the query, key and value projections only. */
    public TransformerConfig withQkvBias(boolean value) {
        return edit(d -> d.qkvBias = value);
    }

    private TransformerConfig edit(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return d.build();
    }

    /** The fields of a config being copied with changes. */
    private static final class Draft {
        int vocabSize, contextLength, width, heads, layers, feedForwardWidth, kvHeads, headSize;
        Activation.Kind activation;
        float dropout, layerNormEps;
        PositionalEncoding positions;
        NormPlacement norm;
        Normalization normalization;
        boolean bias, tiedEmbeddings, gatedFeedForward, qkvBias;
        double ropeTheta;
        RopeScaling ropeScaling;

        Draft(TransformerConfig c) {
            vocabSize = c.vocabSize;
            contextLength = c.contextLength;
            width = c.width;
            heads = c.heads;
            layers = c.layers;
            feedForwardWidth = c.feedForwardWidth;
            activation = c.activation;
            dropout = c.dropout;
            positions = c.positions;
            norm = c.norm;
            bias = c.bias;
            tiedEmbeddings = c.tiedEmbeddings;
            layerNormEps = c.layerNormEps;
            normalization = c.normalization;
            gatedFeedForward = c.gatedFeedForward;
            kvHeads = c.kvHeads;
            headSize = c.headSize;
            ropeTheta = c.ropeTheta;
            ropeScaling = c.ropeScaling;
            qkvBias = c.qkvBias;
        }

        TransformerConfig build() {
            return new TransformerConfig(vocabSize, contextLength, width, heads, layers, feedForwardWidth, activation, dropout,
                    positions, norm, bias, tiedEmbeddings, layerNormEps, normalization, gatedFeedForward, kvHeads, headSize,
                    ropeTheta, ropeScaling, qkvBias);
        }
    }
}
