package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.files.AtomicFiles;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Lora;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.RmsNorm;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Llama-family decoders in Hugging Face's layout: {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}
 * and {@code MistralForCausalLM} folders ({@code config.json}, {@code model.safetensors} or shards
 * listed by {@code model.safetensors.index.json}, float32, float16 or bfloat16), loaded into a
 * {@link Gpt} with the Llama options of {@link TransformerConfig}.
 *
 * <p>Each layer's {@code q_proj}, {@code k_proj} and {@code v_proj} become the rows of the fused
 * {@code qkv} projection, in that order; weight names are taken with or without the
 * {@code model.} prefix. {@code rope_theta} and {@code rope_scaling} are read where transformers 4
 * writes them and from transformers 5's {@code rope_parameters}; the rope types are the default and
 * {@code llama3}. A Mistral sliding window at least as long as {@code max_position_embeddings}
 * changes nothing; a shorter one limits the context to the window (a longer input is refused as
 * any input beyond the context is). Options Orthrus does not implement (other rope types, an
 * {@code o_proj} or MLP bias, tensor-parallel slicing) are refused by name; loaded models are in
 * evaluation mode.
 *
 * <p>Saving writes the same layout, loadable by {@code AutoModelForCausalLM.from_pretrained}: a
 * Qwen2 model when the config has q/k/v biases and no other bias, a Llama model otherwise.
 */
