package io.orthrus.io;

import io.orthrus.nn.Parameter;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The checks every weights file passes on its way in or out: no value is NaN or infinite (such a
 * model only ever predicts nonsense), and a file read into a model has exactly its parameters'
 * names and shapes.
 */
public final class Weights {
    /** What a refused save says after the tensor and element. */
    public static final String ON_SAVE = "refusing to save: training diverged; lower the learning rate or enable gradient clipping";
    /** What a refused load says after the tensor and element. */
    public static final String ON_LOAD = "the file is damaged, or was saved from a run whose training diverged";

    private Weights() {}

    /**
     * Throws an {@link IllegalArgumentException} naming {@code where}, the first tensor of
     * {@code tensors} that holds NaN or ±∞, the element and the value, followed by {@code advice}
     * ({@link #ON_SAVE} or {@link #ON_LOAD}). One vectorised sum of squares per tensor; only a
     * tensor whose sum is not finite is scanned.
     */
    public static void requireFinite(String where, Map<String, ? extends Tensor> tensors, String advice) {
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

    /**
     * Throws an {@link IllegalArgumentException} naming {@code file} and {@code reference} (what
     * the expectation comes from, such as "config.json") and listing the first differences, unless
     * {@code found} has exactly the names and shapes of {@code expected}.
     */
    public static void requireMatch(Path file, Map<String, Parameter> expected, Map<String, Tensor> found, String reference) {
        List<String> problems = new ArrayList<>();
        expected.forEach((name, p) -> {
            Tensor t = found.get(name);
            if (t == null) {
                problems.add("missing '" + name + "' " + Arrays.toString(p.shape()));
            } else if (!Arrays.equals(t.shape(), p.shape())) {
                problems.add("'" + name + "' has shape " + Arrays.toString(t.shape()) + " but the model needs "
                        + Arrays.toString(p.shape()));
            }
        });
        for (String name : found.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 6);
            String more = problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : "";
            throw new IllegalArgumentException(file + " does not match " + reference + ": "
                    + String.join("; ", problems.subList(0, shown)) + more);
        }
    }
}
