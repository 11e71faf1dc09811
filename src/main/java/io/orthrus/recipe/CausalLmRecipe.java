package io.orthrus.recipe;

import io.orthrus.data.TextDataset;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code causal-lm}: a {@link Gpt} reading left to right or right to left ({@code direction}),
 * trained on windows of {@code model.context_length + 1} ids of the corpus (a character
 * tokenizer unless {@code tokenizer.*} says otherwise); exported as a GPT checkpoint.
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
}
