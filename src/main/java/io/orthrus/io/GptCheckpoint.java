package io.orthrus.io;

import com.google.gson.JsonObject;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A GPT saved as a directory: {@code config.json} (the shape, the direction, the format version),
 * {@code tokenizer.json} and {@code model.safetensors} (weights by their dotted parameter names).
 * The directory is written to a temporary sibling and renamed into place, so a crash never
 * leaves a partial checkpoint; loading checks that the weights match the config exactly.
 *
 * @param model     the model
 * @param tokenizer its tokenizer
 */
public record GptCheckpoint(Gpt model, Tokenizer tokenizer) {
    /** Version of the directory layout and config fields; bumped on incompatible changes. */
    public static final int FORMAT_VERSION = Checkpoints.FORMAT_VERSION;
    static final String KIND = "gpt";

    /** Writes {@code model} and {@code tokenizer} to {@code directory}, replacing what was there only once complete. */
    public static void save(Path directory, Gpt model, Tokenizer tokenizer) throws IOException {
        JsonObject extra = new JsonObject();
        extra.addProperty("direction", model.direction().name().toLowerCase(Locale.ROOT));
        Checkpoints.save(directory, KIND, model, model.vocabSize(), model.config(), extra, tokenizer);
    }

    /** Reads a checkpoint written by {@link #save}; the model is in evaluation mode (dropout off). */
    public static GptCheckpoint load(Path directory) throws IOException {
        Checkpoints.Contents contents = Checkpoints.read(directory, KIND);
        Direction direction = contents.field("direction", json -> Checkpoints.enumValue(Direction.class, json, "direction"));
        Gpt model = new Gpt(contents.shape(), direction, new Rng(0)); // initial values are overwritten below
        contents.loadWeights(model);
        model.eval();
        return new GptCheckpoint(model, contents.tokenizer());
    }
}
