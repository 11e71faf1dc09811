package io.orthrus.io;

import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import io.orthrus.model.Gpt;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.ChatTemplate;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A decoder's folder in whichever layout it has, read and written back in that layout: a Hugging Face Llama, Qwen2
 * or Mistral folder ({@link HuggingFaceLlama}), a GPT-2 folder ({@link HuggingFaceGpt2}) or an Orthrus GPT
 * checkpoint ({@link GptCheckpoint}). What fine-tuning and merging an adapter write.
 *
 * @param folder the folder read
 * @param type   {@code llama}, {@code qwen2}, {@code mistral}, {@code gpt2} or {@code gpt} (Orthrus's)
 * @param read   the model and its tokenizer (which every type but {@code gpt} may lack)
 */
public record DecoderFolder(Path folder, String type, GptCheckpoint read) {
    /** Files of a Hugging Face folder that a model's training leaves as they are, copied to the written folder. */
    private static final List<String> KEPT_FILES = List.of("tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", ChatTemplate.JINJA_FILE);

    /**
     * Reads {@code folder}; {@code what} names the folder in errors (an option or a config field).
     *
     * @throws IllegalArgumentException if it is not a decoder folder of a type above, or has no tokenizer Orthrus
     *                                  reads (and, for GPT-2, writes back)
     */
    public static DecoderFolder read(Path folder, String what) throws IOException {
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(what + " names " + folder + ", which is not a model folder (no config.json)");
        }
        JsonObject json = JsonFiles.readObject(config);
        String type = json.has("model_type") && json.get("model_type").isJsonPrimitive()
                ? json.get("model_type").getAsString() : "gpt";
        GptCheckpoint read = switch (type) {
            case "llama", "qwen2", "mistral" -> HuggingFaceLlama.load(folder);
            case "gpt2" -> HuggingFaceGpt2.load(folder);
            case "gpt" -> GptCheckpoint.load(folder);
            default -> throw new IllegalArgumentException(what + " holds a model of type '" + type + "'; Hugging Face"
                    + " llama, qwen2, mistral and gpt2 folders and Orthrus GPT checkpoints are read");
        };
        if (read.tokenizer() == null || (type.equals("gpt2") && !(read.tokenizer() instanceof ByteLevelBpe))) {
            throw new IllegalArgumentException(what + " names " + folder + ", which has no tokenizer Orthrus reads"
                    + (type.equals("gpt2") ? " and writes back (GPT-2's byte-level BPE)" : ""));
        }
        return new DecoderFolder(folder, type, read);
    }

    /**
     * Writes {@code model} with this folder's tokenizer to {@code directory} in this folder's layout, with the
     * Hugging Face files training leaves unchanged ({@code tokenizer_config.json}, {@code generation_config.json},
     * the chat template, …) copied; the directory is written atomically, then those files are copied into it.
     */
    public void save(Path directory, Gpt model) throws IOException {
        Tokenizer tokenizer = read.tokenizer();
        switch (type) {
            case "llama", "qwen2", "mistral" -> HuggingFaceLlama.save(directory, model, tokenizer);
            case "gpt2" -> HuggingFaceGpt2.save(directory, model, (ByteLevelBpe) tokenizer);
            default -> GptCheckpoint.save(directory, model, tokenizer);
        }
        for (String name : KEPT_FILES) {
            if (!type.equals("gpt") && Files.isRegularFile(folder.resolve(name))) {
                Files.copy(folder.resolve(name), directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
