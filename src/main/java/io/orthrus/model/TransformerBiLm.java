package io.orthrus.model;

import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Module;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * ELMo's bidirectional LM objective on the shared Transformer stack: two causal {@link Gpt}s, one
 * reading left to right and one right to left (on the reversed sequence, its outputs reversed back
 * so that positions line up). Contextual vectors are the two last hidden states side by side,
 * {@code (B, T, 2C)}. Unlike {@link BiLm} the directions share no weights.
 */
public final class TransformerBiLm extends Module implements BidirectionalLanguageModel {
    private final Gpt forward;
    private final Gpt backward;

    /** Two stacks of shape {@code config}, initialised from {@code rng}. */
    public TransformerBiLm(TransformerConfig config, Rng rng) {
        this.forward = registerModule("forward", new Gpt(config, Direction.LEFT_TO_RIGHT, rng));
        this.backward = registerModule("backward", new Gpt(config, Direction.RIGHT_TO_LEFT, rng));
    }

    /** The left-to-right model. */
    public Gpt forwardModel() {
        return forward;
    }

    /** The right-to-left model (it reads reversed sequences). */
    public Gpt backwardModel() {
        return backward;
    }

    @Override
    public Tensor[] logits(IntTensor ids) {
        IntTensor reversed = reverse(ids);
        Tensor next = forward.logits(ids, AttentionMask.causal()); // (B, T, V)
        Tensor previous = backward.logits(reversed, AttentionMask.causal()) // (B, T, V) in reversed order
                .indexSelect(1, reversal(ids.shape()[1])); // (B, T, V) aligned
        return new Tensor[] {next, previous};
    }

    @Override
    public Tensor embed(IntTensor ids) {
        return evaluating(() -> {
            Tensor left = forward.hidden(ids, AttentionMask.causal()); // (B, T, C)
            Tensor right = backward.hidden(reverse(ids), AttentionMask.causal()).indexSelect(1,
                    reversal(ids.shape()[1])); // (B, T, C)
            return Tensor.concat(2, left, right); // (B, T, 2C)
        });
    }

    @Override
    public int vocabSize() {
        return forward.vocabSize();
    }

    private static IntTensor reverse(IntTensor ids) {
        int[] shape = ids.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("TransformerBiLm: ids must be (B, T), got shape " + Arrays.toString(shape));
        }
        int b = shape[0], t = shape[1];
        int[] out = new int[b * t];
        for (int row = 0; row < b; row++) {
            for (int i = 0; i < t; i++) {
                out[row * t + i] = ids.data()[row * t + t - 1 - i];
            }
        }
        return IntTensor.wrap(out, b, t);
    }

    static IntTensor reversal(int t) {
        int[] index = new int[t];
        for (int i = 0; i < t; i++) {
            index[i] = t - 1 - i;
        }
        return IntTensor.wrap(index, t);
    }
}
