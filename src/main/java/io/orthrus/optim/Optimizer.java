package io.orthrus.optim;

import io.orthrus.nn.Parameter;
import io.orthrus.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. Subclasses implement the update rule in
 * {@link #update}; this class owns the groups, the learning rate, the step count and the state
 * buffers.
 *
 * <p>The state is kept flat: each kind of buffer (Adam's {@code exp_avg}, say) is one
 * {@code float[]} over the concatenation of every parameter, in group order, and a step is one
 * fused pass over that concatenation, cut into chunks of {@link #CHUNK} elements that are spread
 * over {@link Parallel#shared()} (a chunk may span several small parameters, so biases and norm
 * gains cost no section of their own). The update is element-wise, so the result does not depend
 * on the thread count. Checkpoints still see one buffer per parameter, named
 * {@code "<parameter>#<buffer>"}. Gradient clipping and the reset of the gradients can ride on the
 * same pass ({@link #stepAndZeroGrad}), as they do in {@link io.orthrus.train.Trainer}.
 */
public abstract class Optimizer {
    /** Elements per task of a step, a gradient reset or a clipping pass. */
    static final int CHUNK = 1 << 15;

    private final List<ParamGroup> groups;
    /** Every parameter, in group order, with its place in the flat state. */
    private final List<Slot> slots = new ArrayList<>();
    /** The state buffers by kind, each over all parameters; created at the first step or by {@link #loadState}. */
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private final int totalSize;
    private double learningRate;
    private long step;

    /** One parameter and where its elements start in the flat state buffers. */
    private record Slot(String name, Parameter parameter, double weightDecay, int offset) {}

    /**
     * Elements {@code [from, to)} of one parameter, handed to {@link #update}: element {@code i}'s
     * state is at {@code stateOffset + i} in every buffer from {@link #stateBuffer}.
     *
     * @param name        the parameter's dotted name
     * @param values      its values, to update in place
     * @param grad        its gradient (read only)
     * @param weightDecay its group's λ
     * @param from        first element of the piece
     * @param to          one past the last element
     * @param stateOffset where element 0 of this parameter sits in the flat state buffers
     */
    protected record Slice(String name, float[] values, float[] grad, double weightDecay, int from, int to,
                           int stateOffset) {}

    /** Checks that every parameter is in exactly one group and that the learning rate is valid. */
    protected Optimizer(List<ParamGroup> groups, double learningRate) {
        this.groups = List.copyOf(groups);
        Map<Parameter, String> seen = new IdentityHashMap<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        long offset = 0;
        for (ParamGroup group : this.groups) {
            for (Map.Entry<String, Parameter> e : group.parameters().entrySet()) {
                String name = e.getKey();
                Parameter p = e.getValue();
                String previous = seen.put(p, group.name());
                if (previous != null) {
                    throw new IllegalArgumentException(kind() + ": parameter '" + name + "' is in groups '" + previous
                            + "' and '" + group.name() + "'; each parameter must be in exactly one group");
                }
                if (names.put(name, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(kind() + ": two parameters are named '" + name + "'");
                }
                slots.add(new Slot(name, p, group.weightDecay(), (int) Math.min(offset, Integer.MAX_VALUE)));
                offset += p.numel();
            }
        }
        if (offset > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(kind() + ": " + offset + " parameters in all; the flat optimizer state "
                    + "holds at most " + (Integer.MAX_VALUE - 8));
        }
        totalSize = (int) offset;
        setLearningRate(learningRate);
    }

    /** A short name of the algorithm, such as {@code "AdamW"}, recorded in the state. */
    public abstract String kind();

    /**
     * The names of the state buffers this optimizer keeps per element, such as
     * {@code exp_avg} and {@code exp_avg_sq}; empty for a stateless rule.
     */
    protected abstract List<String> stateNames();

    /**
     * Updates one piece of one parameter. Called from several threads at once, for disjoint
     * pieces; it must touch only its own elements of the values and of the state buffers.
     *
     * @param slice the piece, with the parameter's values, gradient and decay
     * @param lr    the current learning rate
     * @param step  the 1-based number of this step
     */
    protected abstract void update(Slice slice, double lr, long step);

    /** Applies one update to every parameter that has a gradient, in one parallel pass. */
    public void step() {
        applyStep(1.0, false);
    }

    /**
     * Multiplies every gradient by {@code gradScale} in place, then applies one update, in one
     * parallel pass: each piece of a gradient is scaled right before its update reads it, while it
     * is in cache. With the scale of {@link GradClip#scale}, this is {@link GradClip#clipGlobalNorm}
     * and {@link #step()} (bit for bit) without a pass over the gradients of its own.
     *
     * @throws IllegalArgumentException if {@code gradScale} is negative, NaN or infinite
     */
    public void step(double gradScale) {
        applyStep(checkScale(gradScale), false);
    }

    /**
     * {@link #step(double)}, then {@link #zeroGrad()}, in one parallel pass: each piece of a
     * gradient is zeroed right after its update has read it, while it is still in cache.
     *
     * @throws IllegalArgumentException if {@code gradScale} is negative, NaN or infinite
     */
    public void stepAndZeroGrad(double gradScale) {
        applyStep(checkScale(gradScale), true);
    }

    private double checkScale(double gradScale) {
        if (!(gradScale >= 0) || Double.isInfinite(gradScale)) {
            throw new IllegalArgumentException(kind() + ": gradScale must be finite and >= 0, got " + gradScale);
        }
        return gradScale;
    }

    private void applyStep(double gradScale, boolean zeroGrad) {
        step++;
        for (String name : stateNames()) {
            buffers.computeIfAbsent(name, k -> new float[totalSize]);
        }
        // Parameters not used in this forward pass have no gradient: they and their state stay as they are.
        float[][] grads = new float[slots.size()][];
        int[] lengths = gradients(grads);
        double lr = learningRate;
        long t = step;
        float scale = (float) gradScale;
        Parallel.Segments cut = Parallel.Segments.of(lengths, CHUNK);
        // A loop of its own, not forSegments: the update rule's kernel must not share a call site with the
        // gradient norm's (docs/performance.md#one-hot-kernel-per-call-site).
        Parallel.shared().forEach(cut.chunks(), c -> {
            for (int s = cut.firstSegment(c), end = cut.endSegment(c); s < end; s++) {
                int from = cut.from(c, s), to = cut.to(c, s);
                if (from == to) {
                    continue; // a parameter without a gradient
                }
                Slot slot = slots.get(s);
                if (scale != 1f) {
                    // Here, not in the update rule's kernel, which stays within its operation budget
                    // (docs/performance.md#a-loops-operation-budget).
                    GradClip.scaleInPlace(grads[s], from, to, scale);
                }
                update(new Slice(slot.name(), slot.parameter().data(), grads[s], slot.weightDecay(), from, to,
                        slot.offset()), lr, t);
                if (zeroGrad) {
                    Arrays.fill(grads[s], from, to, 0f);
                }
            }
        });
    }

    /** Sets every parameter's gradient to zero, in one parallel pass. */
    public void zeroGrad() {
        float[][] grads = new float[slots.size()][];
        int[] lengths = gradients(grads);
        Parallel.shared().forSegments(lengths, CHUNK, (chunk, s, from, to) -> Arrays.fill(grads[s], from, to, 0f));
    }

    /**
     * Fills {@code grads[s]} with slot s's gradient array, or null when it has none; returns the
     * lengths to pass over (0 for a slot without a gradient).
     */
    private int[] gradients(float[][] grads) {
        int[] lengths = new int[slots.size()];
        for (int s = 0; s < slots.size(); s++) {
            Parameter p = slots.get(s).parameter();
            if (p.hasGrad()) {
                grads[s] = p.gradBuffer();
                lengths[s] = grads[s].length;
            }
        }
        return lengths;
    }

    /**
     * The flat state buffer {@code name} (one of {@link #stateNames()}), over every parameter:
     * index a parameter's element i at {@link Slice#stateOffset()} + i.
     */
    protected final float[] stateBuffer(String name) {
        float[] buffer = buffers.get(name);
        if (buffer == null) {
            throw new IllegalStateException(kind() + ": no state buffer '" + name + "'; declare it in stateNames()");
        }
        return buffer;
    }

    /** The current learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate for the next steps (a schedule calls this before each step). */
    public void setLearningRate(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(kind() + ": learning rate must be finite and >= 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** Number of steps taken. */
    public long stepCount() {
        return step;
    }

    /** The parameter groups. */
    public List<ParamGroup> groups() {
        return groups;
    }

    /**
     * A copy of the state, for a checkpoint: one buffer per parameter and kind, keyed
     * {@code "<parameter>#<buffer>"}, parameter by parameter in group order.
     */
    public OptimizerState state() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Slot slot : slots) {
            buffers.forEach((kind, flat) -> copy.put(slot.name() + "#" + kind,
                    Arrays.copyOfRange(flat, slot.offset(), slot.offset() + slot.parameter().numel())));
        }
        return new OptimizerState(kind(), step, learningRate, copy);
    }

    /**
     * Restores a state from {@link #state()}. Everything is checked before anything changes: the
     * kind must match, and every buffer must be one this optimizer keeps, for one of its parameters,
     * with that parameter's size. A parameter missing from the state starts from zeros, as it would
     * had it never been updated.
     */
    public void loadState(OptimizerState state) {
        if (!kind().equals(state.optimizer())) {
            throw new IllegalArgumentException(kind() + ".loadState: the state was saved by " + state.optimizer());
        }
        Map<String, Slot> byName = new LinkedHashMap<>();
        slots.forEach(slot -> byName.put(slot.name(), slot));
        List<String> kinds = stateNames();
        List<String> problems = new ArrayList<>();
        state.buffers().forEach((key, values) -> {
            int hash = key.lastIndexOf('#');
            Slot slot = hash < 0 ? null : byName.get(key.substring(0, hash));
            if (slot == null) {
                problems.add("buffer '" + key + "' belongs to no parameter of this optimizer");
            } else if (!kinds.contains(key.substring(hash + 1))) {
                problems.add("buffer '" + key + "' is not kept by this " + kind() + " (it keeps " + kinds + ")");
            } else if (values.length != slot.parameter().numel()) {
                problems.add("buffer '" + key + "' has " + values.length + " values, parameter '" + slot.name()
                        + "' has " + slot.parameter().numel());
            }
        });
        if (state.step() < 0) {
            problems.add("step count " + state.step() + " is negative");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(kind() + ".loadState: " + String.join("; ", problems));
        }
        setLearningRate(state.learningRate());
        buffers.clear();
        state.buffers().forEach((key, values) -> {
            int hash = key.lastIndexOf('#');
            float[] flat = buffers.computeIfAbsent(key.substring(hash + 1), k -> new float[totalSize]);
            System.arraycopy(values, 0, flat, byName.get(key.substring(0, hash)).offset(), values.length);
        });
        step = state.step();
    }

    /** Names of the per-parameter buffers held now, as {@link #state()} keys them (for tests and debugging). */
    public List<String> bufferNames() {
        List<String> names = new ArrayList<>();
        for (Slot slot : slots) {
            buffers.keySet().forEach(kind -> names.add(slot.name() + "#" + kind));
        }
        return Collections.unmodifiableList(names);
    }
}
