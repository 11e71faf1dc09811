package io.orthrus.tokenize;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
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
            throw new IllegalArgumentException("Tokenizer JSON is not a JSON object: " + JsonFiles.describe(e),
                    e);
        }
        return fromJson(object);
    }

    /** The tokenizer of Orthrus's JSON form, already parsed. */
    private static Tokenizer fromJson(JsonObject object) {
        if (object.has("model") && !object.has("type")) { // Hugging Face's form: Unigram, SentencePiece BPE, templates
            return HuggingFaceTokenizerJson.read(Path.of("tokenizer JSON"), object);
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
     * {@link ByteLevelBpe}, a WordPiece with BERT's normalizer and pre-tokenizer a {@link WordPiece},
     * a SentencePiece Unigram model a {@link Unigram}; with RoBERTa's post-processor, a BPE or Unigram
     * comes inside a {@link TemplateTokenizer}. Other components are refused by name. {@code encode(text)}
     * adds no special tokens; {@link EncoderTokenizer#encode(String, int)} adds the model's.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        return HuggingFaceTokenizerJson.load(tokenizerJson);
    }

    /**
     * The tokenizer at {@code path}, recognised from what is there: a directory holding GPT-2's
     * {@code encoder.json} + {@code vocab.bpe} or Hugging Face's {@code vocab.json} + {@code merges.txt}
     * (a {@link ByteLevelBpe}), a {@code tokenizer.json} (Hugging Face's, or the format of earlier
     * Orthrus versions), or a BERT {@code vocab.txt} (a lower-casing {@link WordPiece}); or one of
     * those files itself.
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
        return load(path);
    }

    /**
     * Writes {@code tokenizer} to {@code file} atomically, in Hugging Face's {@code tokenizer.json}
     * format, which the {@code tokenizers} library reads with the same ids (see {@link #toHuggingFace}).
     */
    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        AtomicFiles.writeString(file, toHuggingFace(tokenizer));
    }

    /**
     * Hugging Face's {@code tokenizer.json} for a {@link ByteLevelBpe} (as GPT-2's), a
     * {@link WordPiece} (as BERT's, with its {@code [CLS]}/{@code [SEP]} post-processor) or a
     * {@link CharTokenizer} (a BPE without merges over the characters).
     */
    public static String toHuggingFace(Tokenizer tokenizer) {
        return HuggingFaceTokenizerJson.write(tokenizer);
    }

    /**
     * Reads a tokenizer written by {@link #save}: Hugging Face's format, or the format of
     * {@link Tokenizer#toJson()} that earlier versions saved.
     */
    public static Tokenizer load(Path file) throws IOException {
        JsonObject json = JsonFiles.readObject(file);
        try {
            return json.has("model") && !json.has("type") ? HuggingFaceTokenizerJson.read(file, json)
                    : fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": " + e.getMessage(), e);
        }
    }
}
