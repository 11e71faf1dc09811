package io.orthrus.model;

import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Embedding;
import io.orthrus.nn.KvCache;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Memory;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.Rotary;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.nn.TransformerStack;
import io.orthrus.nn.Dropout;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * A GPT: token (+ position) embeddings, the shared {@link TransformerStack} under a causal mask,
 * and a language-model head that is the transposed token embedding when embeddings are tied.
 *
 * <pre>
 * ids (B, T) ─▶ wte (B, T, C) + wpe (T, C) ─▶ dropout ─▶ stack [causal] ─▶ head (B, T, V)
 * </pre>
 *
 * Initialised as GPT-2: weights N(0, 0.02), the residual projections ({@code attn.proj},
 * {@code ff.down}) N(0, 0.02/√(2L)), biases 0, so the loss at initialisation is close to ln V.
 */
public final class Gpt extends Module implements LanguageModel {
    /** Standard deviation of GPT-2's initial weights. */
    public static final float INIT_STD = Transformers.INIT_STD;

    private final TransformerConfig config;
    private final Direction direction;
    private final Embedding wte;
    private final Embedding wpe;
    private final Tensor sinusoidal;
    private final Dropout embeddingDropout;
    private final TransformerStack stack;
    private final Linear head;

    /** A left-to-right GPT of the given shape, initialised from {@code rng}. */
    public Gpt(TransformerConfig config, Rng rng) {
        this(config, Direction.LEFT_TO_RIGHT, rng);
    }

    /** A GPT that reads in {@code direction}, initialised from {@code rng}. */
    public Gpt(TransformerConfig config, Direction direction, Rng rng) {
        Memory.require("Gpt: a model of " + config.parameterCount() + " parameters", 4 * config.parameterCount());
        this.config = config;
        this.direction = direction;
        this.wte = registerModule("wte", new Embedding(config.vocabSize(), config.width(), rng));
        this.wpe = config.positions() == TransformerConfig.PositionalEncoding.LEARNED
                ? registerModule("wpe", new Embedding(config.contextLength(), config.width(), rng)) : null;
        this.sinusoidal = config.positions() == TransformerConfig.PositionalEncoding.SINUSOIDAL
                ? Rotary.sinusoidalTable(config.contextLength(), config.width()) : null;
        this.embeddingDropout = registerModule("drop", new Dropout(config.dropout(), rng.split()));
        this.stack = registerModule("stack", new TransformerStack(config, rng));
        this.head = config.tiedEmbeddings() ? null
                : registerModule("head", new Linear(config.width(), config.vocabSize(), false, rng));
        Transformers.initialise(this, 2 * config.layers(), rng);
    }

    /** Logits {@code (B, T, V)} for ids {@code (B, T)}, with the causal mask. */
    public Tensor forward(IntTensor ids) {
        return logits(ids, AttentionMask.causal());
    }

    /** Logits {@code (B, T, V)} for ids {@code (B, T)} under any mask (a GPT-shaped stack can be trained with others). */
    @Override
    public Tensor logits(IntTensor ids, AttentionMask mask) {
        return forward(ids, mask, null);
    }

    /**
     * Logits {@code (B, Tnew, V)} for the new ids {@code (B, Tnew)} that follow the {@code cache.length()}
     * positions already in {@code cache}; the cache is extended. For generation (use a NoGrad scope).
     */
    public Tensor forward(IntTensor ids, KvCache cache) {
        return forward(ids, AttentionMask.causal(), cache);
    }

    /**
     * Hidden states {@code (B, T, C)} of the stack's last layer (after its final norm), before the
     * LM head, for ids {@code (B, T)} under {@code mask}: contextual vectors of the tokens.
     */
    public Tensor hidden(IntTensor ids, AttentionMask mask) {
        return hiddenStates(ids, mask, null);
    }

    private Tensor forward(IntTensor ids, AttentionMask mask, KvCache cache) {
        Tensor x = hiddenStates(ids, mask, cache); // (B, T, C)
        return head == null ? Linear.multiply(x, wte.weight(), null) : head.forward(x); // (B, T, V)
    }

    private Tensor hiddenStates(IntTensor ids, AttentionMask mask, KvCache cache) {
        int[] shape = ids.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("Gpt: ids must be (B, T), got shape " + Arrays.toString(shape));
        }
        int t = shape[1], offset = cache == null ? 0 : cache.length();
        if (offset + t > config.contextLength()) {
            throw new IllegalArgumentException("Gpt: " + (offset + t) + " positions exceed the context length "
                    + config.contextLength() + "; feed at most the last " + config.contextLength() + " tokens");
        }
        ids.checkRange("Gpt", "token id", config.vocabSize());
        Tensor x = embeddingDropout.forward(Transformers.embed(wte, wpe, sinusoidal, ids, offset)); // (B, T, C)
        return stack.forward(x, mask, cache); // (B, T, C)
    }

    /** A cache sized for this model's layers. */
    public KvCache newCache() {
        return new KvCache(config.layers());
    }

    /** The shape. */
    public TransformerConfig config() {
        return config;
    }

    /** The reading direction. */
    public Direction direction() {
        return direction;
    }

    /** The token embedding {@code (V, C)} (also the output head when tied). */
    public Parameter tokenEmbedding() {
        return wte.weight();
    }

    /** The shared stack. */
    public TransformerStack stack() {
        return stack;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }
}
