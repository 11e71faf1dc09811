package io.orthrus.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads Hugging Face's single-file {@code tokenizer.json} for the two families Orthrus has: a BPE
 * model with the ByteLevel pre-tokenizer (GPT-2, RoBERTa's tokenizer without its post-processor)
 * becomes a {@link ByteLevelBpe}; a WordPiece model with the BertNormalizer and BertPreTokenizer
 * (BERT) becomes a {@link WordPiece}. Any other component, or an option those classes do not
 * implement, is refused by name. Post-processors (which add [CLS]/[SEP]) and decoders are not
 * needed to encode: Orthrus adds special tokens only when asked.
 */
final class HuggingFaceTokenizerJson {
    private HuggingFaceTokenizerJson() {}

    static Tokenizer load(Path file) throws IOException {
        JsonObject json = io.orthrus.io.JsonFiles.readObject(file);
        JsonObject model = object(file, json, "model");
        String type = model.has("type") ? model.get("type").getAsString() : "";
        return switch (type) {
            case "BPE" -> bpe(file, json, model);
            case "WordPiece" -> wordPiece(file, json, model);
            default -> throw new IllegalArgumentException(file + ": model type '" + type
                    + "' is not supported (BPE with ByteLevel, WordPiece with BertNormalizer)");
        };
    }

    private static ByteLevelBpe bpe(Path file, JsonObject json, JsonObject model) {
        requireNull(file, json, "normalizer");
        JsonObject pre = object(file, json, "pre_tokenizer");
        require(file, "pre_tokenizer.type", pre.get("type"), "ByteLevel");
        require(file, "pre_tokenizer.add_prefix_space", pre.get("add_prefix_space"), false);
        require(file, "pre_tokenizer.use_regex", pre.get("use_regex"), true);
        for (String option : new String[] {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonElement e = model.get(option);
            if (e != null && !e.isJsonNull() && !(e.isJsonPrimitive() && e.getAsString().isEmpty())) {
                throw new IllegalArgumentException(file + ": BPE option model." + option + " = " + e + " is not supported");
            }
        }
        for (String flag : new String[] {"fuse_unk", "byte_fallback", "ignore_merges"}) {
            require(file, "model." + flag, model.has(flag) ? model.get(flag) : null, false);
        }
        Map<String, Integer> vocab = vocabulary(file, model);
        List<String> merges = new ArrayList<>();
        JsonArray array = model.getAsJsonArray("merges");
        if (array == null) {
            throw new IllegalArgumentException(file + ": model.merges is missing");
        }
        for (JsonElement m : array) {
            if (m.isJsonArray() && m.getAsJsonArray().size() == 2) { // newer files: ["left", "right"]
                merges.add(m.getAsJsonArray().get(0).getAsString() + " " + m.getAsJsonArray().get(1).getAsString());
            } else if (m.isJsonPrimitive()) { // older files: "left right"
                merges.add(m.getAsString());
            } else {
                throw new IllegalArgumentException(file + ": merge " + m + " is neither \"left right\" nor [left, right]");
            }
        }
        return ByteLevelBpe.of(vocab, merges, file.toString());
    }

    private static WordPiece wordPiece(Path file, JsonObject json, JsonObject model) {
        JsonObject normalizer = object(file, json, "normalizer");
        require(file, "normalizer.type", normalizer.get("type"), "BertNormalizer");
        require(file, "normalizer.clean_text", normalizer.get("clean_text"), true);
        require(file, "normalizer.handle_chinese_chars", normalizer.get("handle_chinese_chars"), true);
        boolean lowerCase = normalizer.has("lowercase") && normalizer.get("lowercase").getAsBoolean();
        JsonElement strip = normalizer.get("strip_accents");
        boolean stripAccents = strip == null || strip.isJsonNull() ? lowerCase : strip.getAsBoolean(); // null: as lowercase
        require(file, "pre_tokenizer.type", object(file, json, "pre_tokenizer").get("type"), "BertPreTokenizer");
        require(file, "model.unk_token", model.get("unk_token"), WordPiece.UNK);
        require(file, "model.continuing_subword_prefix", model.get("continuing_subword_prefix"), WordPiece.CONTINUATION);
        if (model.has("max_input_chars_per_word")) {
            require(file, "model.max_input_chars_per_word", model.get("max_input_chars_per_word"), WordPiece.MAX_WORD_CHARS);
        }
        Map<String, Integer> vocab = vocabulary(file, model);
        String[] byId = new String[vocab.size()];
        vocab.forEach((token, id) -> {
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IllegalArgumentException(file + ": token ids must be 0.." + (byId.length - 1)
                        + " with no repeats; '" + token + "' has id " + id);
            }
            byId[id] = token;
        });
        try {
            return WordPiece.of(List.of(byId), lowerCase, stripAccents);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> vocabulary(Path file, JsonObject model) {
        JsonObject vocab = object(file, model, "vocab");
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(file + ": the id of '" + e.getKey() + "' is not a number");
            }
            out.put(e.getKey(), e.getValue().getAsInt());
        }
        return out;
    }

    private static JsonObject object(Path file, JsonObject parent, String field) {
        JsonElement e = parent.get(field);
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(file + ": '" + field + "' is missing or not an object");
        }
        return e.getAsJsonObject();
    }

    private static void requireNull(Path file, JsonObject json, String field) {
        JsonElement e = json.get(field);
        if (e != null && !e.isJsonNull()) {
            throw new IllegalArgumentException(file + ": " + field + " " + e + " is not supported with a byte-level BPE");
        }
    }

    private static void require(Path file, String field, JsonElement actual, Object expected) {
        Object value = actual == null || actual.isJsonNull() ? null
                : expected instanceof Boolean ? (Object) actual.getAsBoolean()
                : expected instanceof Integer ? (Object) actual.getAsInt() : actual.getAsString();
        if (!Objects.equals(value, expected) && !(value == null && Boolean.FALSE.equals(expected))) {
            throw new IllegalArgumentException(file + ": " + field + " = " + actual + " is not supported (Orthrus reads "
                    + expected + ")");
        }
    }
}