public final class HuggingFaceLlama {
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceLlama.class);
    private static final String PREFIX = "model.";
    private static final String HEAD = "lm_head.weight";
    private static final Map<String, String> ARCHITECTURES = Map.of("llama", "LlamaForCausalLM", "qwen2",
            "Qwen2ForCausalLM", "mistral", "MistralForCausalLM");
    /** config.json fields read into the model, checked, or without effect on the logits. */
    private static final Set<String> KNOWN = Set.of("model_type", "architectures", "vocab_size", "hidden_size",
            "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
            "max_position_embeddings", "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters", "hidden_act",
            "tie_word_embeddings", "attention_bias", "mlp_bias", "pretraining_tp", "sliding_window", "use_sliding_window",
            "max_window_layers", "layer_types", "attention_dropout", "bos_token_id", "eos_token_id", "pad_token_id",
            "dtype", "torch_dtype", "initializer_range", "use_cache", "transformers_version", "_name_or_path",
            "_attn_implementation_autoset", "output_attentions", "output_hidden_states", "return_dict");

    private HuggingFaceLlama() {}

    /**
     * The decoder in {@code directory}, in evaluation mode, with the tokenizer of its
     * {@code tokenizer.json} when it has one Orthrus reads (null when it has none).
     */
    public static GptCheckpoint load(Path directory) throws IOException {
        Gpt model = loadModel(directory);
        Tokenizer tokenizer = HuggingFaceFolder.tokenizerJson(directory);
        if (tokenizer != null && tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceLlama: the tokenizer in " + directory + " has "
                    + tokenizer.vocabSize() + " tokens but config.json says vocab_size " + model.config().vocabSize());
        }
        return new GptCheckpoint(model, tokenizer);
    }

    /**
     * The ids that end a text for the model in {@code directory}: {@code eos_token_id} (one id or a
     * list, as Llama 3 has) of its {@code generation_config.json}, else of its {@code config.json};
     * empty when neither names one. Give them to {@link io.orthrus.infer.GenerationConfig#withStopTokens}.
     */
    public static List<Integer> endTokens(Path directory) throws IOException {
        for (Path file : List.of(directory.resolve("generation_config.json"), directory.resolve(HuggingFaceFolder.CONFIG))) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            JsonElement eos = io.orthrus.files.JsonFiles.readObject(file).get("eos_token_id");
            if (eos == null || eos.isJsonNull()) {
                continue;
            }
            List<Integer> ids = new java.util.ArrayList<>();
            for (JsonElement e : eos.isJsonArray() ? eos.getAsJsonArray() : List.of(eos)) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())
                        || e.getAsDouble() < 0 || e.getAsDouble() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(file + ": eos_token_id must be a token id or a list of them, found "
                            + eos);
                }
                ids.add(e.getAsInt());
            }
            return List.copyOf(ids);
        }
        return List.of();
    }

    /**
     * The decoder in {@code directory}, in evaluation mode, without its tokenizer. Each stored
     * tensor is decoded straight into the model's parameter (the files are mapped a chunk at a
     * time), so loading takes the model's size in float32 and no second copy.
     */
    public static Gpt loadModel(Path directory) throws IOException {
        Path configFile = directory.resolve(HuggingFaceFolder.CONFIG);
        TransformerConfig shape = config(configFile, HuggingFaceFolder.config(directory));
        Path weightsFile = HuggingFaceFolder.weightsFile(directory);
        try (HuggingFaceFolder.OpenedWeights stored = HuggingFaceFolder.openWeights(directory)) {
            Map<String, String> names = new LinkedHashMap<>(); // without "model." -> as stored
            stored.names().forEach(name -> names.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, name));
            Set<String> unused = new TreeSet<>(names.keySet());
            Gpt model = new Gpt(shape, new Rng(0)); // never returned unless every weight fits and is finite
            Map<String, Parameter> parameters = model.namedParameters();
            for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
                List<String> parts = hfNames(p.getKey());
                int[] expected = p.getValue().shape();
                int rows = 0;
                for (String part : parts) {
                    if (!names.containsKey(part)) {
                        throw new IllegalArgumentException(weightsFile + ": no weight '" + part + "' (with or without '"
                                + PREFIX + "') for the model's " + p.getKey());
                    }
                    unused.remove(part);
                    int[] found = stored.file(names.get(part)).shape(names.get(part));
                    boolean sameColumns = found.length == expected.length
                            && java.util.Arrays.equals(found, 1, found.length, expected, 1, expected.length);
                    if (!sameColumns || (parts.size() == 1 && found[0] != expected[0])) {
                        throw new IllegalArgumentException(weightsFile + ": " + part + " has shape "
                                + java.util.Arrays.toString(found) + " but config.json implies "
                                + java.util.Arrays.toString(expected));
                    }
                    rows += found[0];
                }
                if (rows != expected[0]) { // q, k and v rows together make the fused qkv
                    throw new IllegalArgumentException(weightsFile + ": " + String.join(" + ", parts) + " have "
                            + rows + " rows together but config.json implies " + expected[0]);
                }
            }
            if (shape.tiedEmbeddings()) {
                unused.remove(HEAD);
            }
            unused.removeIf(name -> name.endsWith(".rotary_emb.inv_freq")); // a buffer older transformers saved
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException(weightsFile + ": weights the " + shape.layers() + "-layer model of"
                        + " config.json does not have: " + unused);
            }
            for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
                int offset = 0;
                for (String part : hfNames(p.getKey())) { // q, k and v rows one after another in the fused qkv
                    Safetensors.Opened file = stored.file(names.get(part));
                    file.readInto(names.get(part), p.getValue().data(), offset);
                    offset += java.util.Arrays.stream(file.shape(names.get(part))).reduce(1, (a, b) -> a * b);
                }
            }
            Weights.requireFinite(weightsFile.toString(), parameters, Weights.ON_LOAD);
            model.eval();
            return model;
        }
    }

    /**
     * Writes {@code model} in Hugging Face's Llama layout (Qwen2's when it has q/k/v biases only),
     * atomically: {@code config.json} and {@code model.safetensors} in float32. The model must be a
     * left-to-right, pre-norm decoder with RMS norms, a gated SiLU feed-forward, rotary positions and
     * no biases but the q/k/v ones.
     */
    public static void save(Path directory, Gpt model) throws IOException {
        save(directory, model, null);
    }

    /**
     * As {@link #save(Path, Gpt)}, with {@code tokenizer} (if not null) written beside it as
     * {@code tokenizer.json} (see {@link Tokenizers#toHuggingFace}).
     */
    public static void save(Path directory, Gpt model, Tokenizer tokenizer) throws IOException {
        TransformerConfig c = model.config();
        requireWritable(c, model.direction());
        if (tokenizer != null && tokenizer.vocabSize() > c.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceLlama.save: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + c.vocabSize());
        }
        String tokenizerJson = tokenizer == null ? null : Tokenizers.toHuggingFace(tokenizer);
        boolean qwen2 = c.qkvBias();
        JsonObject config = new JsonObject();
        config.addProperty("model_type", qwen2 ? "qwen2" : "llama");
        JsonArray architectures = new JsonArray();
        architectures.add(qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        config.add("architectures", architectures);
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("hidden_size", c.width());
        config.addProperty("intermediate_size", c.feedForwardWidth());
        config.addProperty("num_hidden_layers", c.layers());
        config.addProperty("num_attention_heads", c.heads());
        config.addProperty("num_key_value_heads", c.kvHeads());
        config.addProperty("head_dim", c.headSize());
        config.addProperty("max_position_embeddings", c.contextLength());
        config.addProperty("rms_norm_eps", c.layerNormEps());
        config.addProperty("hidden_act", "silu");
        config.addProperty("rope_theta", c.ropeTheta());
        if (c.ropeScaling() != null) {
            config.add("rope_scaling", ropeScalingJson(c.ropeScaling()));
        }
        config.addProperty("tie_word_embeddings", c.tiedEmbeddings());
        if (!qwen2) {
            config.addProperty("attention_bias", false);
            config.addProperty("mlp_bias", false);
        }
        config.addProperty("torch_dtype", "float32");
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Lora.baseParameters(model).forEach((name, p) -> {
            List<String> parts = hfNames(name);
            if (parts.size() == 1) {
                weights.put(parts.get(0).equals(HEAD) ? HEAD : PREFIX + parts.get(0), p);
                return;
            }
            int q = c.heads() * c.headSize(), kv = c.kvHeads() * c.headSize();
            List<Tensor> split = p.detach().split(0, q, kv, kv);
            for (int i = 0; i < 3; i++) {
                weights.put(PREFIX + parts.get(i), split.get(i));
            }
        });
        Weights.requireFinite("HuggingFaceLlama.save " + directory, weights, Weights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve(HuggingFaceFolder.CONFIG), config.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve(HuggingFaceFolder.WEIGHTS), weights, Map.of("format", "pt"));
            if (tokenizerJson != null) {
                Files.writeString(dir.resolve(HuggingFaceFolder.TOKENIZER_JSON), tokenizerJson, StandardCharsets.UTF_8);
            }
        });
    }

    /** Throws, naming what is missing, unless the Llama or Qwen2 layout can hold a model of shape {@code c}. */
    static void requireWritable(TransformerConfig c, Direction direction) {
        List<String> wrong = new java.util.ArrayList<>();
        if (c.normalization() != TransformerConfig.Normalization.RMS_NORM) {
            wrong.add("layer norms");
        }
        if (!c.gatedFeedForward() || c.activation() != io.orthrus.nn.Activation.Kind.SILU) {
            wrong.add("a feed-forward other than SwiGLU");
        }
        if (c.positions() != TransformerConfig.PositionalEncoding.ROTARY) {
            wrong.add(c.positions().name().toLowerCase(java.util.Locale.ROOT) + " positions");
        }
        if (c.norm() != TransformerConfig.NormPlacement.PRE) {
            wrong.add("post-norm blocks");
        }
        if (c.bias()) {
            wrong.add("biases beyond q/k/v");
        }
        if (direction != Direction.LEFT_TO_RIGHT) {
            wrong.add("right-to-left order");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("HuggingFaceLlama.save: the Llama layout cannot hold " + String.join(", ", wrong)
                    + "; it needs RMS norms, SwiGLU, rotary positions, pre-norm blocks and no biases but q/k/v ones");
        }
    }

    /** The Hugging Face names (without "model.") an Orthrus parameter is made of: three for a fused qkv. */
    static List<String> hfNames(String name) {
        if (name.equals("wte.weight")) {
            return List.of("embed_tokens.weight");
        }
        if (name.equals("head.weight")) {
            return List.of(HEAD);
        }
        if (name.equals("stack.lnF.weight")) {
            return List.of("norm.weight");
        }
        String n = name.replace("stack.blocks.", "layers.");
        if (n.contains(".attn.qkv.")) {
            String kind = n.substring(n.lastIndexOf('.')); // ".weight" or ".bias"
            String layer = n.substring(0, n.indexOf(".attn.qkv."));
            return List.of(layer + ".self_attn.q_proj" + kind, layer + ".self_attn.k_proj" + kind,
                    layer + ".self_attn.v_proj" + kind);
        }
        return List.of(n.replace(".ln1.", ".input_layernorm.").replace(".ln2.", ".post_attention_layernorm.")
                .replace(".attn.proj.", ".self_attn.o_proj.").replace(".ff.gate.", ".mlp.gate_proj.")
                .replace(".ff.up.", ".mlp.up_proj.").replace(".ff.down.", ".mlp.down_proj."));
    }

    private static TransformerConfig config(Path file, JsonObject json) {
        String type = HuggingFaceFolder.string(file, json, "model_type", null);
        if (type == null || !ARCHITECTURES.containsKey(type)) {
            throw new IllegalArgumentException(file + ": model_type '" + type + "' is not one of " + new TreeSet<>(
                    ARCHITECTURES.keySet()) + " (HuggingFaceLlama reads Llama, Qwen2 and Mistral decoders)");
        }
        HuggingFaceFolder.warnUnknown(LOG, file, json, KNOWN);
        HuggingFaceFolder.requireValue(file, json, "hidden_act", "silu", "Llama-family decoders use SiLU");
        HuggingFaceFolder.requireValue(file, json, "pretraining_tp", 1, "tensor-parallel slicing is not implemented");
        HuggingFaceFolder.requireValue(file, json, "mlp_bias", false, "MLP biases are not implemented");
        if (!type.equals("qwen2")) {
            HuggingFaceFolder.requireValue(file, json, "attention_bias", false,
                    "Llama's attention_bias also puts a bias on o_proj, which is not implemented");
        }
        int width = HuggingFaceFolder.integer(file, json, "hidden_size", null);
        int heads = HuggingFaceFolder.integer(file, json, "num_attention_heads", null);
        int context = HuggingFaceFolder.integer(file, json, "max_position_embeddings", 2048);
        context = Math.min(context, slidingWindow(file, json, type, context));
        JsonObject rope = json.has("rope_parameters") && json.get("rope_parameters").isJsonObject()
                ? json.getAsJsonObject("rope_parameters") : null;
        double theta = decimal(file, rope != null && rope.has("rope_theta") ? rope : json, "rope_theta",
                TransformerConfig.DEFAULT_ROPE_THETA);
        JsonObject scaling = rope != null ? rope : json.has("rope_scaling") && json.get("rope_scaling").isJsonObject()
                ? json.getAsJsonObject("rope_scaling") : null;
        try {
            int headSize = HuggingFaceFolder.integer(file, json, "head_dim", width % heads == 0 ? width / heads : null);
            return TransformerConfig.llama(HuggingFaceFolder.integer(file, json, "vocab_size", null), context, width,
                            heads, HuggingFaceFolder.integer(file, json, "num_key_value_heads", heads),
                            HuggingFaceFolder.integer(file, json, "num_hidden_layers", null),
                            HuggingFaceFolder.integer(file, json, "intermediate_size", null), theta,
                            HuggingFaceFolder.number(file, json, "rms_norm_eps", RmsNorm.DEFAULT_EPS))
                    .withHeadSize(headSize)
                    .withRope(theta, ropeScaling(file, scaling))
                    .withQkvBias(type.equals("qwen2") || HuggingFaceFolder.flag(file, json, "attention_bias", false))
                    .withTiedEmbeddings(HuggingFaceFolder.flag(file, json, "tie_word_embeddings", false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The attention window of a Mistral (or a Qwen2 with {@code use_sliding_window}), or
     * {@code context} when attention is not windowed: within the window, windowed attention is full attention.
     */
    private static int slidingWindow(Path file, JsonObject json, String type, int context) {
        boolean windowed = type.equals("mistral") || HuggingFaceFolder.flag(file, json, "use_sliding_window", false);
        if (!windowed || !json.has("sliding_window") || json.get("sliding_window").isJsonNull()) {
            return context;
        }
        int window = HuggingFaceFolder.integer(file, json, "sliding_window", null);
        if (window < context) {
            LOG.info("{}: sliding_window {} is shorter than max_position_embeddings {}; the context is limited to the window",
                    file, window, context);
        }
        return window;
    }

    /** {@code scaling} as transformers writes {@code rope_scaling}, {@code rope_type} {@code llama3}. */
    static JsonObject ropeScalingJson(TransformerConfig.RopeScaling scaling) {
        JsonObject json = new JsonObject();
        json.addProperty("rope_type", "llama3");
        json.addProperty("factor", scaling.factor());
        json.addProperty("low_freq_factor", scaling.lowFreqFactor());
        json.addProperty("high_freq_factor", scaling.highFreqFactor());
        json.addProperty("original_max_position_embeddings", scaling.originalContext());
        return json;
    }

    /** Llama 3's scaling from a {@code rope_scaling} or {@code rope_parameters} object, null for the default rope. */
    static TransformerConfig.RopeScaling ropeScaling(Path file, JsonObject scaling) {
        if (scaling == null) {
            return null;
        }
        String type = HuggingFaceFolder.string(file, scaling, "rope_type", HuggingFaceFolder.string(file, scaling, "type",
                "default"));
        return switch (type) {
            case "default" -> null;
            case "llama3" -> new TransformerConfig.RopeScaling(decimal(file, scaling, "factor", null),
                    decimal(file, scaling, "low_freq_factor", null), decimal(file, scaling, "high_freq_factor", null),
                    HuggingFaceFolder.integer(file, scaling, "original_max_position_embeddings", null));
            default -> throw new IllegalArgumentException(file + ": rope type '" + type + "' is not supported (default,"
                    + " llama3)");
        };
    }

    /** A number field in double precision, or {@code fallback} when absent (a null fallback: required). */
    private static double decimal(Path file, JsonObject json, String field, Double fallback) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
            }
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be a number, found " + e);
        }
        return e.getAsDouble();
    }
}
