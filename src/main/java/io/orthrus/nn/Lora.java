package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Low-rank adaptation (LoRA, Hu et al., 2021) of a model's linear layers: the base weights are
 * frozen and each adapted layer learns {@code W + scale·B·A} instead of W, with {@code A (r × in)},
 * {@code B (out × r)} and {@code scale = alpha/r} ({@link LoraConfig}). B starts at zero, so the
 * adapted model starts as the base model; training then updates only A and B, a few percent of the
 * parameters or less.
 *
 * <pre>{@code
 * Lora lora = Lora.attach(model, LoraConfig.rank(8).withTargets("q_proj", "v_proj"), new Rng(1));
 * new Trainer<>(model, CausalLm.leftToRight(), options).fit(train, validation); // trains A and B only
 * lora.merge();                                                                 // W += scale·B·A
 * }</pre>
 *
 * <p>Several named adapters can sit on one base ({@link #add}); one of them is active at a time
 * ({@link #activate}) and the others are frozen. A Q, K, V projection is one fused layer in Orthrus,
 * so a target such as {@code q_proj} adapts the query rows of that layer only, as PEFT adapts
 * transformers' separate {@code q_proj}. Build the {@code Trainer} after attaching and activating:
 * its optimizer holds the parameters that are trainable when it is made.
 */
public final class Lora {
    /** The adapter name PEFT gives a single adapter. */
    public static final String DEFAULT = "default";

    /** One adapted layer or part of a layer: its Orthrus name, the part ({@code q}, {@code k}, {@code v}) or null. */
    private record Site(String layer, String part, Linear linear, LoraAdapter adapter) {}

    private final Module model;
    private final Map<String, List<Site>> adapters = new LinkedHashMap<>();
    private final Map<String, LoraConfig> configs = new LinkedHashMap<>();
    private String active;
    private boolean merged;

    private Lora(Module model) {
        this.model = model;
    }

    /**
     * Freezes every parameter of {@code model} and attaches adapter {@value #DEFAULT} with
     * {@code config} to the layers it targets, A drawn from {@code rng}; the adapter is active.
     *
     * @throws IllegalArgumentException if a target matches no linear layer (the message lists the layers)
     */
    public static Lora attach(Module model, LoraConfig config, Rng rng) {
        return attach(model, DEFAULT, config, rng);
    }

    /** {@link #attach(Module, LoraConfig, Rng)} with the adapter named {@code name}. */
    public static Lora attach(Module model, String name, LoraConfig config, Rng rng) {
        Lora lora = new Lora(model);
        lora.add(name, config, rng, () -> model.parameters().forEach(Parameter::freeze));
        lora.activate(name);
        return lora;
    }

    /**
     * Attaches another adapter, {@code name}, with {@code config} on the same base; it starts frozen
     * (the active adapter stays active). Returns this.
     */
    public Lora add(String name, LoraConfig config, Rng rng) {
        return add(name, config, rng, () -> { });
    }

    /** {@link #add(String, LoraConfig, Rng)}, running {@code freezeBase} once the targets are known to be valid. */
    private Lora add(String name, LoraConfig config, Rng rng, Runnable freezeBase) {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("Lora: adapter name '" + name + "' is not valid; use letters, digits, '_', '-'");
        }
        if (adapters.containsKey(name)) {
            throw new IllegalArgumentException("Lora: an adapter named '" + name + "' is already attached");
        }
        requireUnmerged("add an adapter");
        // Every target is matched before anything is attached, so that a refused target changes nothing.
        List<Planned> planned = plan(model, config);
        for (Planned p : planned) {
            if (p.linear.children().containsKey(childName(name, p.part))) {
                throw new IllegalArgumentException("Lora: layer " + p.path + " already has an adapter named '" + name + "'");
            }
        }
        freezeBase.run();
        List<Site> sites = new ArrayList<>();
        for (Planned p : planned) {
            LoraAdapter adapter = new LoraAdapter(p.linear.weight().size(1), p.part.from, p.part.rows, config, rng.split());
            p.linear.attach(childName(name, p.part), adapter);
            adapter.setActive(false);
            sites.add(new Site(p.path, p.part.name, p.linear, adapter));
        }
        adapters.put(name, List.copyOf(sites));
        configs.put(name, config);
        return this;
    }

    /**
     * A layer, or a part of the fused Q, K, V layer, that an adapter adapts: the layer's Orthrus name,
     * the part ({@code q}, {@code k}, {@code v}) or null for the whole layer, the layer's inputs (A's
     * columns) and the rows the part covers (B's rows).
     */
    public record Target(String layer, String part, int in, int rows) {
        /** The layer's name with {@code .q}, {@code .k} or {@code .v} for a part: {@link #parameters}' keys less {@code .A}/{@code .B}. */
        public String key() {
            return layer + (part == null ? "" : "." + part);
        }
    }

    /**
     * What an adapter with {@code config} would adapt in {@code model}, in the model's order, without
     * changing it.
     *
     * @throws IllegalArgumentException as {@link #attach(Module, LoraConfig, Rng)} would
     */
    public static List<Target> targets(Module model, LoraConfig config) {
        return plan(model, config).stream()
                .map(p -> new Target(p.path, p.part.name, p.linear.weight().size(1), p.part.rows)).toList();
    }

    private record Planned(String path, Linear linear, Part part) {}

    private static List<Planned> plan(Module model, LoraConfig config) {
        List<Planned> planned = new ArrayList<>();
        Map<String, Boolean> matched = new LinkedHashMap<>();
        config.targets().forEach(t -> matched.put(t, false));
        List<String> layerNames = new ArrayList<>();
        visit(model, "", null, (path, parent, linear) -> {
            layerNames.add(path);
            for (Part part : parts(path, parent, linear, config, matched)) {
                planned.add(new Planned(path, linear, part));
            }
        });
        for (Map.Entry<String, Boolean> e : matched.entrySet()) {
            if (!e.getValue()) {
                throw new IllegalArgumentException("Lora: target '" + e.getKey() + "' matches no linear layer; the"
                        + " layers are " + summary(layerNames) + " (or q_proj, k_proj, v_proj, o_proj, gate_proj,"
                        + " up_proj, down_proj, c_attn, c_proj, c_fc, query, key, value)");
            }
        }
        if (planned.isEmpty()) {
            throw new IllegalArgumentException("Lora: the model has no linear layer in Transformer blocks to adapt;"
                    + " name the targets (layers: " + summary(layerNames) + ")");
        }
        return planned;
    }

    /** Makes {@code name} the adapter the model applies and trains; the others are frozen. */
    public void activate(String name) {
        if (!adapters.containsKey(name)) {
            throw new IllegalArgumentException("Lora: no adapter named '" + name + "'; attached: " + adapters.keySet());
        }
        requireUnmerged("switch adapters");
        adapters.forEach((adapter, sites) -> sites.forEach(s -> s.adapter.setActive(adapter.equals(name))));
        active = name;
    }

    /** The active adapter's name. */
    public String active() {
        return active;
    }

    /** The attached adapters' names, in the order they were attached. */
    public Set<String> adapterNames() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(adapters.keySet()));
    }

    /** The settings adapter {@code name} was attached with. */
    public LoraConfig config(String name) {
        requireAdapter(name);
        return configs.get(name);
    }

    /**
     * Adapter {@code name}'s A and B by layer: keys are the adapted layer's Orthrus name, with
     * {@code .q}, {@code .k} or {@code .v} for a part of a fused Q, K, V layer, then {@code .A} or
     * {@code .B}; in the order the layers come in the model.
     */
    public Map<String, Parameter> parameters(String name) {
        requireAdapter(name);
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Site s : adapters.get(name)) {
            String key = s.layer + (s.part == null ? "" : "." + s.part);
            out.put(key + ".A", s.adapter.a());
            out.put(key + ".B", s.adapter.b());
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Adds the active adapter's update {@code scale·B·A} into the base weights, so that the model runs
     * at the base's cost with the adapter's outputs (within float rounding); the adapter stops being
     * applied separately. Throws if already merged.
     */
    public void merge() {
        requireUnmerged("merge");
        for (Site s : adapters.get(active)) {
            s.adapter.mergeInto(s.linear.weight(), 1);
        }
        merged = true;
    }

    /** Subtracts the merged update from the base weights again (within float rounding) and applies the adapter apart. */
    public void unmerge() {
        if (!merged) {
            throw new IllegalStateException("Lora: no adapter is merged");
        }
        for (Site s : adapters.get(active)) {
            s.adapter.mergeInto(s.linear.weight(), -1);
        }
        merged = false;
    }

    /** True between {@link #merge()} and {@link #unmerge()}. */
    public boolean isMerged() {
        return merged;
    }

    /**
     * {@code model}'s parameters without those of its LoRA adapters, by name: what a saved model
     * holds. An adapter that is applied (active, not merged) would be lost by saving the base alone,
     * so it is refused: merge it first, or save the adapter.
     *
     * @throws IllegalStateException naming the adapted layer, if an adapter is applied
     */
    public static Map<String, Parameter> baseParameters(Module model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectBase(model, "", out);
        return Collections.unmodifiableMap(out);
    }

    private static void collectBase(Module module, String prefix, Map<String, Parameter> out) {
        if (module instanceof LoraAdapter adapter) {
            if (adapter.applies()) {
                throw new IllegalStateException("the model has a LoRA adapter that is not merged (" + prefix
                        .substring(0, prefix.length() - 1) + "); merge() it into the weights before saving the model,"
                        + " or save the adapter itself");
            }
            return;
        }
        Set<String> inChildren = new LinkedHashSet<>();
        module.children().forEach((name, child) -> child.namedParameters().keySet().forEach(k -> inChildren.add(name + "." + k)));
        module.namedParameters().forEach((name, p) -> { // its own parameters first, as namedParameters() lists them
            if (!inChildren.contains(name)) {
                out.put(prefix + name, p);
            }
        });
        module.children().forEach((name, child) -> collectBase(child, prefix + name + ".", out));
    }

    private void requireUnmerged(String what) {
        if (merged) {
            throw new IllegalStateException("Lora: cannot " + what + " while adapter '" + active + "' is merged; unmerge first");
        }
    }

    private void requireAdapter(String name) {
        if (!adapters.containsKey(name)) {
            throw new IllegalArgumentException("Lora: no adapter named '" + name + "'; attached: " + adapters.keySet());
        }
    }

    // ---------------------------------------------------------------- which layers a target names

    /** Output rows {@code from .. from + rows − 1} of a layer, named {@code name} ({@code q}, {@code k}, {@code v}) or whole (null). */
    private record Part(String name, int from, int rows) {}

    private interface LinearVisitor {
        void visit(String path, Module parent, Linear linear);
    }

    /** Every Linear of the tree with its dotted name and the module that holds it; adapters are not entered. */
    private static void visit(Module module, String prefix, Module parent, LinearVisitor visitor) {
        if (module instanceof Linear linear) {
            visitor.visit(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), parent, linear);
            return;
        }
        module.children().forEach((name, child) -> visit(child, prefix + name + ".", module, visitor));
    }

    /** The parts of {@code linear} that {@code config} adapts (none, the whole layer, or some of q, k, v). */
    private static List<Part> parts(String path, Module parent, Linear linear, LoraConfig config,
                                    Map<String, Boolean> matched) {
        int out = linear.weight().size(0);
        if (config.targets().isEmpty()) { // every linear layer of the Transformer blocks
            return path.contains("blocks.") ? List.of(new Part(null, 0, out)) : List.of();
        }
        String last = path.substring(path.lastIndexOf('.') + 1);
        List<String> wholeNames = new ArrayList<>(List.of(path));
        List<Part> qkv = new ArrayList<>();
        if (parent instanceof MultiHeadAttention attention) {
            if (last.equals("qkv")) {
                wholeNames.add(path.replace("qkv", "c_attn"));
                int q = attention.queryRows(), k = attention.keyRows();
                qkv = List.of(new Part("q", 0, q), new Part("k", q, k), new Part("v", q + k, k));
            } else if (last.equals("proj")) {
                wholeNames.add("o_proj");
                wholeNames.add("c_proj");
            }
        } else if (parent instanceof FeedForward) {
            switch (last) {
                case "gate" -> wholeNames.add("gate_proj");
                case "up" -> {
                    wholeNames.add("up_proj");
                    wholeNames.add("c_fc");
                }
                case "down" -> {
                    wholeNames.add("down_proj");
                    wholeNames.add("c_proj");
                }
                default -> { }
            }
        }
        boolean whole = false;
        Set<String> partNames = new LinkedHashSet<>();
        for (String target : config.targets()) {
            boolean hit = wholeNames.stream().anyMatch(name -> name.equals(target) || name.endsWith("." + target));
            whole |= hit;
            for (Part part : qkv) {
                if (target.equals(part.name + "_proj") || target.equals(partAlias(part.name))) {
                    partNames.add(part.name);
                    hit = true;
                }
            }
            if (hit) {
                matched.put(target, true);
            }
        }
        if (whole) {
            return List.of(new Part(null, 0, out));
        }
        List<Part> chosen = new ArrayList<>();
        for (Part part : qkv) {
            if (partNames.contains(part.name)) {
                chosen.add(part);
            }
        }
        return chosen;
    }

    /** BERT's name for a part of the fused projection. */
    private static String partAlias(String part) {
        return switch (part) {
            case "q" -> "query";
            case "k" -> "key";
            default -> "value";
        };
    }

    private static String childName(String adapter, Part part) {
        return "lora_" + adapter + (part.name == null ? "" : "_" + part.name);
    }

    private static String summary(List<String> names) {
        List<String> shown = names.size() <= 8 ? names : names.subList(0, 8);
        return String.join(", ", shown) + (names.size() > shown.size() ? ", … (" + names.size() + " in all)" : "");
    }
}
