package io.orthrus.io;

import com.google.gson.JsonObject;
import io.orthrus.model.Bert;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A BERT (with its masked-LM head) saved as a directory in the same layout as
 * {@link GptCheckpoint}: {@code config.json} with {@code "model": "bert"}, {@code tokenizer.json}
 * (a WordPiece tokenizer) and {@code model.safetensors}. Written atomically; loading checks that
 * the weights match the config exactly.
 *
 * @param model     the model
 * @param tokenizer its tokenizer
 */
public record BertCheckpoint(Bert model, WordPiece tokenizer) {
    static final String KIND = "bert";

    /** Writes {@code model} and {@code tokenizer} to {@code directory}, replacing what was there only once complete. */
    public static void save(Path directory, Bert model, WordPiece tokenizer) throws IOException {
        Checkpoints.save(directory, KIND, model, model.vocabSize(), model.config(), new JsonObject(), tokenizer);
    }

    /** Reads a checkpoint written by {@link #save}; the model is in evaluation mode (dropout off). */
    public static BertCheckpoint load(Path directory) throws IOException {
        Checkpoints.Contents contents = Checkpoints.read(directory, KIND);
        Tokenizer tokenizer = contents.tokenizer();
        if (!(tokenizer instanceof WordPiece wordPiece)) {
            throw new IllegalArgumentException(directory + ": a BERT checkpoint needs a WordPiece tokenizer, found "
                    + tokenizer);
        }
        Bert model = new Bert(contents.shape(), new Rng(0)); // initial values are overwritten below
        contents.loadWeights(model);
        model.eval();
        return new BertCheckpoint(model, wordPiece);
    }
}
