package io.orthrus.tokenize;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Saving and loading tokenizers as JSON files whose {@code "type"} says which tokenizer they hold. */
public final class Tokenizers {
    private Tokenizers() {}

    /** Rebuilds a tokenizer from {@link Tokenizer#toJson()}. */
    public static Tokenizer fromJson(String json) {
        JsonObject object;
        try {
            object = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("Tokenizer JSON is not a JSON object: " + e.getMessage(), e);
        }
        String type = object.has("type") ? object.get("type").getAsString() : "";
        if (type.equals(CharTokenizer.TYPE)) {
            return CharTokenizer.fromJson(object);
        }
        if (type.equals(WordPiece.TYPE)) {
            return WordPiece.fromJson(object);
        }
        if (type.equals(ByteLevelBpe.TYPE)) {
            return ByteLevelBpe.fromJson(object);
        }
        throw new IllegalArgumentException("Tokenizer JSON: unknown type '" + type + "' (known: " + CharTokenizer.TYPE
                + ", " + WordPiece.TYPE + ", " + ByteLevelBpe.TYPE + ")");
    }

    /**
     * Reads Hugging Face's {@code tokenizer.json}: a byte-level BPE (GPT-2's configuration) becomes a
     * {@link ByteLevelBpe}, a WordPiece with BERT's normalizer and pre-tokenizer a {@link WordPiece};
     * other components are refused by name. No special tokens are added when encoding.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        return HuggingFaceTokenizerJson.load(tokenizerJson);
    }

    /**
     * The tokenizer at {@code path}, recognised from what is there: a directory holding GPT-2's
     * {@code encoder.json} + {@code vocab.bpe} or Hugging Face's {@code vocab.json} + {@code merges.txt}
     * (a {@link ByteLevelBpe}), a {@code tokenizer.json} (Orthrus's or Hugging Face's), or a BERT
     * {@code vocab.txt} (a lower-casing {@link WordPiece}); or one of those files itself.
     */
    public static Tokenizer open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if ((Files.isRegularFile(path.resolve("encoder.json")) && Files.isRegularFile(path.resolve("vocab.bpe")))
                    || (Files.isRegularFile(path.resolve("vocab.json")) && Files.isRegularFile(path.resolve("merges.txt")))) {
                return ByteLevelBpe.load(path);
            }
            for (String name : new String[] {"tokenizer.json", "vocab.txt"}) {
                if (Files.isRegularFile(path.resolve(name))) {
                    return open(path.resolve(name));
                }
            }
            throw new IllegalArgumentException(path + ": no tokenizer files (encoder.json + vocab.bpe, vocab.json + merges.txt,"
                    + " tokenizer.json or vocab.txt)");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file or directory");
        }
        if (path.getFileName().toString().endsWith(".txt")) {
            return WordPiece.load(path, true);
        }
        JsonObject json = io.orthrus.io.JsonFiles.readObject(path);
        return json.has("model") && !json.has("type") ? fromHuggingFace(path) : load(path);
    }

    /** Writes {@code tokenizer} to {@code file} atomically. */
    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        AtomicFiles.writeString(file, tokenizer.toJson());
    }

    /** Reads a tokenizer written by {@link #save}. */
    public static Tokenizer load(Path file) throws IOException {
        try {
            return fromJson(Files.readString(io.orthrus.io.JsonFiles.regularFile(file), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
