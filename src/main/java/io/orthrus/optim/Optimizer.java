package io.orthrus.optim;

import io.orthrus.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. Subclasses implement the update rule in
 * {@link #update}; this class owns the groups, the learning rate, the step count and the
 * per-parameter state buffers (created on first use, named for checkpoints).
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private double learningRate;
    private long step;

    /** Checks that every parameter is in exactly one group and that the learning rate is valid. */
    protected Optimizer(List<ParamGroup> groups, double learningRate) {
        this.groups = List.copyOf(groups);
        Map<Parameter, String> seen = new IdentityHashMap<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (ParamGroup group : this.groups) {
            group.parameters().forEach((name, p) -> {
                String previous = seen.put(p, group.name());
                if (previous != null) {
                    throw new IllegalArgumentException(kind() + ": parameter '" + name + "' is in groups '" + previous
                            + "' and '" + group.name() + "'; each parameter must be in exactly one group");
                }
                if (names.put(name, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(kind() + ": two parameters are named '" + name + "'");
                }
            });
        }
        setLearningRate(learningRate);
    }

    /** A short name of the algorithm, such as {@code "AdamW"}, recorded in the state. */
    public abstract String kind();

    /**
     * Updates one parameter.
     *
     * @param name        its dotted name, for {@link #buffer}
     * @param values      its values, updated in place
     * @param grad        its gradient (read only)
     * @param weightDecay its group's λ
     * @param lr          the current learning rate
     * @param step        the 1-based number of this step
     */
    protected abstract void update(String name, float[] values, float[] grad, double weightDecay, double lr, long step);

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        step++;
        for (ParamGroup group : groups) {
            for (Map.Entry<String, Parameter> e : group.parameters().entrySet()) {
                Parameter p = e.getValue();
                if (!p.hasGrad()) {
                    continue; // not used in this forward pass
                }
                update(e.getKey(), p.data(), p.gradBuffer(), group.weightDecay(), learningRate, step);
            }
        }
    }

    /** Sets every parameter's gradient to zero. */
    public void zeroGrad() {
        for (ParamGroup group : groups) {
            group.parameters().values().forEach(Parameter::zeroGrad);
        }
    }

    /** The per-parameter buffer {@code name#suffix} of the given size, zeroed on first use. */
    protected final float[] buffer(String name, String suffix, int size) {
        return buffers.computeIfAbsent(name + "#" + suffix, k -> new float[size]);
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

    /** A copy of the state, for a checkpoint. */
    public OptimizerState state() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        buffers.forEach((k, v) -> copy.put(k, v.clone()));
        return new OptimizerState(kind(), step, learningRate, copy);
    }

    /**
     * Restores a state from {@link #state()}. Everything is checked before anything changes: the
     * kind must match, every buffer must belong to a parameter of this optimizer and have its size.
     */
    public void loadState(OptimizerState state) {
        if (!kind().equals(state.optimizer())) {
            throw new IllegalArgumentException(kind() + ".loadState: the state was saved by " + state.optimizer());
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (ParamGroup group : groups) {
            group.parameters().forEach((name, p) -> sizes.put(name, p.numel()));
        }
        List<String> problems = new ArrayList<>();
        state.buffers().forEach((key, values) -> {
            int hash = key.lastIndexOf('#');
            String name = hash < 0 ? key : key.substring(0, hash);
            Integer size = sizes.get(name);
            if (hash < 0 || size == null) {
                problems.add("buffer '" + key + "' belongs to no parameter of this optimizer");
            } else if (values.length != size) {
                problems.add("buffer '" + key + "' has " + values.length + " values, parameter '" + name + "' has " + size);
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
        state.buffers().forEach((k, v) -> buffers.put(k, v.clone()));
        step = state.step();
    }

    /** Names of the buffers held now (for tests and debugging). */
    public List<String> bufferNames() {
        return Collections.unmodifiableList(new ArrayList<>(buffers.keySet()));
    }
}
