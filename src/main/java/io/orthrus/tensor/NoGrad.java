package io.orthrus.tensor;

/**
 * A scope in which ops record no graph: outputs never require gradients and no activations are
 * kept for backward. Use it for evaluation, generation and parameter updates:
 *
 * <pre>{@code
 * try (var g = NoGrad.enter()) {
 *     Tensor logits = model.forward(ids);
 * }
 * }</pre>
 *
 * Scopes nest and are per thread.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    private NoGrad() {}

    /** Enters a no-grad scope on this thread; close it (try-with-resources) to leave. */
    public static NoGrad enter() {
        DEPTH.get()[0]++;
        return new NoGrad();
    }

    /** True when ops on this thread currently record the graph (no enclosing no-grad scope). */
    public static boolean isGradEnabled() {
        return DEPTH.get()[0] == 0;
    }

    /** Leaves the scope; closing twice has no further effect. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DEPTH.get()[0]--;
        }
    }
}
