package io.orthrus.objective;

import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;
import java.util.List;

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

    /**
     * Teacher-forced figures on {@code batches}, in evaluation mode without gradients.
     *
     * @param loss        mean cross-entropy per scored target token (nats)
     * @param accuracy    share of scored target tokens that are the model's most likely next token
     * @param predictions number of scored target tokens
     */
    public record Evaluation(double loss, double accuracy, long predictions) {}

    /** Loss and next-token accuracy of {@code model} on {@code batches}, weighted by their scored tokens. */
    public Evaluation evaluate(EncoderDecoder model, List<Seq2SeqBatch> batches) {
        return model.evaluating(() -> {
            double lossSum = 0;
            long correct = 0, total = 0;
            for (Seq2SeqBatch batch : batches) {
                Tensor logits = model.logits(batch.source(), batch.sourcePadding(), batch.decoderInput(), null); // (B, T, V)
                int[] targets = batch.targets().data(), best = logits.argmax(-1).data();
                int n = batch.predictions();
                lossSum += Losses.crossEntropy(logits, batch.targets(), Losses.IGNORE_INDEX, 0f).item() * n;
                for (int i = 0; i < targets.length; i++) {
                    correct += targets[i] != Losses.IGNORE_INDEX && best[i] == targets[i] ? 1 : 0;
                }
                total += n;
            }
            return new Evaluation(lossSum / total, correct / (double) total, total);
        });
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
