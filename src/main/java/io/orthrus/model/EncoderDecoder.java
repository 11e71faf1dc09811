package io.orthrus.model;

import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Dropout;
import io.orthrus.nn.Embedding;
import io.orthrus.nn.KvCache;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.nn.Rotary;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.nn.TransformerStack;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * Both heads in one model (Vaswani et al., 2017; BART; T5): the shared {@link TransformerStack}
 * as a bidirectional encoder of the source, and a second stack of the same blocks as a causal
 * decoder of the target whose blocks also cross-attend to the encoder's output.
 *
 * <pre>
 * source (B, S) ─▶ embed ─▶ encoder [bidirectional + source padding] ─▶ memory (B, S, Ce)
 * target (B, T) ─▶ embed ─▶ decoder [causal; cross-attention to memory] ─▶ head ─▶ logits (B, T, V)
 * </pre>
 *
 * The decoder reads the target shifted right by one start token (teacher forcing when training,
 * its own output when generating; see {@code infer.Seq2SeqGenerator}) and predicts the next
 * target token at every position. Embeddings may be shared between the two sides (one vocabulary,
 * as BART and T5) and the output head is the transposed target embedding when the decoder's
 * config ties them. Initialised as {@link Gpt}.
 */
public final class EncoderDecoder extends Module {
    /**
     * The two halves' shapes.
     *
     * @param encoder          the encoder's shape: source vocabulary, longest source, width, heads, layers, …
     * @param decoder          the decoder's shape: target vocabulary, longest target (start token included), …;
     *                         its {@link TransformerConfig#tiedEmbeddings()} ties the output head to the target embedding
     * @param sharedEmbeddings one token embedding for both sides (needs the same vocabulary size and width)
     */
    public record Config(TransformerConfig encoder, TransformerConfig decoder, boolean sharedEmbeddings) {
        /** Checks that the halves fit together. */
        public Config {
            if (encoder == null || decoder == null) {
                throw new IllegalArgumentException("EncoderDecoder.Config: encoder and decoder configs are required");
            }
            if (sharedEmbeddings && (encoder.vocabSize() != decoder.vocabSize() || encoder.width() != decoder.width())) {
                throw new IllegalArgumentException("EncoderDecoder.Config: sharedEmbeddings needs the same vocabSize and width"
                        + " on both sides, got encoder " + encoder.vocabSize() + " × " + encoder.width() + " and decoder "
                        + decoder.vocabSize() + " × " + decoder.width());
            }
        }

        /** Encoder and decoder of the same shape ({@code shape.layers()} each), one shared vocabulary. */
        public static Config of(TransformerConfig shape) {
            return new Config(shape, shape, true);
        }

        /** Encoder and decoder of the same width, heads and vocabulary with their own depths, embeddings shared. */
        public static Config of(TransformerConfig shape, int encoderLayers, int decoderLayers) {
            return new Config(shape.withLayers(encoderLayers), shape.withLayers(decoderLayers), true);
        }
    }

    private final Config config;
    private final Embedding sourceTokens;
    private final Embedding targetTokens;
    private final Embedding sourcePositions;
    private final Embedding targetPositions;
    private final Tensor sourceSinusoidal;
    private final Tensor targetSinusoidal;
    private final Dropout sourceDropout;
    private final Dropout targetDropout;
    private final TransformerStack encoder;
    private final TransformerStack decoder;
    private final Linear head;

    /** A model of {@code config}'s shape, initialised from {@code rng}. */
    public EncoderDecoder(Config config, Rng rng) {
        this.config = config;
        TransformerConfig enc = config.encoder(), dec = config.decoder();
        this.sourceTokens = registerModule(config.sharedEmbeddings() ? "wte" : "encWte",
                new Embedding(enc.vocabSize(), enc.width(), rng));
        this.targetTokens = config.sharedEmbeddings() ? sourceTokens
                : registerModule("decWte", new Embedding(dec.vocabSize(), dec.width(), rng));
        this.sourcePositions = learnedPositions("encWpe", enc, rng);
        this.targetPositions = learnedPositions("decWpe", dec, rng);
        this.sourceSinusoidal = sinusoidal(enc);
        this.targetSinusoidal = sinusoidal(dec);
        this.sourceDropout = registerModule("encDrop", new Dropout(enc.dropout(), rng.split()));
        this.targetDropout = registerModule("decDrop", new Dropout(dec.dropout(), rng.split()));
        this.encoder = registerModule("encoder", new TransformerStack(enc, rng));
        this.decoder = registerModule("decoder", new TransformerStack(dec, enc.width(), rng));
        this.head = dec.tiedEmbeddings() ? null
                : registerModule("head", new Linear(dec.width(), dec.vocabSize(), false, rng));
        Transformers.initialise(this, Math.max(2 * enc.layers(), 3 * dec.layers()), rng);
    }

    private Embedding learnedPositions(String name, TransformerConfig shape, Rng rng) {
        return shape.positions() == TransformerConfig.PositionalEncoding.LEARNED
                ? registerModule(name, new Embedding(shape.contextLength(), shape.width(), rng)) : null;
    }

    private static Tensor sinusoidal(TransformerConfig shape) {
        return shape.positions() == TransformerConfig.PositionalEncoding.SINUSOIDAL
                ? Rotary.sinusoidalTable(shape.contextLength(), shape.width()) : null;
    }

