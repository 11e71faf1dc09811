package io.orthrus.objective;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Map;

/**
 * A training objective: turns a batch into model inputs, a mask and targets, runs the model and
 * returns the mean loss. The trainer only calls {@link #loss}, so it runs any objective on any
 * model the objective accepts.
 *
 * @param <M> the model type the objective drives
 * @param <B> the batch type
 */
public interface Objective<M, B> {
    /** The mean loss over {@code batch}: a 0-dimensional tensor to back-propagate from. */
    Tensor loss(M model, B batch);

    /** Number of predicted positions in {@code batch}, for throughput figures. */
    int predictions(B batch);

    /** A short name for logs, such as {@code "causal-lm (left-to-right)"}. */
    String name();

    /**
     * The random generators this objective draws from while training (masking, noise, which part
     * of a mixture), by name, so that a checkpoint can save them and a resumed run continue
     * them exactly. None by default.
     */
    default Map<String, Rng> generators() {
        return Map.of();
    }
}
