package io.orthrus.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.model.Bert;
import io.orthrus.nn.Activation;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * BERT checkpoints in Hugging Face's {@code BertForMaskedLM} layout: {@code config.json},
 * {@code model.safetensors} and the WordPiece {@code vocab.txt}.
 *
 * <p>Query, key and value ({@code attention.self.query|key|value}) are stacked into Orthrus's one
 * Q/K/V projection; layer norms may be named {@code weight}/{@code bias} or, as in older
 * checkpoints, {@code gamma}/{@code beta}; the MLM bias may be {@code cls.predictions.bias} or
 * {@code cls.predictions.decoder.bias}; the tied {@code cls.predictions.decoder.weight}, the
 * {@code position_ids} buffer and the pooler (used only by next-sentence prediction) are skipped.
 * Anything else unknown is refused, by name.
 */
public final class HuggingFaceBert {
    private HuggingFaceBert() {}

    /** The model in {@code directory} and its tokenizer (from {@code vocab.txt}; null when there is none). */
    public static BertCheckpoint load(Path directory) throws IOException {
        Path configFile = directory.resolve("config.json"), weightsFile = directory.resolve("model.safetensors");
        for (Path required : new Path[] {configFile, weightsFile}) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("HuggingFaceBert: " + required + " does not exist");
            }
        }
        JsonObject json = JsonFiles.readObject(configFile);
        TransformerConfig shape = config(configFile, json);
        Bert model = new Bert(shape, new Rng(0));
        Map<String, Tensor> stored = new LinkedHashMap<>(Safetensors.read(weightsFile).tensors());
        Set<String> unused = new TreeSet<>(stored.keySet());
        for (Map.Entry<String, Parameter> p : model.namedParameters().entrySet()) {
            Tensor value = find(weightsFile, stored, unused, p.getKey(), shape.layers());
            if (!java.util.Arrays.equals(value.shape(), p.getValue().shape())) {
                throw new IllegalArgumentException(weightsFile + ": the weights for " + p.getKey() + " have shape "
                        + java.util.Arrays.toString(value.shape()) + " but config.json implies "
                        + java.util.Arrays.toString(p.getValue().shape()));
            }
            System.arraycopy(value.data(), 0, p.getValue().data(), 0, value.numel());
        }
        unused.removeIf(n -> n.equals("cls.predictions.decoder.weight") || n.startsWith("bert.pooler.")
                || n.equals("cls.predictions.decoder.bias"));
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(weightsFile + ": weights the BertForMaskedLM layout does not have: " + unused);
        }
        Path vocab = directory.resolve("vocab.txt");
        boolean lowerCase = !json.has("do_lower_case") || json.get("do_lower_case").getAsBoolean();
        WordPiece tokenizer = Files.isRegularFile(vocab) ? WordPiece.load(vocab, lowerCase) : null;
        if (tokenizer != null && tokenizer.vocabSize() != shape.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceBert: " + vocab + " has " + tokenizer.vocabSize()
                    + " tokens but config.json says vocab_size " + shape.vocabSize());
        }
        return new BertCheckpoint(model, tokenizer);
    }

    /**
     * Writes {@code model} in the {@code BertForMaskedLM} layout (layer norms as weight/bias, the
     * decoder weight omitted as tied), with {@code tokenizer}'s {@code vocab.txt} when given;
     * atomically. The model must be BERT-shaped: post-norm, learned positions.
     */
    public static void save(Path directory, Bert model, WordPiece tokenizer) throws IOException {
        TransformerConfig c = model.config();
        if (c.norm() != TransformerConfig.NormPlacement.POST || c.positions() != TransformerConfig.PositionalEncoding.LEARNED
                || !c.bias()) {
            throw new IllegalArgumentException("HuggingFaceBert.save: BERT's layout needs post-norm, learned positions and"
                    + " biases; this model has " + c.norm() + ", " + c.positions() + ", bias " + c.bias());
        }
        String act = switch (c.activation()) {
            case GELU_EXACT -> "gelu";
            case GELU -> "gelu_new";
            case RELU -> "relu";
            default -> throw new IllegalArgumentException("HuggingFaceBert.save: BERT has no activation " + c.activation());
        };
        if (tokenizer != null && tokenizer.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceBert.save: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + c.vocabSize());
        }
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "bert");
        config.add("architectures", JsonParser.parseString("[\"BertForMaskedLM\"]"));
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("hidden_size", c.width());
        config.addProperty("num_hidden_layers", c.layers());
        config.addProperty("num_attention_heads", c.heads());
        config.addProperty("intermediate_size", c.feedForwardWidth());
        config.addProperty("hidden_act", act);
        config.addProperty("hidden_dropout_prob", c.dropout());
        config.addProperty("attention_probs_dropout_prob", c.dropout());
        config.addProperty("max_position_embeddings", c.contextLength());
        config.addProperty("type_vocab_size", Bert.SEGMENTS);
        config.addProperty("layer_norm_eps", c.layerNormEps());
        config.addProperty("position_embedding_type", "absolute");
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Parameter> params = model.namedParameters();
        String e = "bert.embeddings.";
        weights.put(e + "word_embeddings.weight", params.get("wte.weight"));
        weights.put(e + "position_embeddings.weight", params.get("wpe.weight"));
        weights.put(e + "token_type_embeddings.weight", params.get("wse.weight"));
        weights.put(e + "LayerNorm.weight", params.get("lnE.weight"));
        weights.put(e + "LayerNorm.bias", params.get("lnE.bias"));
        int width = c.width();
        for (int i = 0; i < c.layers(); i++) {
            String o = "stack.blocks." + i + ".", h = "bert.encoder.layer." + i + ".";
            Tensor qkvW = params.get(o + "attn.qkv.weight").detach(), qkvB = params.get(o + "attn.qkv.bias").detach();
            String[] parts = {"query", "key", "value"};
            for (int k = 0; k < 3; k++) {
                weights.put(h + "attention.self." + parts[k] + ".weight", qkvW.narrow(0, k * width, width));
                weights.put(h + "attention.self." + parts[k] + ".bias", qkvB.narrow(0, k * width, width));
            }
            weights.put(h + "attention.output.dense.weight", params.get(o + "attn.proj.weight"));
            weights.put(h + "attention.output.dense.bias", params.get(o + "attn.proj.bias"));
            weights.put(h + "attention.output.LayerNorm.weight", params.get(o + "ln1.weight"));
            weights.put(h + "attention.output.LayerNorm.bias", params.get(o + "ln1.bias"));
            weights.put(h + "intermediate.dense.weight", params.get(o + "ff.up.weight"));
            weights.put(h + "intermediate.dense.bias", params.get(o + "ff.up.bias"));
            weights.put(h + "output.dense.weight", params.get(o + "ff.down.weight"));
            weights.put(h + "output.dense.bias", params.get(o + "ff.down.bias"));
            weights.put(h + "output.LayerNorm.weight", params.get(o + "ln2.weight"));
            weights.put(h + "output.LayerNorm.bias", params.get(o + "ln2.bias"));
        }
        String p = "cls.predictions.";
        weights.put(p + "transform.dense.weight", params.get("mlmDense.weight"));
        weights.put(p + "transform.dense.bias", params.get("mlmDense.bias"));
        weights.put(p + "transform.LayerNorm.weight", params.get("mlmNorm.weight"));
        weights.put(p + "transform.LayerNorm.bias", params.get("mlmNorm.bias"));
        weights.put(p + "bias", params.get("mlmBias"));
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            if (tokenizer != null) {
                tokenizer.writeVocab(dir.resolve("vocab.txt"));
            }
        });
    }

    /** The stored tensor for Orthrus parameter {@code name}, removing what it uses from {@code unused}. */
    private static Tensor find(Path file, Map<String, Tensor> stored, Set<String> unused, String name, int layers) {
        String e = "bert.embeddings.";
        switch (name) {
            case "wte.weight": return take(file, stored, unused, e + "word_embeddings.weight");
            case "wpe.weight": return take(file, stored, unused, e + "position_embeddings.weight");
            case "wse.weight": return take(file, stored, unused, e + "token_type_embeddings.weight");
            case "lnE.weight": return take(file, stored, unused, e + "LayerNorm.weight", e + "LayerNorm.gamma");
            case "lnE.bias": return take(file, stored, unused, e + "LayerNorm.bias", e + "LayerNorm.beta");
            case "mlmDense.weight": return take(file, stored, unused, "cls.predictions.transform.dense.weight");
            case "mlmDense.bias": return take(file, stored, unused, "cls.predictions.transform.dense.bias");
            case "mlmNorm.weight": return take(file, stored, unused, "cls.predictions.transform.LayerNorm.weight",
                    "cls.predictions.transform.LayerNorm.gamma");
            case "mlmNorm.bias": return take(file, stored, unused, "cls.predictions.transform.LayerNorm.bias",
                    "cls.predictions.transform.LayerNorm.beta");
            case "mlmBias": return take(file, stored, unused, "cls.predictions.bias", "cls.predictions.decoder.bias");
            default: break;
        }
        String prefix = "stack.blocks.";
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException(file + ": no Hugging Face name is known for the model's " + name);
        }
        int dot = name.indexOf('.', prefix.length());
        String layer = "bert.encoder.layer." + name.substring(prefix.length(), dot) + ".";
        String rest = name.substring(dot + 1);
        return switch (rest) {
            case "attn.qkv.weight", "attn.qkv.bias" -> {
                String kind = rest.endsWith("weight") ? "weight" : "bias";
                Tensor q = take(file, stored, unused, layer + "attention.self.query." + kind);
                Tensor k = take(file, stored, unused, layer + "attention.self.key." + kind);
                Tensor v = take(file, stored, unused, layer + "attention.self.value." + kind);
                yield Tensor.concat(0, q, k, v); // rows of Q, then K, then V: Orthrus's packed projection
            }
            case "attn.proj.weight", "attn.proj.bias" -> take(file, stored, unused,
                    layer + "attention.output.dense." + suffix(rest));
            case "ln1.weight", "ln1.bias" -> layerNorm(file, stored, unused, layer + "attention.output.LayerNorm.", rest);
            case "ff.up.weight", "ff.up.bias" -> take(file, stored, unused, layer + "intermediate.dense." + suffix(rest));
            case "ff.down.weight", "ff.down.bias" -> take(file, stored, unused, layer + "output.dense." + suffix(rest));
            case "ln2.weight", "ln2.bias" -> layerNorm(file, stored, unused, layer + "output.LayerNorm.", rest);
            default -> throw new IllegalArgumentException(file + ": no Hugging Face name is known for the model's " + name);
        };
    }

    private static String suffix(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static Tensor layerNorm(Path file, Map<String, Tensor> stored, Set<String> unused, String base, String rest) {
        return rest.endsWith("weight") ? take(file, stored, unused, base + "weight", base + "gamma")
                : take(file, stored, unused, base + "bias", base + "beta");
    }

    /** The first of {@code names} present in the file. */
    private static Tensor take(Path file, Map<String, Tensor> stored, Set<String> unused, String... names) {
        for (String name : names) {
            Tensor t = stored.get(name);
            if (t != null) {
                unused.remove(name);
                return t;
            }
        }
        throw new IllegalArgumentException(file + ": no weight '" + String.join("' or '", names) + "'");
    }

    private static TransformerConfig config(Path file, JsonObject json) {
        if (json.has("model_type") && !json.get("model_type").getAsString().equals("bert")) {
            throw new IllegalArgumentException(file + ": model_type '" + json.get("model_type").getAsString() + "' is not bert");
        }
        String act = json.has("hidden_act") ? json.get("hidden_act").getAsString() : "gelu";
        Activation.Kind kind = switch (act) {
            case "gelu" -> Activation.Kind.GELU_EXACT;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.Kind.GELU;
            case "relu" -> Activation.Kind.RELU;
            default -> throw new IllegalArgumentException(file + ": hidden_act '" + act + "' is not supported");
        };
        if (json.has("type_vocab_size") && json.get("type_vocab_size").getAsInt() != Bert.SEGMENTS) {
            throw new IllegalArgumentException(file + ": type_vocab_size " + json.get("type_vocab_size") + " is not "
                    + Bert.SEGMENTS);
        }
        if (json.has("position_embedding_type") && !json.get("position_embedding_type").getAsString().equals("absolute")) {
            throw new IllegalArgumentException(file + ": position_embedding_type '"
                    + json.get("position_embedding_type").getAsString() + "' is not supported (absolute)");
        }
        float eps = json.has("layer_norm_eps") ? json.get("layer_norm_eps").getAsFloat() : 1e-12f;
        float dropout = json.has("hidden_dropout_prob") ? json.get("hidden_dropout_prob").getAsFloat() : 0.1f;
        try {
            return new TransformerConfig(integer(file, json, "vocab_size"), integer(file, json, "max_position_embeddings"),
                    integer(file, json, "hidden_size"), integer(file, json, "num_attention_heads"),
                    integer(file, json, "num_hidden_layers"), integer(file, json, "intermediate_size"), kind, dropout,
                    TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.POST, true, true, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file, JsonObject json, String field) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
        }
        try {
            return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is not a whole number: " + e);
        }
    }
}
