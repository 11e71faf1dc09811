package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Lora;
import io.orthrus.nn.LoraConfig;
import io.orthrus.nn.Parameter;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LoRA adapters in PEFT's folder format: {@code adapter_config.json} ({@code peft_type} LORA, {@code r},
 * {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}, {@code bias}, {@code use_rslora},
 * {@code base_model_name_or_path}, …) and {@code adapter_model.safetensors} with PEFT's key names,
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight} for the Llama family (Llama, Qwen2,
 * Mistral) and {@code base_model.model.transformer.h.0.attn.c_attn.lora_A.weight} for GPT-2: what
 * {@code PeftModel.from_pretrained} reads and {@code save_pretrained} writes, for a {@link Gpt} loaded from or
 * saved to the matching Hugging Face layout.
 */
public final class PeftAdapter {
    /** The adapter's settings. */
    public static final String CONFIG = "adapter_config.json";
    /** The adapter's A and B matrices. */
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final Set<String> KNOWN = Set.of("peft_type", "task_type", "r", "lora_alpha", "lora_dropout",
            "target_modules", "bias", "use_rslora", "base_model_name_or_path", "fan_in_fan_out", "inference_mode",
            "modules_to_save", "init_lora_weights", "layers_to_transform", "layers_pattern", "rank_pattern",
            "alpha_pattern", "use_dora", "revision", "auto_mapping", "megatron_config", "megatron_core",
            "loftq_config", "layer_replication", "runtime_config", "lora_bias", "exclude_modules", "eva_config",
            "corda_config", "trainable_token_indices", "peft_version", "target_parameters", "qalora_group_size",
            "use_qalora", "arrow_config", "ensure_weight_tying", "alora_invocation_tokens");

    private PeftAdapter() {}

