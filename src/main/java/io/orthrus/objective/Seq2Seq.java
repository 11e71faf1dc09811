package io.orthrus.objective;

import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/**
 * Supervised sequence-to-sequence training with teacher forcing: the encoder reads the source,
 * the decoder reads the target shifted right by the start token, and the loss is the mean
 * cross-entropy of each next target token (the end token included, padding excluded).
 */
public final class Seq2Seq implements Objective<EncoderDecoder, Seq2SeqBatch> {
    private final float labelSmoothing;

    /** Plain cross-entropy. */
    public Seq2Seq() {
        this(0f);
    }

    /** Cross-entropy against targets smoothed by {@code labelSmoothing} in [0, 1) (0.1 in the original Transformer). */
    public Seq2Seq(float labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("Seq2Seq: labelSmoothing must be in [0, 1), got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor loss(EncoderDecoder model, Seq2SeqBatch batch) {
        Tensor logits = model.logits(batch.source(), batch.sourcePadding(), batch.decoderInput(), null); // (B, T, V)
        return Losses.crossEntropy(logits, batch.targets(), Losses.IGNORE_INDEX, labelSmoothing); // scalar
    }

    @Override
    public int predictions(Seq2SeqBatch batch) {
        return batch.predictions();
    }

    @Override
    public String name() {
        return labelSmoothing == 0 ? "seq2seq" : "seq2seq (label smoothing " + labelSmoothing + ")";
    }
}
