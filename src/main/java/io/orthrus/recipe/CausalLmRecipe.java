package io.orthrus.recipe;

import io.orthrus.data.TextDataset;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Tokenizer;
import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import io.orthrus.io.HuggingFaceGpt2;
import io.orthrus.io.HuggingFaceLlama;
import io.orthrus.nn.Memory;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code causal-lm}: a {@link Gpt} reading left to right or right to left ({@code direction}),
 * trained on windows of {@code model.context_length + 1} ids of the corpus (a character
 * tokenizer unless {@code tokenizer.*} says otherwise); exported as a GPT checkpoint. With
 * {@code model.init_from}, fine-tunes a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder (or an Orthrus
 * GPT checkpoint) with its own tokenizer and exports it in the same layout.
 */
public final class CausalLmRecipe implements Recipe {
    /** The recipe; it holds no state. */
    public CausalLmRecipe() {}

    @Override
    public String objective() {
        return "causal-lm";
    }

    @Override
    public Run<Gpt, IntTensor> build(ConfigFile c, Path base) throws IOException {
        if (c.has("model.init_from")) {
            return fineTune(c, base);
        }
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "char");
        Direction direction = Recipes.enumChoice(c, "direction", Direction.LEFT_TO_RIGHT);
        TransformerConfig shape = Recipes.trainableShape(c, tokenizer.vocabSize(), in.batch());
        int window = shape.contextLength() + 1;
        TextDataset data = Recipes.dataset(c, in, tokenizer, window);
        Gpt model = new Gpt(shape, direction, in.rng().split());
        return Recipes.run(c, model, direction == Direction.LEFT_TO_RIGHT ? CausalLm.leftToRight() : CausalLm.rightToLeft(),
                data.trainWindows(window, in.batch(), in.rng().split()),
                data.validationWindows(window, in.batch(), in.rng().split()), tokenizer, data,
                dir -> GptCheckpoint.save(dir, model, tokenizer));
    }

    /** Files of a Hugging Face folder that fine-tuning leaves as they are and copies to the exported folder. */
    private static final List<String> KEPT_FILES = List.of("tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", ChatTemplate.JINJA_FILE);

    /**
     * The run that fine-tunes {@code model.init_from}: a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder, or an
     * Orthrus GPT checkpoint, with its own tokenizer, on windows of {@code model.context_length + 1} ids (at most the
     * model's context; 256 by default); exported in the layout it came in.
     */
    private static Run<Gpt, IntTensor> fineTune(ConfigFile c, Path base) throws IOException {
        Path folder = base.resolve(c.string("model.init_from", null));
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw c.error("model.init_from", "names " + folder + ", which is not a model folder (no config.json)");
        }
        for (String fixed : new String[] {"model.preset", "tokenizer.path", "tokenizer.kind", "direction"}) {
            if (c.has(fixed)) {
                throw c.error(fixed, "cannot be set with model.init_from: the model's own is used");
            }
        }
        JsonObject json = JsonFiles.readObject(config);
        String type = json.has("model_type") && json.get("model_type").isJsonPrimitive() ? json.get("model_type").getAsString()
                : "gpt";
        GptCheckpoint read = switch (type) {
            case "llama", "qwen2", "mistral" -> HuggingFaceLlama.load(folder);
            case "gpt2" -> HuggingFaceGpt2.load(folder);
            case "gpt" -> GptCheckpoint.load(folder);
            default -> throw c.error("model.init_from", "holds a model of type '" + type + "'; causal-lm fine-tunes"
                    + " Hugging Face llama, qwen2, mistral and gpt2 folders and Orthrus GPT checkpoints");
        };
        if (read.tokenizer() == null || (type.equals("gpt2") && !(read.tokenizer() instanceof ByteLevelBpe))) {
            throw c.error("model.init_from", "names " + folder + ", which has no tokenizer Orthrus reads"
                    + (type.equals("gpt2") ? " and writes back (GPT-2's byte-level BPE)" : ""));
        }
        Gpt model = read.model();
        model.train();
        Tokenizer tokenizer = read.tokenizer();
        Recipes.Inputs in = Recipes.inputs(c, base);
        int context = c.integer("model.context_length", Math.min(256, model.contextLength()), 2, model.contextLength());
        Memory.require("fine-tuning a model of " + model.parameterCount() + " parameters on batches of " + in.batch()
                + " × " + context + " tokens", model.config().withContextLength(context).trainingBytes(in.batch()));
        TextDataset data = Recipes.dataset(c, in, tokenizer, context + 1);
        CausalLm objective = model.direction() == Direction.LEFT_TO_RIGHT ? CausalLm.leftToRight() : CausalLm.rightToLeft();
        return Recipes.run(c, model, objective, data.trainWindows(context + 1, in.batch(), in.rng().split()),
                data.validationWindows(context + 1, in.batch(), in.rng().split()), tokenizer, data, dir -> {
                    switch (type) {
                        case "llama", "qwen2", "mistral" -> HuggingFaceLlama.save(dir, model, tokenizer);
                        case "gpt2" -> HuggingFaceGpt2.save(dir, model, (ByteLevelBpe) tokenizer);
                        default -> GptCheckpoint.save(dir, model, tokenizer);
                    }
                    for (String name : KEPT_FILES) {
                        if (!type.equals("gpt") && Files.isRegularFile(folder.resolve(name))) {
                            Files.copy(folder.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                });
    }
}
