package io.orthrus.nn;

import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A tree of named parameters and sub-modules, with a training/evaluation mode.
 *
 * <p>Subclasses register what they own in their constructor, with {@link #registerParameter}
 * and {@link #registerModule}. {@link #namedParameters()} then lists every parameter of the tree
 * under a stable dotted name built from the registration names, such as
 * {@code blocks.0.attn.qkv.weight}, in registration order: the names used by checkpoints and
 * optimizer state.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Rng> generators = new LinkedHashMap<>();
    private boolean training = true;
    /** How many {@link #evaluating} calls are open on each thread: inside one, every module runs as in evaluation. */
    private static final ThreadLocal<int[]> EVALUATING = ThreadLocal.withInitial(() -> new int[1]);

    /** A module with nothing registered yet, in training mode; subclasses register what they own. */
    protected Module() {}

    /** Registers a parameter of this module under {@code name} and returns it. */
    protected final Parameter registerParameter(String name, Parameter parameter) {
        checkName(name);
        parameters.put(name, parameter);
        return parameter;
    }

    /** Registers a sub-module under {@code name} and returns it; it takes this module's mode. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        module.train(training);
        children.put(name, module);
        return module;
    }

    /**
     * Registers a random generator this module draws from while training (dropout's), so that a
     * checkpoint can save where its stream is and a resumed run continues it exactly.
     */
    protected final Rng registerGenerator(String name, Rng rng) {
        checkName(name);
        generators.put(name, rng);
        return rng;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name
                    + "' is not valid; names must be non-empty and contain no '.'");
        }
        if (parameters.containsKey(name) || children.containsKey(name) || generators.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    /** Every parameter of this module and its descendants, by dotted name, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, child) -> child.collect(prefix + name + ".", out));
    }

    /** Every random generator of this module and its descendants, by dotted name, in registration order. */
    public final Map<String, Rng> namedGenerators() {
        Map<String, Rng> out = new LinkedHashMap<>();
        collectGenerators("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectGenerators(String prefix, Map<String, Rng> out) {
        generators.forEach((name, rng) -> out.put(prefix + name, rng));
        children.forEach((name, child) -> child.collectGenerators(prefix + name + ".", out));
    }

    /** The parameters of {@link #namedParameters()}, in the same order. */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The direct sub-modules by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of scalars in the parameters, frozen ones included. */
    public final long parameterCount() {
        long total = 0;
        for (Parameter p : namedParameters().values()) {
            total += p.numel();
        }
        return total;
    }

    /** Number of scalars in the parameters that are not {@link Parameter#freeze() frozen}: what training updates. */
    public final long trainableParameterCount() {
        long total = 0;
        for (Parameter p : namedParameters().values()) {
            total += p.isFrozen() ? 0 : p.numel();
        }
        return total;
    }

    /** Sets the gradient of every parameter to zero. */
    public final void zeroGrad() {
        for (Parameter p : namedParameters().values()) {
            p.zeroGrad();
        }
    }

    /** Switches this module and its descendants to training mode (dropout active); returns this. */
    public Module train() {
        return train(true);
    }

    /** Switches this module and its descendants to evaluation mode (dropout off); returns this. */
    public Module eval() {
        return train(false);
    }

    /** Sets training mode on this module and its descendants; returns this. */
    public Module train(boolean on) {
        training = on;
        for (Module child : children.values()) {
            child.train(on);
        }
        return this;
    }

    /**
     * Runs {@code body} as in evaluation mode (dropout off) and without an autograd graph; returns
     * what {@code body} returns. The mode set by {@link #train(boolean)} is not touched: the scope
     * belongs to the calling thread, so threads may run inference on a model that another thread
     * trains, and every module this thread runs inside {@code body} sees evaluation mode.
     */
    public final <T> T evaluating(Supplier<T> body) {
        int[] depth = EVALUATING.get();
        depth[0]++;
        try (var g = NoGrad.enter()) {
            return body.get();
        } finally {
            depth[0]--;
        }
    }

    /**
     * True when this module is in training mode ({@link #train(boolean)}) and the calling thread is
     * not inside an {@link #evaluating} call: whether dropout is active here and now.
     */
    public final boolean isTraining() {
        return training && EVALUATING.get()[0] == 0;
    }

    /** The class name and parameter count. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + parameterCount() + " parameters)";
    }
}
