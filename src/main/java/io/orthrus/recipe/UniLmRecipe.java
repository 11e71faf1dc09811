package io.orthrus.recipe;

import io.orthrus.data.TextDataset;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.objective.MaskedLm;
import io.orthrus.objective.Mixture;
import io.orthrus.objective.PrefixLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code unilm}: one Transformer stack trained on a {@link Mixture} of causal, masked and prefix
 * LM ({@code weights.causal}, {@code weights.masked}, {@code weights.prefix}); the mask is the id
 * after the tokenizer's.
 */
public final class UniLmRecipe implements Recipe {
    /** The recipe; it holds no state. */
    public UniLmRecipe() {}

    @Override
    public String objective() {
        return "unilm";
    }

    @Override
    public Run<Gpt, IntTensor> build(ConfigFile c, Path base) throws IOException {
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "char");
        int v = tokenizer.vocabSize();
        TransformerConfig shape = Recipes.trainableShape(c, v + 1, in.batch()); // the last id is the mask
        TextDataset data = Recipes.dataset(c, in, tokenizer, shape.contextLength());
        Gpt model = new Gpt(shape, in.rng().split());
        MaskedLm masked = new MaskedLm(new MaskedLm.Vocabulary(v + 1, v, id -> id == v, id -> false),
                MaskedLm.Options.bert(in.seed()));
        Mixture<Gpt, IntTensor> mixture = new Mixture<>(List.of(
                Mixture.part(CausalLm.leftToRight(), c.number("weights.causal", 1, 0, 1e6)),
                Mixture.part(masked.onWindows(), c.number("weights.masked", 1, 0, 1e6)),
                Mixture.part(PrefixLm.randomPrefix(in.seed() + 1), c.number("weights.prefix", 1, 0, 1e6))), in.seed() + 2);
        return Recipes.run(c, model, mixture, data.trainWindows(shape.contextLength(), in.batch(), in.rng().split()),
                data.validationWindows(shape.contextLength(), in.batch(), in.rng().split()), tokenizer, data, null);
    }
}
