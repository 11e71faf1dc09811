package io.orthrus.nn;

import io.orthrus.tensor.NoGrad;
import java.util.function.Supplier;

/** The per-thread scope {@link PackedWeights} and {@link Quantization} run inference in. */
final class InferenceScope {
    private InferenceScope() {}

    /**
     * Runs {@code body} with {@code current} set to {@code value} on this thread and no gradients
     * recorded, then restores what {@code current} held (scopes nest), and returns what it returns.
     */
    static <S, T> T within(ThreadLocal<S> current, S value, Supplier<T> body) {
        S previous = current.get();
        current.set(value);
        try (var g = NoGrad.enter()) {
            return body.get();
        } finally {
            if (previous == null) {
                current.remove();
            } else {
                current.set(previous);
            }
        }
    }
}
