package io.orthrus.objective;

import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.model.LanguageModel;
import io.orthrus.nn.AttentionMask;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * The autoregressive objective: predict each token from the ones before it. A batch of windows
 * {@code (B, T+1)} becomes inputs {@code (B, T)} (all but the last token) and targets
 * {@code (B, T)} (all but the first), under a causal mask; the loss is the mean cross-entropy.
 * Right to left, each window is reversed first, so the model learns to predict the previous token
 * from the ones after it.
 */
public final class CausalLm implements Objective<LanguageModel, IntTensor> {
    private final Direction direction;

    /** The objective in {@code direction}. */
    public CausalLm(Direction direction) {
        this.direction = direction;
    }

    /** Left to right. */
    public static CausalLm leftToRight() {
        return new CausalLm(Direction.LEFT_TO_RIGHT);
    }

    /** Right to left. */
    public static CausalLm rightToLeft() {
        return new CausalLm(Direction.RIGHT_TO_LEFT);
    }

    /** The direction. */
    public Direction direction() {
        return direction;
    }

    @Override
    public Tensor loss(LanguageModel model, IntTensor batch) {
        if (model instanceof Gpt gpt && gpt.direction() != direction) {
            throw new IllegalArgumentException("CausalLm: the objective reads " + direction + " but the model was built "
                    + "for " + gpt.direction() + "; build the Gpt with the same direction");
        }
        IntTensor[] pair = inputsAndTargets(batch);
        Tensor logits = model.logits(pair[0], AttentionMask.causal()); // (B, T, V)
        return Losses.crossEntropy(logits, pair[1]); // scalar
    }

    /** Inputs {@code (B, T)} and targets {@code (B, T)} from windows {@code (B, T+1)}, reversed right to left. */
    public IntTensor[] inputsAndTargets(IntTensor batch) {
        int[] shape = batch.shape();
        if (shape.length != 2 || shape[1] < 2) {
            throw new IllegalArgumentException("CausalLm: expected windows (B, T+1) with T >= 1, got shape "
                    + Arrays.toString(shape));
        }
        int b = shape[0], length = shape[1], t = length - 1;
        int[] ids = batch.data(), inputs = new int[b * t], targets = new int[b * t];
        for (int row = 0; row < b; row++) {
            for (int i = 0; i < t; i++) {
                int in = direction == Direction.LEFT_TO_RIGHT ? i : length - 1 - i;
                int next = direction == Direction.LEFT_TO_RIGHT ? i + 1 : length - 2 - i;
                inputs[row * t + i] = ids[row * length + in];
                targets[row * t + i] = ids[row * length + next];
            }
        }
        return new IntTensor[] {IntTensor.wrap(inputs, b, t), IntTensor.wrap(targets, b, t)};
    }

    @Override
    public int predictions(IntTensor batch) {
        int[] shape = batch.shape();
        return shape[0] * (shape[1] - 1);
    }

    @Override
    public String name() {
        return "causal-lm (" + direction.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")";
    }
}
