package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Parallel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A pool of float arrays that the ops of one step (a forward pass, its backward pass) take their
 * outputs, saved activations and intermediate gradients from, and that gets them all back when
 * the step ends, so that the next step reuses the same memory instead of allocating it afresh.
 *
 * <p>A small GPT's training step makes about 90 MB of activations and gradients. Allocated with
 * {@code new}, that memory is zeroed by the allocator, passes through the young generation and
 * arrives cold in the caches every step; drawn from a workspace, the same arrays come back step
 * after step (the same sizes in the same order), are never zeroed when the op writes every
 * element anyway, and produce no garbage. {@link io.orthrus.train.Trainer} runs every training
 * step in a workspace scope. Use one for steps that build a graph: in a forward pass without
 * gradients each activation is garbage as soon as the next layer has read it, while a scope holds
 * every array until it closes. A hand-written loop looks like this:
 *
 * <pre>{@code
 * Workspace workspace = new Workspace();
 * for (int step = 0; step < steps; step++) {
 *     float loss;
 *     try (Workspace.Scope scope = workspace.open()) {
 *         Tensor batchLoss = objective.loss(model, batch);
 *         batchLoss.backward();
 *         loss = batchLoss.item(); // read what you need before the scope closes
 *     }
 *     optimizer.step();            // parameters and their gradients never come from a workspace
 * }
 * }</pre>
 *
 * <p><b>The rule:</b> a tensor computed by an op inside a scope is valid until the scope closes;
 * afterwards its array belongs to the next step. Copy what must outlive the step
 * ({@link Tensor#toArray()}, {@link Tensor#item()}). Tensors made by factories ({@link Tensor#zeros},
 * {@link Tensor#of}, …), parameters and their gradients are ordinary arrays and are never pooled.
 * With assertions enabled ({@code -ea}, the default under Maven's test runner) every array is
 * filled with NaN when it goes back to the pool and when it is handed out uninitialised, so a
 * tensor used after its scope, or an op that leaves part of its output unwritten, shows up as
 * NaN in tests instead of as a silently wrong number.
 *
 * <p>A workspace belongs to the thread that opens it (ops running on pool workers allocate
 * normally); one scope at a time. The pool keeps what the last scope used: arrays that a whole
 * scope did not need are dropped when it closes, so a change of batch size does not leave the
 * old step's memory behind.
 */
public final class Workspace {
    private static final ThreadLocal<Workspace> CURRENT = new ThreadLocal<>();
    private static final boolean POISON = Workspace.class.desiredAssertionStatus();
    /** Arrays at least this long are zeroed on the shared pool, in chunks of this many floats. */
    private static final int PARALLEL_FILL = 1 << 16;

    /** Free arrays by length; within a length, the most recently returned first. */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** For each length, the fewest free arrays seen during the open scope: those were never needed. */
    private final Map<Integer, Integer> unused = new HashMap<>();
    /** Arrays handed out in the open scope and not yet given back. */
    private final IdentityHashMap<float[], Boolean> lent = new IdentityHashMap<>();
    private Scope open;
    private Thread owner;
    private long pooledFloats;
    private long allocatedFloats;

    /** An empty workspace; it fills up during its first scope. */
    public Workspace() {}

    /**
     * Starts a scope on the calling thread: until it closes, ops on this thread draw their arrays
     * from this workspace. Close it with try-with-resources.
     *
     * @throws IllegalStateException if this workspace already has an open scope
     */
    public Scope open() {
        if (open != null) {
            throw new IllegalStateException("Workspace: a scope is already open on thread '" + owner.getName()
                    + "'; close it before opening another (one scope at a time per workspace)");
        }
        owner = Thread.currentThread();
        unused.clear();
        free.forEach((length, arrays) -> unused.put(length, arrays.size()));
        open = new Scope(CURRENT.get());
        CURRENT.set(this);
        return open;
    }

    /** Bytes held by this workspace: free arrays plus arrays lent to the open scope. */
    public long pooledBytes() {
        return pooledFloats * Float.BYTES;
    }

    /** Bytes this workspace has allocated over its life: stays flat once every step has the same shapes. */
    public long allocatedBytes() {
        return allocatedFloats * Float.BYTES;
    }

    /** A zeroed array of {@code length} floats: from the current workspace if there is one, else new. */
    static float[] zeroed(int length) {
        Workspace w = CURRENT.get();
        if (w == null) {
            return new float[length];
        }
        float[] array = w.take(length);
        if (length < PARALLEL_FILL) {
            Arrays.fill(array, 0f);
        } else { // a gradient of a few megabytes: zeroing it on one core would leave the others waiting
            Parallel.shared().forRange(length, PARALLEL_FILL, (from, to) -> Arrays.fill(array, from, to, 0f));
        }
        return array;
    }

    /**
     * An array of {@code length} floats whose contents are unspecified (NaN with assertions on):
     * for an op that writes every element. New (zeroed) when no workspace is current.
     */
    static float[] uninitialized(int length) {
        Workspace w = CURRENT.get();
        if (w == null) {
            return new float[length];
        }
        float[] array = w.take(length);
        if (POISON) {
            Arrays.fill(array, Float.NaN);
        }
        return array;
    }

    /** Gives {@code array} back before the scope ends, if the current workspace lent it; else does nothing. */
    static void release(float[] array) {
        Workspace w = CURRENT.get();
        if (w != null && w.lent.remove(array) != null) {
            w.giveBack(array);
        }
    }

    private float[] take(int length) {
        ArrayDeque<float[]> arrays = free.get(length);
        float[] array;
        if (arrays == null || arrays.isEmpty()) {
            array = new float[length];
            pooledFloats += length;
            allocatedFloats += length;
        } else {
            array = arrays.pop();
            unused.merge(length, arrays.size(), Math::min);
        }
        lent.put(array, Boolean.TRUE);
        return array;
    }

    private void giveBack(float[] array) {
        if (POISON) {
            Arrays.fill(array, Float.NaN);
        }
        free.computeIfAbsent(array.length, n -> new ArrayDeque<>()).push(array);
    }

    /** The span of one step: closing it returns every array lent since {@link #open()}. */
    public final class Scope implements AutoCloseable {
        private final Workspace previous;
        private boolean closed;

        private Scope(Workspace previous) {
            this.previous = previous;
        }

        /**
         * Gives every array lent in this scope back to the pool, drops the arrays the scope never
         * needed, and restores the workspace that was current before; closing twice does nothing.
         *
         * @throws IllegalStateException if called from another thread than the one that opened it
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Workspace.Scope: opened on thread '" + owner.getName()
                        + "' but closed on '" + Thread.currentThread().getName() + "'");
            }
            closed = true;
            unused.forEach((length, count) -> {
                ArrayDeque<float[]> arrays = free.get(length);
                for (int i = 0; i < count; i++) {
                    arrays.removeLast(); // the least recently used
                    pooledFloats -= length;
                }
            });
            lent.keySet().forEach(Workspace.this::giveBack);
            lent.clear();
            free.values().removeIf(ArrayDeque::isEmpty);
            open = null;
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
