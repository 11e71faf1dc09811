package io.orthrus.recipe;

import io.orthrus.data.TextDataset;
import io.orthrus.model.BiLm;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code bilm}: ELMo's bidirectional language model on LSTMs ({@code model.width} units,
 * {@code model.layers} layers per direction), trained on windows of {@code model.context_length}
 * ids with the forward and backward LM losses.
 */
public final class BiLmRecipe implements Recipe {
    /** The recipe; it holds no state. */
    public BiLmRecipe() {}

    @Override
    public String objective() {
        return "bilm";
    }

    @Override
    public Run<BiLm, IntTensor> build(ConfigFile c, Path base) throws IOException {
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "char");
        int hidden = c.integer("model.width", 128, 1, 65_536);
        int layers = c.integer("model.layers", 2, 1, 100);
        int length = c.integer("model.context_length", 64, 2, 1 << 16);
        TextDataset data = Recipes.dataset(c, in, tokenizer, length);
        BiLm model = new BiLm(tokenizer.vocabSize(), hidden, layers, in.rng().split());
        return Recipes.run(c, model, new BidirectionalLm(), data.trainWindows(length, in.batch(), in.rng().split()),
                data.validationWindows(length, in.batch(), in.rng().split()), tokenizer, data, null);
    }
}
