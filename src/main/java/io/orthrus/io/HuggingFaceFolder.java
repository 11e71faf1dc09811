package io.orthrus.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the Hugging Face model folders share: {@code config.json}, the weights (one
 * {@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}; a pickled
 * {@code pytorch_model.bin} is refused), {@code tokenizer_config.json} and the tokenizer files.
 */
final class HuggingFaceFolder {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private HuggingFaceFolder() {}

    /** {@code config.json} of {@code directory}, which must be a directory. */
    static JsonObject config(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + ": " + (Files.exists(directory) ? "is not a directory"
                    : "no such directory"));
        }
        return JsonFiles.readObject(directory.resolve(CONFIG));
    }

    /** {@code tokenizer_config.json}, or an empty object when the folder has none. */
    static JsonObject tokenizerConfig(Path directory) throws IOException {
        Path file = directory.resolve(TOKENIZER_CONFIG);
        return Files.exists(file) ? JsonFiles.readObject(file) : new JsonObject();
    }

    /**
     * The length limit of {@code tokenizer_config.json}'s {@code model_max_length}, capped at the
     * model's {@code positions}; {@code positions} when the field is absent, null, or transformers'
     * "no limit" (1e30). A value that is not a number is refused naming the file and field.
     */
    static int modelMaxLength(Path directory, int positions) throws IOException {
        JsonObject tokenizerConfig = tokenizerConfig(directory);
        JsonElement declared = tokenizerConfig.get("model_max_length");
        if (declared == null || declared.isJsonNull()) {
            return positions;
        }
        if (declared.isJsonPrimitive() && declared.getAsJsonPrimitive().isNumber() && declared.getAsDouble() > positions) {
            return positions;
        }
        return integer(directory.resolve(TOKENIZER_CONFIG), tokenizerConfig, "model_max_length", null);
    }

    /** The Hugging Face {@code tokenizer.json} of the folder, or null when it has none. */
    static Tokenizer tokenizerJson(Path directory) throws IOException {
        Path file = directory.resolve(TOKENIZER_JSON);
        return Files.exists(file) ? Tokenizers.fromHuggingFace(JsonFiles.regularFile(file)) : null;
    }

    /** The file that names the folder's weights in messages: {@code model.safetensors}, or the shards' index. */
    static Path weightsFile(Path directory) {
        Path single = directory.resolve(WEIGHTS);
        return Files.exists(single) || !Files.exists(directory.resolve(INDEX)) ? single : directory.resolve(INDEX);
    }

    /**
     * Every weight of the folder by name: {@code model.safetensors}, or the union of the shards that
     * {@code model.safetensors.index.json} lists, each checked to hold exactly what the index says.
     */
    static Map<String, Tensor> weights(Path directory) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Map.Entry<Path, TreeSet<String>> file : weightFiles(directory).entrySet()) {
            Map<String, Tensor> tensors = Safetensors.read(file.getKey()).tensors();
            requireListed(directory, file.getKey(), file.getValue(), tensors.keySet());
            all.putAll(tensors);
        }
        return all;
    }

    /**
     * The weights of {@code directory}, opened but not read, to be decoded one tensor at a time into
     * the model's own arrays (no second copy of a large model); the same files and checks as {@link #weights}.
     */
    static OpenedWeights openWeights(Path directory) throws IOException {
        OpenedWeights opened = new OpenedWeights();
        try {
            for (Map.Entry<Path, TreeSet<String>> file : weightFiles(directory).entrySet()) {
                Safetensors.Opened one = Safetensors.open(file.getKey());
                opened.files.add(one);
                requireListed(directory, file.getKey(), file.getValue(), new TreeSet<>(one.names()));
                one.names().forEach(name -> opened.byName.put(name, one));
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Safetensors files opened for reading, and which holds each tensor; close it when done. */
    static final class OpenedWeights implements java.io.Closeable {
        private final java.util.List<Safetensors.Opened> files = new java.util.ArrayList<>();
        private final Map<String, Safetensors.Opened> byName = new LinkedHashMap<>();

        /** Every tensor name, in file order. */
        java.util.Set<String> names() {
            return byName.keySet();
        }

        /** The file holding {@code name}, or null. */
        Safetensors.Opened file(String name) {
            return byName.get(name);
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Safetensors.Opened f : files) {
                try {
                    f.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * The weight files of {@code directory}, each with the tensor names its index lists (null for
     * a single {@code model.safetensors}, which lists nothing); a folder of pickles only is refused.
     */
    private static Map<Path, TreeSet<String>> weightFiles(Path directory) throws IOException {
        Path single = directory.resolve(WEIGHTS), index = directory.resolve(INDEX);
        Map<Path, TreeSet<String>> files = new LinkedHashMap<>();
        if (Files.exists(single)) {
            files.put(single, null);
            return files;
        }
        if (Files.exists(index)) {
            JsonObject json = JsonFiles.readObject(index);
            JsonElement map = json.get("weight_map");
            if (map == null || !map.isJsonObject()) {
                throw new IllegalArgumentException(index + ": 'weight_map' is missing or not an object");
            }
            Map<String, TreeSet<String>> namesByShard = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
                JsonElement shard = e.getValue();
                if (!shard.isJsonPrimitive() || !shard.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException(index + ": the shard of '" + e.getKey() + "' is not a file name: "
                            + shard);
                }
                String file = shard.getAsString();
                if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..") || file.equals(".")) {
                    throw new IllegalArgumentException(index + ": the shard '" + file + "' of '" + e.getKey()
                            + "' is not a file name in the folder");
                }
                namesByShard.computeIfAbsent(file, f -> new TreeSet<>()).add(e.getKey());
            }
            namesByShard.forEach((file, names) -> files.put(directory.resolve(file), names));
            return files;
        }
        for (String pickle : new String[] {"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5",
                "flax_model.msgpack"}) {
            if (Files.exists(directory.resolve(pickle))) {
                throw new IllegalArgumentException(directory + ": the weights are only in " + pickle + ", which Orthrus does"
                        + " not read (a pickle can run code when loaded); convert the folder to safetensors in Python:"
                        + " AutoModel.from_pretrained(DIR).save_pretrained(DIR), or the hub's convert space");
            }
        }
        throw new IllegalArgumentException(directory + ": no " + WEIGHTS + " (nor " + INDEX + ")");
    }

    /** Throws unless a shard holds exactly the tensors its index lists ({@code listed} null: a single file, anything goes). */
    private static void requireListed(Path directory, Path file, TreeSet<String> listed, java.util.Set<String> held) {
        if (listed == null) {
            return;
        }
        TreeSet<String> missing = new TreeSet<>(listed);
        missing.removeAll(held);
        TreeSet<String> extra = new TreeSet<>(held);
        extra.removeAll(listed);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(file + " does not hold what " + INDEX + " says"
                    + (missing.isEmpty() ? "" : ": missing " + missing) + (extra.isEmpty() ? "" : ": not listed " + extra));
        }
    }

    /** A boolean field of {@code json}, or {@code fallback} when absent or null; another type is refused by name. */
    static boolean flag(Path file, JsonObject json, String field, boolean fallback) {
        return JsonFiles.flag(file, json, field, fallback);
    }

    /** A whole-number field, or {@code fallback} when absent or null (a null fallback: the field is required). */
    static int integer(Path file, JsonObject json, String field, Integer fallback) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
            }
            return fallback;
        }
        try {
            if (e.getAsJsonPrimitive().isNumber()) {
                return e.getAsBigDecimal().intValueExact();
            }
        } catch (ArithmeticException | IllegalStateException ex) {
            // reported below
        }
        throw new IllegalArgumentException(file + ": field '" + field + "' must be a whole number within int range, found "
                + e);
    }

    /** A number field, or {@code fallback} when absent or null. */
    static float number(Path file, JsonObject json, String field, float fallback) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be a number, found " + e);
        }
        return e.getAsFloat();
    }

    /** A string field, or {@code fallback} when absent or null. */
    static String string(Path file, JsonObject json, String field, String fallback) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be a string, found " + e);
        }
        return e.getAsString();
    }

    /**
     * Refuses, naming the field and its value, a field that is present with another value than
     * {@code supported} (compared as JSON: {@code false}, {@code 0}, {@code "absolute"}); absent or
     * null is taken as the supported value.
     */
    static void requireValue(Path file, JsonObject json, String field, Object supported, String why) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return;
        }
        JsonElement expected = new com.google.gson.Gson().toJsonTree(supported);
        boolean same = e.isJsonPrimitive() && expected.isJsonPrimitive() && (e.getAsJsonPrimitive().isNumber()
                ? expected.getAsJsonPrimitive().isNumber() && e.getAsBigDecimal().compareTo(expected.getAsBigDecimal()) == 0
                : e.equals(expected));
        if (!same) {
            throw new IllegalArgumentException(file + ": " + field + " = " + e + " is not supported: " + why);
        }
    }

    /** Logs at warning level each field of {@code json} the loader does not know (a newer option is ignored, not guessed). */
    static void warnUnknown(org.slf4j.Logger log, Path file, JsonObject json, java.util.Set<String> known) {
        for (String field : json.keySet()) {
            if (!known.contains(field)) {
                log.warn("{}: field '{}' is not known to Orthrus and was ignored", file, field);
            }
        }
    }
}
