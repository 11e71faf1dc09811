package io.orthrus.optim;

import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of named parameters that share optimizer settings; today the weight decay, so that
 * biases and norm gains can be excluded from decay.
 *
 * @param name        a label for logs and state, such as {@code "decay"}
 * @param parameters  parameters by their dotted names from {@link Module#namedParameters()}
 * @param weightDecay the decay coefficient λ for this group (0 for none)
 */
public record ParamGroup(String name, Map<String, Parameter> parameters, double weightDecay) {
    /** Copies the map; checks λ ≥ 0. */
    public ParamGroup {
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("ParamGroup '" + name + "': weight decay must be >= 0, got " + weightDecay);
        }
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** One group holding every parameter of {@code module} but the frozen ones, decayed by {@code weightDecay}. */
    public static List<ParamGroup> all(Module module, double weightDecay) {
        return List.of(new ParamGroup("all", trainable(module), weightDecay));
    }

    /**
     * The GPT-2 / nanoGPT split: parameters with two or more dimensions (weight matrices and
     * embeddings) in a group {@code "decay"} with {@code weightDecay}; vectors (biases, norm gains)
     * in a group {@code "no_decay"} with none. Frozen parameters are in neither.
     */
    public static List<ParamGroup> decayMatricesOnly(Module module, double weightDecay) {
        Map<String, Parameter> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        trainable(module).forEach((name, p) -> (p.rank() >= 2 ? decay : noDecay).put(name, p));
        return List.of(new ParamGroup("decay", decay, weightDecay), new ParamGroup("no_decay", noDecay, 0.0));
    }

    private static Map<String, Parameter> trainable(Module module) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> {
            if (!p.isFrozen()) {
                out.put(name, p);
            }
        });
        return out;
    }
}
