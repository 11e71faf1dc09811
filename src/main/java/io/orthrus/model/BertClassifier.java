package io.orthrus.model;

import io.orthrus.data.TokenBatch;
import io.orthrus.nn.Activation;
import io.orthrus.nn.Dropout;
import io.orthrus.nn.Init;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * A sequence classifier on a BERT encoder, as in BERT's fine-tuning:
 *
 * <pre>
 * batch ─▶ encoder (B, T, C) ─▶ [CLS] (B, C) ─▶ pooler: dense + tanh (B, C) ─▶ dropout ─▶ linear (B, K)
 * </pre>
 *
 * The encoder is the {@link Bert} given (pre-trained or fresh: its MLM head is kept but unused, so
 * the same object can go on being a masked LM); the pooler and the output layer start as
 * N(0, 0.02) with zero biases. All parameters are trained when fine-tuning.
 */
public final class BertClassifier extends Module implements Classifier<TokenBatch> {
    private final Bert encoder;
    private final Linear pooler;
    private final Dropout dropout;
    private final Linear output;
    private final int classes;
    private final Activation.Kind poolerActivation;

    /**
     * A {@code classes}-way classifier on {@code encoder} (1: a single score, as a cross-encoder's), new
     * layers initialised from {@code rng}.
     */
    public BertClassifier(Bert encoder, int classes, Rng rng) {
        this(encoder, classes, rng, Activation.Kind.TANH);
    }

    /**
     * As {@link #BertClassifier(Bert, int, Rng)}, with {@code poolerActivation} after the pooler's dense
     * layer: {@link Activation.Kind#TANH} for BERT and RoBERTa, {@link Activation.Kind#RELU} for
     * DistilBERT's {@code pre_classifier}.
     */
    public BertClassifier(Bert encoder, int classes, Rng rng, Activation.Kind poolerActivation) {
        if (classes < 1) {
            throw new IllegalArgumentException("BertClassifier: needs at least 1 output (1: a score, such as a"
                    + " cross-encoder's; 2 or more: classes), got " + classes);
        }
        int width = encoder.config().width();
        this.encoder = registerModule("bert", encoder);
        this.pooler = registerModule("pooler", new Linear(width, width, true, rng));
        this.dropout = registerModule("drop", new Dropout(encoder.config().dropout(), rng.split()));
        this.output = registerModule("classifier", new Linear(width, classes, true, rng));
        this.classes = classes;
        this.poolerActivation = poolerActivation;
        for (Linear layer : new Linear[] {pooler, output}) {
            Init.normal(layer.weight(), Bert.INIT_STD, rng);
            Init.zeros(layer.bias());
        }
    }

    /** Class logits {@code (B, K)}. */
    @Override
    public Tensor logits(TokenBatch batch) {
        Tensor hidden = encoder.encode(batch); // (B, T, C)
        int b = hidden.size(0), c = hidden.size(2);
        Tensor cls = hidden.narrow(1, 0, 1).reshape(b, c); // (B, C): the [CLS] position
        Tensor pooled = poolerActivation.apply(pooler.forward(cls)); // (B, C)
        return output.forward(dropout.forward(pooled)); // (B, K)
    }

    /** The non-linearity after the pooler's dense layer (tanh, or ReLU for DistilBERT). */
    public Activation.Kind poolerActivation() {
        return poolerActivation;
    }

    /** The encoder. */
    public Bert encoder() {
        return encoder;
    }

    /** Number of classes K. */
    @Override
    public int classes() {
        return classes;
    }
}