    /**
     * Writes adapter {@code name} of {@code lora} on {@code model} to {@code directory} (atomically), with
     * {@code baseModel} as {@code base_model_name_or_path} (may be null).
     *
     * @throws IllegalArgumentException before anything is written, for an adapter PEFT's layout of this
     *                                  model cannot hold (the whole fused Q, K, V layer of a Llama, a part of
     *                                  GPT-2's {@code c_attn}, a layer outside the decoder blocks)
     */
    public static void save(Path directory, Gpt model, Lora lora, String name, String baseModel) throws IOException {
        LoraConfig config = lora.config(name);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Set<String> modules = requireWritable(model, lora, name);
        boolean llama = isLlama(model);
        lora.parameters(name).forEach((key, p) -> weights.put(PREFIX + module(llama, key.substring(0, key.length() - 2))
                + ".lora_" + key.substring(key.length() - 1) + ".weight", p));
        JsonObject json = new JsonObject();
        json.addProperty("peft_type", "LORA");
        json.addProperty("task_type", "CAUSAL_LM");
        json.addProperty("r", config.rank());
        json.addProperty("lora_alpha", config.alpha());
        json.addProperty("lora_dropout", config.dropout());
        JsonArray targets = new JsonArray();
        modules.forEach(targets::add);
        json.add("target_modules", targets);
        json.addProperty("bias", "none");
        json.addProperty("use_rslora", config.rsLora());
        json.addProperty("use_dora", false);
        json.addProperty("fan_in_fan_out", !llama); // GPT-2's Conv1D stores weights transposed
        json.addProperty("inference_mode", true);
        json.addProperty("init_lora_weights", true);
        json.add("modules_to_save", JsonNull.INSTANCE);
        json.add("layers_to_transform", JsonNull.INSTANCE);
        json.add("rank_pattern", new JsonObject());
        json.add("alpha_pattern", new JsonObject());
        if (baseModel == null) {
            json.add("base_model_name_or_path", JsonNull.INSTANCE);
        } else {
            json.addProperty("base_model_name_or_path", baseModel);
        }
        Weights.requireFinite("PeftAdapter.save " + directory, weights, Weights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve(CONFIG), json.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve(WEIGHTS), weights, Map.of("format", "pt"));
        });
    }

    /**
     * Checks that PEFT's layout of this model can hold adapter {@code name} of {@code lora}, as {@link #save} needs;
     * returns the {@code target_modules} that name its layers.
     *
     * @throws IllegalArgumentException naming what PEFT cannot express
     */
    public static Set<String> requireWritable(Gpt model, Lora lora, String name) {
        boolean llama = isLlama(model);
        LoraConfig config = lora.config(name);
        Set<String> modules = new TreeSet<>();
        List<String> adapted = new ArrayList<>();
        for (String key : lora.parameters(name).keySet()) {
            if (key.endsWith(".A")) {
                String module = module(llama, key.substring(0, key.length() - 2));
                modules.add(module.substring(module.lastIndexOf('.') + 1));
                adapted.add(key.substring(0, key.length() - 2));
            }
        }
        // PEFT finds the layers by these names again: they must name exactly the adapted ones.
        List<String> reloaded = Lora.targets(model, new LoraConfig(config.rank(), config.alpha(), config.dropout(),
                config.rsLora(), List.copyOf(modules))).stream().map(Lora.Target::key).toList();
        if (!reloaded.equals(adapted)) {
            throw new IllegalArgumentException("PeftAdapter: PEFT's target_modules " + modules + " would adapt "
                    + reloaded.size() + " layers of this model where the adapter has " + adapted.size()
                    + " (GPT-2's c_proj names both the attention's and the MLP's output); adapt both or neither");
        }
        return modules;
    }

    /**
     * Reads the PEFT LoRA adapter in {@code directory} onto {@code model}: freezes the model and attaches
     * the adapter as {@link Lora#DEFAULT}, active, with the stored A and B. Every setting and weight is
     * checked before the model is touched; an error names the file and the field or weight at fault.
     */
    public static Lora load(Path directory, Gpt model) throws IOException {
        Path configFile = JsonFiles.regularFile(directory.resolve(CONFIG));
        Path weightsFile = JsonFiles.regularFile(directory.resolve(WEIGHTS));
        JsonObject json = JsonFiles.readObject(configFile);
        LoraConfig config = config(configFile, json);
        boolean llama = isLlama(model);
        List<Lora.Target> targets;
        try {
            targets = Lora.targets(model, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": target_modules: " + e.getMessage(), e);
        }
        Map<String, Tensor> stored = new LinkedHashMap<>();
        Safetensors.read(weightsFile).tensors().forEach((key, t) -> stored.put(key.replace(".default.weight", ".weight"), t));
        Map<String, Tensor> values = new LinkedHashMap<>(); // by Lora.parameters' key
        Set<String> unused = new TreeSet<>(stored.keySet());
        for (Lora.Target target : targets) {
            String module = module(llama, target.key());
            for (String matrix : new String[] {"A", "B"}) {
                String key = PREFIX + module + ".lora_" + matrix + ".weight";
                Tensor t = stored.get(key);
                int[] shape = matrix.equals("A") ? new int[] {config.rank(), target.in()}
                        : new int[] {target.rows(), config.rank()};
                if (t == null) {
                    throw new IllegalArgumentException(weightsFile + ": no weight " + key + " for target " + module);
                }
                if (!Arrays.equals(shape, t.shape())) {
                    throw new IllegalArgumentException(weightsFile + ": " + key + " has shape " + Arrays.toString(t.shape())
                            + ", but the base model's layer needs " + Arrays.toString(shape)
                            + " (is the adapter made for another base model?)");
                }
                unused.remove(key);
                values.put(target.key() + "." + matrix, t);
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(weightsFile + ": weights that no target of " + CONFIG + " adapts: "
                    + String.join(", ", new ArrayList<>(unused).subList(0, Math.min(5, unused.size())))
                    + (unused.size() > 5 ? ", … (" + unused.size() + ")" : ""));
        }
        Weights.requireFinite(weightsFile.toString(), values, Weights.ON_LOAD);
        Lora lora = Lora.attach(model, config, new Rng(0));
        Map<String, Parameter> parameters = lora.parameters(Lora.DEFAULT);
        values.forEach((key, t) -> System.arraycopy(t.data(), 0, parameters.get(key).data(), 0, t.numel()));
        return lora;
    }

    private static LoraConfig config(Path file, JsonObject json) {
        String type = HuggingFaceFolder.string(file, json, "peft_type", null);
        if (!"LORA".equals(type)) {
            throw new IllegalArgumentException(file + ": peft_type '" + type + "' is not LORA");
        }
        for (String field : json.keySet()) { // a newer peft's field is harmless while it is off
            JsonElement value = json.get(field);
            boolean off = value.isJsonNull() || (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()
                    && !value.getAsBoolean()) || (value.isJsonObject() && value.getAsJsonObject().isEmpty())
                    || (value.isJsonArray() && value.getAsJsonArray().isEmpty());
            if (!KNOWN.contains(field) && !off) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is " + value + ", a setting Orthrus"
                        + " does not know; it may change what the adapter does");
            }
        }
        HuggingFaceFolder.requireValue(file, json, "bias", "none", "adapters that train biases are not implemented");
        HuggingFaceFolder.requireValue(file, json, "use_dora", false, "DoRA is not implemented");
        for (String field : new String[] {"rank_pattern", "alpha_pattern"}) {
            if (json.has(field) && json.get(field).isJsonObject() && !json.getAsJsonObject(field).isEmpty()) {
                throw new IllegalArgumentException(file + ": " + field + " sets other ranks or alphas for some layers;"
                        + " one rank and alpha for all is implemented");
            }
        }
        for (String field : new String[] {"modules_to_save", "layers_to_transform", "trainable_token_indices",
            "exclude_modules"}) {
            JsonElement value = json.get(field);
            if (value != null && !value.isJsonNull() && !(value.isJsonArray() && value.getAsJsonArray().isEmpty())) {
                throw new IllegalArgumentException(file + ": " + field + " is " + value + "; only adapters of whole"
                        + " layer sets with nothing else saved are implemented");
            }
        }
        JsonElement targets = json.get("target_modules");
        if (targets == null || !targets.isJsonArray()) {
            throw new IllegalArgumentException(file + ": target_modules must be a list of module names"
                    + (targets != null && targets.isJsonPrimitive() ? " (a regular expression, '" + targets.getAsString()
                    + "', is not implemented)" : ""));
        }
        List<String> names = new ArrayList<>();
        targets.getAsJsonArray().forEach(e -> names.add(e.getAsString()));
        try {
            return new LoraConfig(HuggingFaceFolder.integer(file, json, "r", null),
                    HuggingFaceFolder.number(file, json, "lora_alpha", Float.NaN),
                    HuggingFaceFolder.number(file, json, "lora_dropout", 0f),
                    HuggingFaceFolder.flag(file, json, "use_rslora", false), names);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the model is saved in the Llama family's layout (else GPT-2's). */
    private static boolean isLlama(Gpt model) {
        return !model.config().beyondClassicBlocks().isEmpty();
    }

    /** The PEFT module path (without {@value #PREFIX}) of the layer or part named {@code target} ({@link Lora.Target#key()}). */
    private static String module(boolean llama, String target) {
        String part = null, layer = target;
        if (target.endsWith(".q") || target.endsWith(".k") || target.endsWith(".v")) {
            part = target.substring(target.length() - 1);
            layer = target.substring(0, target.length() - 2);
        }
        String weight = layer + ".weight";
        if (!layer.startsWith("stack.blocks.")) {
            throw new IllegalArgumentException("PeftAdapter: layer " + layer + " is outside the decoder blocks;"
                    + " PEFT adapters of it are not implemented");
        }
        if (!llama) {
            if (part != null) {
                throw new IllegalArgumentException("PeftAdapter: GPT-2's c_attn is one layer in PEFT; adapt all of it"
                        + " (target c_attn), not its " + part + " rows");
            }
            String name = HuggingFaceGpt2.hfName(weight);
            return "transformer." + name.substring(0, name.length() - ".weight".length());
        }
        List<String> names = HuggingFaceLlama.hfNames(weight);
        if (names.size() == 3 && part == null) {
            throw new IllegalArgumentException("PeftAdapter: PEFT adapts a Llama's q_proj, k_proj and v_proj as three"
                    + " layers; target them, not the fused " + layer);
        }
        String name = names.size() == 3 ? names.get("qkv".indexOf(part)) : names.get(0);
        return "model." + name.substring(0, name.length() - ".weight".length());
    }
}
