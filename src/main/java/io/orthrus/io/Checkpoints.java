package io.orthrus.io;

import com.google.gson.JsonObject;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.nn.Activation;
import io.orthrus.nn.LayerNorm;
import io.orthrus.nn.Lora;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The checkpoint directory layout that every model shares: {@code config.json} (the model kind,
 * the format version and the {@link TransformerConfig} fields, plus whatever the model adds),
 * {@code tokenizer.json} and {@code model.safetensors} (weights by dotted parameter name). The
 * directory is written to a temporary sibling and renamed into place, so a crash never leaves a
 * partial checkpoint; loading checks that the weights match the config exactly.
 */
final class Checkpoints {
    /** Version of the directory layout and config fields; bumped on incompatible changes. */
    static final int FORMAT_VERSION = 1;
    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String WEIGHTS = "model.safetensors";

    private Checkpoints() {}

    /** A loaded directory: its config JSON and tokenizer, before the model is built. */
    record Contents(Path directory, JsonObject config, TransformerConfig shape, Tokenizer tokenizer) {
        /** Reads an extra config field with {@code reader}, naming the file and field on failure. */
        <T> T field(String name, Function<JsonObject, T> reader) {
            try {
                return reader.apply(config);
            } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
                throw new IllegalArgumentException(directory.resolve(CONFIG) + ": field '" + name
                        + "' is missing or has the wrong type (" + e + ")", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(directory.resolve(CONFIG) + ": " + e.getMessage(), e);
            }
        }

        /** Copies the weights file into {@code model}'s parameters, which must match it name for name and shape for shape. */
        void loadWeights(Module model) throws IOException {
            Path weightsFile = directory.resolve(WEIGHTS);
            copyWeights(weightsFile, model.namedParameters(), Safetensors.read(weightsFile).tensors());
        }
    }

