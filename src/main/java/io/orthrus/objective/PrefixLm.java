package io.orthrus.objective;

import io.orthrus.model.LanguageModel;
import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Module;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The prefix-LM objective (UniLM's sequence-to-sequence mask, T5's prefix LM) on a decoder-only
 * stack: the first {@code p} positions of a window see each other in both directions, like an
 * encoder reading a source; the rest are causal and predict the next token, like a decoder
 * writing a target. Positions inside the prefix are not scored except the last one (which
 * predicts the first token after the prefix): earlier prefix positions can see the token they
 * would predict.
 *
 * <p>A batch is windows {@code (B, T+1)} as for {@link CausalLm}. The prefix length is fixed, or
 * drawn uniformly from {@code [1, T-1]} for each batch: fresh in training mode, fixed by the seed
 * and the batch's content in evaluation mode.
 */
public final class PrefixLm implements Objective<LanguageModel, IntTensor> {
    private final int prefixLength; // 0: random per batch
    private final long seed;
    private final Rng trainingDraws;

    private PrefixLm(int prefixLength, long seed) {
        if (prefixLength < 0) {
            throw new IllegalArgumentException("PrefixLm: prefix length must be >= 1 (or random), got " + prefixLength);
        }
        this.prefixLength = prefixLength;
        this.seed = seed;
        this.trainingDraws = new Rng(seed);
    }

    /** A prefix of random length in {@code [1, T-1]} for each batch, drawn from {@code seed}. */
    public static PrefixLm randomPrefix(long seed) {
        return new PrefixLm(0, seed);
    }

    /** A prefix of {@code length} positions (1 ≤ length &lt; T). */
    public static PrefixLm fixedPrefix(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("PrefixLm: prefix length must be >= 1, got " + length);
        }
        return new PrefixLm(length, 0);
    }

    @Override
    public Tensor loss(LanguageModel model, IntTensor batch) {
        IntTensor[] pair = CausalLm.leftToRight().inputsAndTargets(batch);
        int t = pair[0].shape()[1];
        boolean training = !(model instanceof Module module) || module.isTraining();
        int p = prefixLength(t, training ? trainingDraws : new Rng(seed ^ MaskedLm.contentHash(batch.data())));
        int[] targets = pair[1].data().clone();
        int b = pair[1].shape()[0];
        for (int row = 0; row < b; row++) {
            Arrays.fill(targets, row * t, row * t + p - 1, Losses.IGNORE_INDEX); // prefix positions see their targets
        }
        Tensor logits = model.logits(pair[0], AttentionMask.prefix(p)); // (B, T, V)
        return Losses.crossEntropy(logits, IntTensor.wrap(targets, b, t), Losses.IGNORE_INDEX, 0f); // scalar
    }

    private int prefixLength(int t, Rng rng) {
        if (t < 2) {
            throw new IllegalArgumentException("PrefixLm: windows need T >= 2 positions to hold a prefix and a target, got " + t);
        }
        if (prefixLength > 0) {
            if (prefixLength >= t) {
                throw new IllegalArgumentException("PrefixLm: prefix length " + prefixLength + " leaves nothing to predict in"
                        + " windows of " + t + " positions");
            }
            return prefixLength;
        }
        return 1 + rng.nextInt(t - 1);
    }

    @Override
    public int predictions(IntTensor batch) {
        int t = batch.shape()[1] - 1;
        int p = prefixLength > 0 ? prefixLength : Math.max(1, t / 2); // the mean for a random prefix
        return batch.shape()[0] * (t - p + 1);
    }

    @Override
    public Map<String, Rng> generators() {
        return Map.of("trainingDraws", trainingDraws);
    }

    @Override
    public String name() {
        return prefixLength > 0 ? "prefix-lm (prefix " + prefixLength + ")" : "prefix-lm (random prefix)";
    }
}
