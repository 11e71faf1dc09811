package io.orthrus.model;

import io.orthrus.data.TokenBatch;
import io.orthrus.nn.Activation;
import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Dropout;
import io.orthrus.nn.Embedding;
import io.orthrus.nn.Init;
import io.orthrus.nn.Norm;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Memory;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.nn.TransformerStack;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * BERT (Devlin et al., 2019): the shared {@link TransformerStack} under a bidirectional mask, so
 * every position sees the whole input, with the masked-LM head on top.
 *
 * <pre>
 * ids (B, T), segments (B, T), attention (B, T)
 *   ─▶ wte (B, T, C) + wpe (T, C; learned positions only) + wse (B, T, C) ─▶ LayerNorm ─▶ dropout
 *   ─▶ stack [bidirectional + key padding] ─▶ hidden (B, T, C)
 *   ─▶ MLM head: dense (C, C) ─▶ GELU ─▶ LayerNorm ─▶ · wteᵀ + bias ─▶ logits (B, T, V)
 * </pre>
 *
 * The stack is post-norm as in the original ({@link TransformerConfig#bertTiny} … {@link
 * TransformerConfig#bertBase}) or pre-norm if the config says so. Weights start as BERT's:
 * N(0, 0.02), biases 0, layer norms 1 and 0. There are two segments (token types), 0 and 1.
 */
public final class Bert extends Module implements LanguageModel {
    /** Number of segment (token-type) ids, as in BERT. */
    public static final int SEGMENTS = 2;
    /** Standard deviation of BERT's initial weights. */
    public static final float INIT_STD = 0.02f;

    private final TransformerConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final Embedding wse;
    private final Norm embeddingNorm;
    private final Dropout embeddingDropout;
    private final TransformerStack stack;
    private final Linear mlmDense;
    private final Activation mlmActivation;
    private final Norm mlmNorm;
    private final Parameter mlmBias;
    private final Parameter mlmDecoder;
    /** False for an encoder loaded without masked-LM weights: the head holds initial values only. */
    private boolean maskedLmHeadLoaded = true;

    /**
     * A BERT of the given shape, initialised from {@code rng}. The MLM head's decoder is the token
     * embedding when the config ties embeddings (as BERT does), else a matrix {@code mlmDecoder (V, C)}
     * of its own. Positions are learned as in BERT, or rotary if the config says so (RoFormer: no
     * position embedding; queries and keys rotated in every attention layer).
     */
    public Bert(TransformerConfig config, Rng rng) {
        if (config.positions() == TransformerConfig.PositionalEncoding.SINUSOIDAL) {
            throw new IllegalArgumentException("Bert: positions must be LEARNED (as in BERT) or ROTARY (as in RoFormer), "
                    + "got SINUSOIDAL: a fixed table of amplitude 1 added to N(0, 0.02) token embeddings drowns them "
                    + "in the embedding LayerNorm");
        }
        Memory.require("Bert: a model of " + config.parameterCount() + " parameters", 4 * config.parameterCount());
        this.config = config;
        this.wte = registerModule("wte", new Embedding(config.vocabSize(), config.width(), rng));
        this.wpe = config.positions() == TransformerConfig.PositionalEncoding.LEARNED
                ? registerModule("wpe", new Embedding(config.contextLength(), config.width(), rng)) : null;
        this.wse = registerModule("wse", new Embedding(SEGMENTS, config.width(), rng));
        this.embeddingNorm = registerModule("lnE", config.normalization().create(config.width(), true, config.layerNormEps()));
        this.embeddingDropout = registerModule("drop", new Dropout(config.dropout(), rng.split()));
        this.stack = registerModule("stack", new TransformerStack(config, rng));
        this.mlmDense = registerModule("mlmDense", new Linear(config.width(), config.width(), true, rng));
        this.mlmActivation = new Activation(config.activation());
        this.mlmNorm = registerModule("mlmNorm", config.normalization().create(config.width(), true, config.layerNormEps()));
        this.mlmBias = registerParameter("mlmBias", new Parameter(config.vocabSize()));
        this.mlmDecoder = config.tiedEmbeddings() ? null
                : registerParameter("mlmDecoder", new Parameter(config.vocabSize(), config.width())); // (V, C)
        namedParameters().forEach((name, p) -> {
            if (p.rank() >= 2) {
                Init.normal(p, INIT_STD, rng);
            }
        });
    }

    /** Hidden states {@code (B, T, C)} of a padded batch: padding is hidden from attention. */
    public Tensor encode(TokenBatch batch) {
        return encode(batch.ids(), batch.segments(), batch.attentionMask());
    }

    /**
     * Hidden states {@code (B, T, C)}.
     *
     * @param ids           token ids {@code (B, T)}, T at most the context length
     * @param segments      segment ids {@code (B, T)} in {0, 1}, or null for all 0
     * @param attentionMask {@code (B, T)}, 1 for tokens and 0 for padding, or null for no padding
     */
    public Tensor encode(IntTensor ids, IntTensor segments, IntTensor attentionMask) {
        AttentionMask mask = attentionMask == null ? AttentionMask.bidirectional()
                : AttentionMask.bidirectional().withKeyPadding(attentionMask);
        return encode(ids, segments, mask);
    }

    private Tensor encode(IntTensor ids, IntTensor segments, AttentionMask mask) {
        int[] shape = ids.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("Bert: ids must be (B, T), got shape " + Arrays.toString(shape));
        }
        int t = shape[1];
        if (t > config.contextLength()) {
            throw new IllegalArgumentException("Bert: a sequence of " + t + " tokens exceeds the " + config.contextLength()
                    + " positions of the model; truncate the input (e.g. WordPiece.encode(text, maxLength))");
        }
        ids.checkRange("Bert", "token id", config.vocabSize());
        if (segments != null) {
            if (!Arrays.equals(segments.shape(), shape)) {
                throw new IllegalArgumentException("Bert: segments of shape " + Arrays.toString(segments.shape())
                        + " do not match ids of shape " + Arrays.toString(shape));
            }
            segments.checkRange("Bert", "segment id", SEGMENTS);
        }
        Tensor x = wte.forward(ids); // (B, T, C)
        if (wpe != null) {
            x = x.add(wpe.weight().narrow(0, 0, t)); // (B, T, C) + (T, C)
        }
        x = x.add(wse.forward(segments == null ? IntTensor.wrap(new int[ids.numel()], shape) : segments)); // (B, T, C)
        x = embeddingDropout.forward(embeddingNorm.forward(x)); // (B, T, C)
        return stack.forward(x, mask); // (B, T, C)
    }

    /** MLM logits {@code (..., V)} from hidden states {@code (..., C)}: dense → GELU → LayerNorm → decoder + bias. */
    public Tensor mlmLogits(Tensor hidden) {
        Tensor h = mlmActivation.forward(mlmDense.forward(hidden)); // (..., C)
        h = mlmNorm.forward(h); // (..., C)
        return h.linear(mlmDecoder == null ? wte.weight() : mlmDecoder, mlmBias); // (..., V)
    }

    /**
     * MLM logits {@code (B, T, V)} at every position of {@code ids} under {@code mask} (segment 0
     * everywhere): the {@link LanguageModel} view, which lets a BERT-shaped model be scored or
     * trained under any mask.
     */
    @Override
    public Tensor logits(IntTensor ids, AttentionMask mask) {
        return mlmLogits(encode(ids, null, mask));
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    /**
     * Whether the masked-LM head holds trained weights: false after {@link #withoutMaskedLmHead()},
     * as for a Hugging Face {@code BertModel} folder (the encoder alone). Fill-mask and
     * pseudo-perplexity refuse such a model; its {@link #encode} vectors and fine-tuning are fine,
     * and masked-LM training trains the head from its initial values.
     */
    public boolean hasMaskedLmHead() {
        return maskedLmHeadLoaded;
    }

    /** Marks the masked-LM head as untrained (the weights came without one); returns this. */
    public Bert withoutMaskedLmHead() {
        maskedLmHeadLoaded = false;
        return this;
    }

    /** Throws, naming {@code who}, unless the masked-LM head holds trained weights. */
    public void requireMaskedLmHead(String who) {
        if (!maskedLmHeadLoaded) {
            throw new IllegalStateException(who + " needs a masked-LM head, but this BERT was loaded without one (an"
                    + " encoder-only folder such as BertModel's); use it for vectors (embed) or fine-tuning, or load"
                    + " BertForMaskedLM / BertForPreTraining weights");
        }
    }

    /** The shape. */
    public TransformerConfig config() {
        return config;
    }

    /** The token embedding {@code (V, C)}, also the MLM decoder when embeddings are tied. */
    public Parameter tokenEmbedding() {
        return wte.weight();
    }

    /** The shared stack. */
    public TransformerStack stack() {
        return stack;
    }
}