    /**
     * The encoder's output {@code (B, S, Ce)} for {@code source (B, S)}.
     *
     * @param sourcePadding {@code (B, S)}: 1 for a real token, 0 for padding (never attended to); null when
     *                      no row is padded. Every row needs at least one real token.
     */
    public Tensor encode(IntTensor source, IntTensor sourcePadding) {
        checkIds("source", source, config.encoder());
        AttentionMask mask = memoryMask(source, sourcePadding);
        Tensor x = sourceDropout.forward(
                Transformers.embed(sourceTokens, sourcePositions, sourceSinusoidal, source, 0)); // (B, S, Ce)
        return encoder.forward(x, mask); // (B, S, Ce)
    }

    /**
     * Next-token logits {@code (B, T, V)} for the decoder input {@code target (B, T)} (start token
     * first), reading {@code memory (B, S, Ce)} from {@link #encode}.
     *
     * @param sourcePadding the padding given to {@link #encode} (null for none)
     * @param cache         null when training; during generation, a {@link #newCache()} that holds the
     *                      positions decoded so far: {@code target} then holds only the new positions
     */
    public Tensor decode(IntTensor target, Tensor memory, IntTensor sourcePadding, KvCache cache) {
        return decode(target, null, memory, sourcePadding, cache);
    }

    /**
     * Teacher forcing: logits {@code (B, T, V)} of the next target token at each position of the
     * decoder input {@code target (B, T)}, for {@code source (B, S)}.
     *
     * @param sourcePadding {@code (B, S)} 1 = token, 0 = padding; null when no row is padded
     * @param targetPadding {@code (B, T)} likewise for the decoder input; null when no row is padded
     */
    public Tensor logits(IntTensor source, IntTensor sourcePadding, IntTensor target, IntTensor targetPadding) {
        Tensor memory = encode(source, sourcePadding); // (B, S, Ce)
        return decode(target, targetPadding, memory, sourcePadding, null); // (B, T, V)
    }

    private Tensor decode(IntTensor target, IntTensor targetPadding, Tensor memory, IntTensor sourcePadding,
                          KvCache cache) {
        checkIds("target", target, config.decoder());
        int b = target.shape()[0], t = target.shape()[1], offset = cache == null ? 0 : cache.length();
        if (memory.rank() != 3 || memory.size(0) != b || memory.size(2) != config.encoder().width()) {
            throw new IllegalArgumentException("EncoderDecoder: memory must be (" + b + ", S, " + config.encoder().width()
                    + ") for " + b + " target rows, got " + Arrays.toString(memory.shape()));
        }
        if (offset + t > config.decoder().contextLength()) {
            throw new IllegalArgumentException("EncoderDecoder: " + (offset + t) + " target positions exceed the decoder's"
                    + " context length " + config.decoder().contextLength());
        }
        AttentionMask self = AttentionMask.causal();
        if (targetPadding != null) {
            checkPadding("target", target, targetPadding);
            self = self.withKeyPadding(targetPadding);
        }
        AttentionMask cross = memoryMask(null, sourcePadding);
        Tensor x = targetDropout.forward(
                Transformers.embed(targetTokens, targetPositions, targetSinusoidal, target, offset)); // (B, T, C)
        x = decoder.forward(x, self, cache, memory, cross); // (B, T, C)
        return head == null ? Linear.multiply(x, targetTokens.weight(), null) : head.forward(x); // (B, T, V)
    }

    private static AttentionMask memoryMask(IntTensor source, IntTensor sourcePadding) {
        if (sourcePadding == null) {
            return AttentionMask.bidirectional();
        }
        if (source != null) {
            checkPadding("source", source, sourcePadding);
        }
        return AttentionMask.bidirectional().withKeyPadding(sourcePadding);
    }

    private static void checkPadding(String side, IntTensor ids, IntTensor padding) {
        if (!Arrays.equals(ids.shape(), padding.shape())) {
            throw new IllegalArgumentException("EncoderDecoder: " + side + " padding of shape "
                    + Arrays.toString(padding.shape()) + " does not match the " + side + " ids " + Arrays.toString(ids.shape()));
        }
        int rows = ids.shape()[0], length = ids.shape()[1];
        int[] valid = padding.data();
        for (int r = 0; r < rows; r++) {
            boolean any = false;
            for (int i = 0; i < length && !any; i++) {
                any = valid[r * length + i] != 0;
            }
            if (!any) {
                throw new IllegalArgumentException("EncoderDecoder: row " + r + " of the " + side
                        + " is all padding; every row needs at least one real token");
            }
        }
    }

    private static void checkIds(String side, IntTensor ids, TransformerConfig shape) {
        int[] s = ids.shape();
        if (s.length != 2 || s[1] == 0) {
            throw new IllegalArgumentException("EncoderDecoder: " + side + " ids must be (B, T) with T >= 1, got shape "
                    + Arrays.toString(s));
        }
        if (s[1] > shape.contextLength()) {
            throw new IllegalArgumentException("EncoderDecoder: the " + side + " has " + s[1] + " positions but its context"
                    + " length is " + shape.contextLength());
        }
        ids.checkRange("EncoderDecoder", side + " token id", shape.vocabSize());
    }

    /** A cache for generation: the decoder's keys and values, and each layer's projection of the memory. */
    public KvCache newCache() {
        return new KvCache(config.decoder().layers());
    }

    /** The shapes. */
    public Config config() {
        return config;
    }

    /** The encoder stack (bidirectional). */
    public TransformerStack encoder() {
        return encoder;
    }

    /** The decoder stack (causal, with cross-attention). */
    public TransformerStack decoder() {
        return decoder;
    }

    /** Size of the target vocabulary (the logits' last dimension). */
    public int targetVocabSize() {
        return config.decoder().vocabSize();
    }
}
