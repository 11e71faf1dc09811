package io.orthrus.nn;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The weights of a model's {@link Linear} layers copied once into the layout the matrix kernel
 * multiplies by, for inference that runs the same weights many times (an encoder serving
 * requests): inside {@link #apply}, each of those layers multiplies by its copy instead of laying
 * its weight out again on every call. The results are the same bits.
 *
 * <p>A snapshot: weights changed after {@link #of} are not seen (make a new one after training).
 * It takes as much memory again as the layers' weights. Immutable and thread-safe; {@code apply}
 * is per thread, like {@link Module#evaluating}.
 */
public final class PackedWeights {
    private static final ThreadLocal<PackedWeights> CURRENT = new ThreadLocal<>();

    private final Map<Linear, Gemm.Packed> packed;

    private PackedWeights(Map<Linear, Gemm.Packed> packed) {
        this.packed = Collections.unmodifiableMap(packed);
    }

    /** The packed weights of every {@link Linear} layer in {@code model}, at their values now. */
    public static PackedWeights of(Module model) {
        Map<Linear, Gemm.Packed> packed = new IdentityHashMap<>();
        Deque<Module> pending = new ArrayDeque<>();
        pending.push(model);
        Gemm gemm = Kernels.gemm();
        while (!pending.isEmpty()) {
            Module module = pending.pop();
            if (module instanceof Linear linear && !packed.containsKey(linear)) {
                int out = linear.weight().size(0), in = linear.weight().size(1);
                packed.put(linear, gemm.pack(true, in, out, linear.weight().data(), 0)); // op(B) = Wᵀ, in × out
            }
            module.children().values().forEach(pending::push);
        }
        return new PackedWeights(packed);
    }

    /**
     * Runs {@code body} on this thread with the packed weights in use and no gradients recorded
     * (a packed weight has none), and returns what it returns.
     */
    public <T> T apply(Supplier<T> body) {
        return InferenceScope.within(CURRENT, this, body);
    }

    /** Floats held by the packed copies, padding included. */
    public long floats() {
        return packed.values().stream().mapToLong(Gemm.Packed::floats).sum();
    }

    /** The packed weight of {@code layer} in the calling thread's {@link #apply}, or null. */
    static Gemm.Packed inUse(Linear layer) {
        PackedWeights current = CURRENT.get();
        return current == null ? null : current.packed.get(layer);
    }
}