    static void save(Path directory, String kind, Module model, int modelVocab, TransformerConfig shape,
                     JsonObject extra, Tokenizer tokenizer) throws IOException {
        if (tokenizer.vocabSize() != modelVocab) {
            throw new IllegalArgumentException("Checkpoint.save: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's vocabulary has " + modelVocab);
        }
        JsonObject config = configJson(kind, shape);
        extra.entrySet().forEach(e -> config.add(e.getKey(), e.getValue()));
        Map<String, Parameter> weights = Lora.baseParameters(model);
        Weights.requireFinite("Checkpoint.save " + directory, weights, Weights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve(CONFIG), config.toString(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(TOKENIZER), Tokenizers.toHuggingFace(tokenizer), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve(WEIGHTS), weights, Map.of("format", "orthrus", "model", kind));
        });
    }

    static Contents read(Path directory, String kind) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("Checkpoint: " + directory + " is not a checkpoint directory");
        }
        Path configFile = directory.resolve(CONFIG);
        JsonObject json = JsonFiles.readObject(configFile);
        String found = json.has("model") && json.get("model").isJsonPrimitive() ? json.get("model").getAsString() : kind;
        if (!found.equals(kind)) {
            throw new IllegalArgumentException(configFile + " holds a '" + found + "' model, not a '" + kind
                    + "'; load it with the matching checkpoint class");
        }
        TransformerConfig shape;
        try {
            int version = json.get("format_version").getAsInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("format_version " + version + " is not supported (this library reads "
                        + FORMAT_VERSION + ")");
            }
            shape = new TransformerConfig(json.get("vocab_size").getAsInt(), json.get("context_length").getAsInt(),
                    json.get("width").getAsInt(), json.get("heads").getAsInt(), json.get("layers").getAsInt(),
                    json.get("feed_forward_width").getAsInt(), enumValue(Activation.Kind.class, json, "activation"),
                    json.get("dropout").getAsFloat(), enumValue(TransformerConfig.PositionalEncoding.class, json, "positions"),
                    enumValue(TransformerConfig.NormPlacement.class, json, "norm"), json.get("bias").getAsBoolean(),
                    json.get("tied_embeddings").getAsBoolean(),
                    json.has("layer_norm_eps") ? json.get("layer_norm_eps").getAsFloat() : LayerNorm.DEFAULT_EPS);
            shape = withBlockOptions(configFile, shape, json);
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException(configFile + ": a field is missing or has the wrong type (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
        }
        Tokenizer tokenizer = Tokenizers.load(directory.resolve(TOKENIZER));
        if (tokenizer.vocabSize() != shape.vocabSize()) {
            throw new IllegalArgumentException(directory + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but config.json says vocab_size " + shape.vocabSize());
        }
        return new Contents(directory, json, shape, tokenizer);
    }

    private static void copyWeights(Path file, Map<String, Parameter> expected, Map<String, Tensor> found) {
        Weights.requireMatch(file, expected, found, "config.json");
        Weights.requireFinite(file.toString(), found, Weights.ON_LOAD);
        expected.forEach((name, p) -> System.arraycopy(found.get(name).data(), 0, p.data(), 0, p.numel()));
    }

    private static JsonObject configJson(String kind, TransformerConfig c) {
        JsonObject json = new JsonObject();
        json.addProperty("model", kind);
        json.addProperty("format_version", FORMAT_VERSION);
        json.addProperty("vocab_size", c.vocabSize());
        json.addProperty("context_length", c.contextLength());
        json.addProperty("width", c.width());
        json.addProperty("heads", c.heads());
        json.addProperty("layers", c.layers());
        json.addProperty("feed_forward_width", c.feedForwardWidth());
        json.addProperty("activation", c.activation().name().toLowerCase(Locale.ROOT));
        json.addProperty("dropout", c.dropout());
        json.addProperty("positions", c.positions().name().toLowerCase(Locale.ROOT));
        json.addProperty("norm", c.norm().name().toLowerCase(Locale.ROOT));
        json.addProperty("bias", c.bias());
        json.addProperty("tied_embeddings", c.tiedEmbeddings());
        json.addProperty("layer_norm_eps", c.layerNormEps());
        json.addProperty("normalization", c.normalization().name().toLowerCase(Locale.ROOT));
        json.addProperty("gated_feed_forward", c.gatedFeedForward());
        json.addProperty("kv_heads", c.kvHeads());
        json.addProperty("head_size", c.headSize());
        json.addProperty("rope_theta", c.ropeTheta());
        if (c.ropeScaling() != null) {
            json.add("rope_scaling", HuggingFaceLlama.ropeScalingJson(c.ropeScaling())); // as transformers writes it
        }
        json.addProperty("qkv_bias", c.qkvBias());
        return json;
    }

    /** The block options of {@code json} on {@code shape}; checkpoints written before they existed have none of them. */
    private static TransformerConfig withBlockOptions(Path file, TransformerConfig shape, JsonObject json) {
        if (json.has("normalization")) {
            shape = shape.withNormalization(enumValue(TransformerConfig.Normalization.class, json, "normalization"));
        }
        if (json.has("gated_feed_forward")) {
            shape = shape.withGatedFeedForward(json.get("gated_feed_forward").getAsBoolean());
        }
        if (json.has("head_size")) {
            shape = shape.withHeadSize(json.get("head_size").getAsInt());
        }
        if (json.has("kv_heads")) {
            shape = shape.withKeyValueHeads(json.get("kv_heads").getAsInt());
        }
        TransformerConfig.RopeScaling scaling = json.has("rope_scaling") && json.get("rope_scaling").isJsonObject()
                ? HuggingFaceLlama.ropeScaling(file, json.getAsJsonObject("rope_scaling")) : null;
        double theta = json.has("rope_theta") ? json.get("rope_theta").getAsDouble() : TransformerConfig.DEFAULT_ROPE_THETA;
        shape = shape.withRope(theta, scaling);
        return json.has("qkv_bias") ? shape.withQkvBias(json.get("qkv_bias").getAsBoolean()) : shape;
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, JsonObject json, String field) {
        String value = json.get(field).getAsString();
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "' has unknown value '" + value + "' (known: "
                    + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ")", e);
        }
    }
}
