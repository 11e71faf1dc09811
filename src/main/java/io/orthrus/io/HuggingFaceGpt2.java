package io.orthrus.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Activation;
import io.orthrus.nn.LayerNorm;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.ByteLevelBpe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * GPT-2 checkpoints in Hugging Face's layout ({@code GPT2LMHeadModel}): {@code config.json},
 * {@code model.safetensors}, and the tokenizer's {@code vocab.json} + {@code merges.txt}.
 *
 * <p>Loading accepts weight names with or without the {@code transformer.} prefix, transposes the
 * {@code Conv1D} weights (stored {@code [in, out]}, where a {@code Linear} stores {@code [out, in]}),
 * skips the causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) and a tied
 * {@code lm_head.weight}, and refuses anything else it does not know, naming it. Saving writes the
 * same layout, so that the model can go back to Python.
 */
public final class HuggingFaceGpt2 {
    private static final String PREFIX = "transformer.";

    private HuggingFaceGpt2() {}

    /** The model in {@code directory} and its tokenizer (null when the directory holds no tokenizer files). */
    public static GptCheckpoint load(Path directory) throws IOException {
        Path configFile = directory.resolve("config.json"), weightsFile = directory.resolve("model.safetensors");
        for (Path required : new Path[] {configFile, weightsFile}) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("HuggingFaceGpt2: " + required + " does not exist");
            }
        }
        TransformerConfig shape = config(configFile);
        Gpt model = new Gpt(shape, new Rng(0));
        Map<String, Tensor> stored = new LinkedHashMap<>();
        Safetensors.read(weightsFile).tensors().forEach((name, t) ->
                stored.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, t));
        Map<String, Parameter> parameters = model.namedParameters();
        Set<String> unused = new TreeSet<>(stored.keySet());
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            String hfName = hfName(p.getKey());
            Tensor t = stored.get(hfName);
            if (t == null) {
                throw new IllegalArgumentException(weightsFile + ": no weight '" + hfName + "' (with or without '" + PREFIX
                        + "') for the model's " + p.getKey());
            }
            unused.remove(hfName);
            Tensor value = isConv1D(hfName) ? t.transpose(0, 1) : t;
            if (!java.util.Arrays.equals(value.shape(), p.getValue().shape())) {
                throw new IllegalArgumentException(weightsFile + ": '" + hfName + "' has shape "
                        + java.util.Arrays.toString(t.shape()) + " but config.json implies "
                        + java.util.Arrays.toString(isConv1D(hfName) ? new int[] {p.getValue().size(1), p.getValue().size(0)}
                        : p.getValue().shape()));
            }
            System.arraycopy(value.data(), 0, p.getValue().data(), 0, value.numel());
        }
        unused.removeIf(name -> name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")
                || (shape.tiedEmbeddings() && name.equals("lm_head.weight")));
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(weightsFile + ": weights the GPT-2 layout does not have: " + unused);
        }
        boolean hasTokenizer = (Files.isRegularFile(directory.resolve("vocab.json"))
                && Files.isRegularFile(directory.resolve("merges.txt")))
                || (Files.isRegularFile(directory.resolve("encoder.json")) && Files.isRegularFile(directory.resolve("vocab.bpe")));
        ByteLevelBpe tokenizer = hasTokenizer ? ByteLevelBpe.load(directory) : null;
        if (tokenizer != null && tokenizer.vocabSize() != shape.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceGpt2: the tokenizer in " + directory + " has "
                    + tokenizer.vocabSize() + " tokens but config.json says vocab_size " + shape.vocabSize());
        }
        return new GptCheckpoint(model, tokenizer);
    }

    /**
     * Writes {@code model} in Hugging Face's GPT-2 layout, atomically; the tokenizer files too
     * when {@code tokenizer} is given. The model must have GPT-2's architecture: learned positions,
     * pre-norm, biases, tied embeddings, GELU, left to right.
     */
    public static void save(Path directory, Gpt model, ByteLevelBpe tokenizer) throws IOException {
        TransformerConfig c = model.config();
        String activation = switch (c.activation()) {
            case GELU -> "gelu_new";
            case GELU_EXACT -> "gelu";
            case RELU -> "relu";
            default -> throw new IllegalArgumentException("HuggingFaceGpt2.save: GPT-2 has no activation " + c.activation());
        };
        if (c.positions() != TransformerConfig.PositionalEncoding.LEARNED || c.norm() != TransformerConfig.NormPlacement.PRE
                || !c.bias() || !c.tiedEmbeddings() || model.direction() != Direction.LEFT_TO_RIGHT) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: GPT-2's layout needs learned positions, pre-norm,"
                    + " biases, tied embeddings and left to right; this model has " + c.positions() + ", " + c.norm()
                    + ", bias " + c.bias() + ", tied " + c.tiedEmbeddings() + ", " + model.direction());
        }
        if (tokenizer != null && tokenizer.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + c.vocabSize());
        }
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "gpt2");
        config.add("architectures", JsonParser.parseString("[\"GPT2LMHeadModel\"]"));
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("n_positions", c.contextLength());
        config.addProperty("n_ctx", c.contextLength());
        config.addProperty("n_embd", c.width());
        config.addProperty("n_layer", c.layers());
        config.addProperty("n_head", c.heads());
        config.addProperty("n_inner", c.feedForwardWidth());
        config.addProperty("activation_function", activation);
        config.addProperty("layer_norm_epsilon", c.layerNormEps());
        for (String dropout : new String[] {"resid_pdrop", "embd_pdrop", "attn_pdrop"}) {
            config.addProperty(dropout, c.dropout());
        }
        config.addProperty("tie_word_embeddings", true);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
            String hfName = hfName(name);
            weights.put(PREFIX + hfName, isConv1D(hfName) ? p.detach().transpose(0, 1) : p);
        });
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            if (tokenizer != null) {
                tokenizer.saveHuggingFace(dir);
            }
        });
    }

    /** The Hugging Face name (without the "transformer." prefix) of an Orthrus GPT parameter. */
    static String hfName(String name) {
        String n = name.replace("stack.blocks.", "h.").replace("stack.lnF.", "ln_f.")
                .replace(".ln1.", ".ln_1.").replace(".ln2.", ".ln_2.")
                .replace(".attn.qkv.", ".attn.c_attn.").replace(".attn.proj.", ".attn.c_proj.")
                .replace(".ff.up.", ".mlp.c_fc.").replace(".ff.down.", ".mlp.c_proj.");
        return n;
    }

    private static boolean isConv1D(String hfName) {
        return hfName.endsWith(".weight") && (hfName.contains(".attn.c_") || hfName.contains(".mlp.c_"));
    }

    private static TransformerConfig config(Path file) throws IOException {
        JsonObject json = JsonFiles.readObject(file);
        if (json.has("model_type") && !json.get("model_type").getAsString().equals("gpt2")) {
            throw new IllegalArgumentException(file + ": model_type '" + json.get("model_type").getAsString()
                    + "' is not gpt2");
        }
        int width = integer(file, json, "n_embd", null);
        int context = integer(file, json, "n_positions", json.has("n_ctx") ? integer(file, json, "n_ctx", null) : null);
        Integer inner = json.has("n_inner") && !json.get("n_inner").isJsonNull() ? integer(file, json, "n_inner", null) : null;
        String activation = json.has("activation_function") ? json.get("activation_function").getAsString() : "gelu_new";
        Activation.Kind kind = switch (activation) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.Kind.GELU;
            case "gelu" -> Activation.Kind.GELU_EXACT;
            case "relu" -> Activation.Kind.RELU;
            default -> throw new IllegalArgumentException(file + ": activation_function '" + activation
                    + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu)");
        };
        float eps = json.has("layer_norm_epsilon") ? json.get("layer_norm_epsilon").getAsFloat() : LayerNorm.DEFAULT_EPS;
        boolean tied = !json.has("tie_word_embeddings") || json.get("tie_word_embeddings").getAsBoolean();
        if (!tied) {
            throw new IllegalArgumentException(file + ": tie_word_embeddings false is not supported; GPT-2 ties its head");
        }
        float dropout = json.has("resid_pdrop") ? json.get("resid_pdrop").getAsFloat() : 0.1f;
        try {
            return new TransformerConfig(integer(file, json, "vocab_size", null), context, width,
                    integer(file, json, "n_head", null), integer(file, json, "n_layer", null),
                    inner == null ? 4 * width : inner, kind, dropout, TransformerConfig.PositionalEncoding.LEARNED,
                    TransformerConfig.NormPlacement.PRE, true, true, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file, JsonObject json, String field, Integer fallback) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            if (fallback != null) {
                return fallback;
            }
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
        }
        try {
            return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is not a whole number: " + e);
        }
    }
}
