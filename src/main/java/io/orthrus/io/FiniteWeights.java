package io.orthrus.io;

import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import java.util.Map;

/** The check that no weight read or written is NaN or infinite: such a model only ever predicts nonsense. */
final class FiniteWeights {
    /** What a refused save says. */
    static final String ON_SAVE = "refusing to save: training diverged; lower the learning rate or enable gradient clipping";
    /** What a refused load says. */
    static final String ON_LOAD = "the file is damaged, or was saved from a run whose training diverged";

    private FiniteWeights() {}

    /**
     * Throws an {@link IllegalArgumentException} naming {@code where}, the first tensor of
     * {@code tensors} that holds NaN or ±∞, the element and the value, followed by {@code advice}.
     * One vectorised sum of squares per tensor; only a tensor whose sum is not finite is scanned.
     */
    static void require(String where, Map<String, ? extends Tensor> tensors, String advice) {
        for (Map.Entry<String, ? extends Tensor> e : tensors.entrySet()) {
            float[] data = e.getValue().data();
            if (Double.isFinite(Kernels.math().sumOfSquares(data, 0, data.length))) {
                continue;
            }
            int bad = 0, first = -1;
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    first = first < 0 ? i : first;
                    bad++;
                }
            }
            if (first >= 0) { // else the squares of large finite values overflowed: nothing to refuse
                throw new IllegalArgumentException(where + ": tensor '" + e.getKey() + "' holds " + data[first]
                        + " at element " + first + (bad > 1 ? " (" + bad + " of its " + data.length + " values are not finite)"
                        : "") + "; " + advice);
            }
        }
    }
}
