package io.orthrus.recipe;

import io.orthrus.data.TextDataset;
import io.orthrus.io.DecoderFolder;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.io.PeftAdapter;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Lora;
import io.orthrus.nn.LoraConfig;
import io.orthrus.nn.Memory;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code causal-lm}: a {@link Gpt} reading left to right or right to left ({@code direction}),
 * trained on windows of {@code model.context_length + 1} ids of the corpus (a character
 * tokenizer unless {@code tokenizer.*} says otherwise); exported as a GPT checkpoint. With
 * {@code model.init_from}, fine-tunes a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder (or an Orthrus
 * GPT checkpoint) with its own tokenizer and exports it in the same layout; with {@code lora.rank} as well,
 * trains a LoRA adapter on the frozen model instead and exports the adapter in PEFT's layout.
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
        if (c.has("lora.rank")) {
            throw c.error("lora.rank", "needs model.init_from: LoRA adapts a trained model");
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

    /**
     * The LoRA adapter {@code lora.*} asks for on {@code model}, attached (the model frozen), or null without
     * {@code lora.rank}: {@code lora.alpha} (2·rank), {@code lora.dropout} (0), {@code lora.rslora} (false),
     * {@code lora.targets} (comma-separated layer names; every linear layer of the blocks).
     */
    private static Lora lora(ConfigFile c, Gpt model) {
        if (!c.has("lora.rank")) {
            return null;
        }
        int rank = c.integer("lora.rank", 8, 1, 1 << 16);
        String targets = c.string("lora.targets", "");
        LoraConfig config = new LoraConfig(rank, c.number("lora.alpha", 2.0 * rank, 1e-9, 1e9),
                c.number("lora.dropout", 0, 0, 0.99), c.bool("lora.rslora", false),
                targets.isBlank() ? List.of() : Arrays.stream(targets.split(",")).map(String::strip).toList());
        try {
            Lora lora = Lora.attach(model, config, new Rng(c.longValue("seed", 1)).split());
            PeftAdapter.requireWritable(model, lora, Lora.DEFAULT); // exported in PEFT's layout: refused now, not then
            return lora;
        } catch (IllegalArgumentException e) {
            throw c.error("lora.targets", e.getMessage());
        }
    }

    /**
     * The run that fine-tunes {@code model.init_from}: a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder, or an
     * Orthrus GPT checkpoint, with its own tokenizer, on windows of {@code model.context_length + 1} ids (at most the
     * model's context; 256 by default); exported in the layout it came in.
     */
    private static Run<Gpt, IntTensor> fineTune(ConfigFile c, Path base) throws IOException {
        Path folder = base.resolve(c.string("model.init_from", null));
        for (String fixed : new String[] {"model.preset", "tokenizer.path", "tokenizer.kind", "direction"}) {
            if (c.has(fixed)) {
                throw c.error(fixed, "cannot be set with model.init_from: the model's own is used");
            }
        }
        DecoderFolder source;
        try {
            source = DecoderFolder.read(folder, "model.init_from");
        } catch (IllegalArgumentException e) {
            throw c.error("model.init_from", e.getMessage().substring("model.init_from ".length()));
        }
        GptCheckpoint read = source.read();
        Gpt model = read.model();
        model.train();
        Lora lora = lora(c, model);
        Tokenizer tokenizer = read.tokenizer();
        Recipes.Inputs in = Recipes.inputs(c, base);
        int context = c.integer("model.context_length", Math.min(256, model.contextLength()), 2, model.contextLength());
        Memory.require("fine-tuning a model of " + model.parameterCount() + " parameters on batches of " + in.batch()
                + " × " + context + " tokens", model.config().withContextLength(context).trainingBytes(in.batch()));
        TextDataset data = Recipes.dataset(c, in, tokenizer, context + 1);
        CausalLm objective = model.direction() == Direction.LEFT_TO_RIGHT ? CausalLm.leftToRight() : CausalLm.rightToLeft();
        return Recipes.run(c, model, objective, data.trainWindows(context + 1, in.batch(), in.rng().split()),
                data.validationWindows(context + 1, in.batch(), in.rng().split()), tokenizer, data, dir -> {
                    if (lora != null) { // the adapter alone, in PEFT's layout, naming its base
                        PeftAdapter.save(dir, model, lora, Lora.DEFAULT, folder.toAbsolutePath().toString());
                        return;
                    }
                    source.save(dir, model);
                });
    }
}
