package io.orthrus.objective;

import io.orthrus.model.BidirectionalLanguageModel;
import io.orthrus.nn.Module;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * ELMo's training objective, for its LSTMs ({@code model.BiLm}) or two Transformer stacks
 * ({@code model.TransformerBiLm}): the forward LM's cross-entropy of each next token plus the backward
 * LM's cross-entropy of each previous token, on windows of ids {@code (B, T)}: positions 0 … T−2
 * predict their successor, positions 1 … T−1 their predecessor.
 */
public final class BidirectionalLm implements Objective<BidirectionalLanguageModel, IntTensor> {
    /** The objective; it has no settings. */
    public BidirectionalLm() {}

    /**
     * Mean validation losses per direction, in nats per token.
     *
     * @param forward  the left-to-right LM's cross-entropy
     * @param backward the right-to-left LM's cross-entropy
     */
    public record Evaluation(double forward, double backward) {
        /** exp(forward). */
        public double forwardPerplexity() {
            return Math.exp(forward);
        }

        /** exp(backward). */
        public double backwardPerplexity() {
            return Math.exp(backward);
        }
    }

    @Override
    public Tensor loss(BidirectionalLanguageModel model, IntTensor batch) {
        Tensor[] parts = directionalLosses(model, batch);
        return parts[0].add(parts[1]); // scalar: the sum of the two log-likelihoods' negatives, as in ELMo
    }

    /** Mean forward and backward losses over {@code batches}, in evaluation mode without gradients. */
    public Evaluation evaluate(BidirectionalLanguageModel model, List<IntTensor> batches) {
        Supplier<Evaluation> evaluation = () -> {
            double forward = 0, backward = 0;
            for (IntTensor batch : batches) {
                Tensor[] parts = directionalLosses(model, batch);
                forward += parts[0].item() / batches.size();
                backward += parts[1].item() / batches.size();
            }
            return new Evaluation(forward, backward);
        };
        if (model instanceof Module module) {
            return module.evaluating(evaluation);
        }
        try (var g = NoGrad.enter()) {
            return evaluation.get();
        }
    }

    private static Tensor[] directionalLosses(BidirectionalLanguageModel model, IntTensor batch) {
        int[] shape = batch.shape();
        if (shape.length != 2 || shape[1] < 2) {
            throw new IllegalArgumentException("BidirectionalLm: expected windows (B, T) with T ≥ 2, got shape "
                    + Arrays.toString(shape));
        }
        int b = shape[0], t = shape[1];
        Tensor[] logits = model.logits(batch); // 2 × (B, T, V)
        int[] ids = batch.data(), next = new int[b * (t - 1)], previous = new int[b * (t - 1)];
        for (int row = 0; row < b; row++) {
            for (int i = 0; i < t - 1; i++) {
                next[row * (t - 1) + i] = ids[row * t + i + 1];
                previous[row * (t - 1) + i] = ids[row * t + i];
            }
        }
        Tensor forward = Losses.crossEntropy(logits[0].narrow(1, 0, t - 1), IntTensor.wrap(next, b, t - 1));
        Tensor backward = Losses.crossEntropy(logits[1].narrow(1, 1, t - 1), IntTensor.wrap(previous, b, t - 1));
        return new Tensor[] {forward, backward};
    }

    @Override
    public int predictions(IntTensor batch) {
        return 2 * batch.shape()[0] * (batch.shape()[1] - 1);
    }

    @Override
    public String name() {
        return "bidirectional-lm (ELMo)";
    }
}
