package io.orthrus.recipe;

import io.orthrus.data.SpecialTokens;
import io.orthrus.data.TextDataset;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Denoising;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code denoising}: an {@link EncoderDecoder} pre-trained to restore corrupted windows, with
 * BART's text infilling ({@code noise: infilling}) or T5's span corruption with 32 sentinels
 * ({@code span-corruption}); the special tokens and the mask come after the tokenizer's ids.
 */
public final class DenoisingRecipe implements Recipe {
    private static final int SENTINELS = 32;

    /** The recipe; it holds no state. */
    public DenoisingRecipe() {}

    @Override
    public String objective() {
        return "denoising";
    }

    @Override
    public Run<EncoderDecoder, IntTensor> build(ConfigFile c, Path base) throws IOException {
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "char");
        int v = tokenizer.vocabSize();
        SpecialTokens specials = SpecialTokens.after(v);
        String noise = c.choice("noise", "infilling", List.of("infilling", "span-corruption"));
        int extra = noise.equals("infilling") ? 4 : 3 + SENTINELS;
        TransformerConfig shape = Recipes.trainableShape(c, v + extra, in.batch());
        int length = shape.contextLength() - 1; // room for the decoder's start token
        TextDataset data = Recipes.dataset(c, in, tokenizer, length);
        EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(shape), in.rng().split());
        Denoising denoising = noise.equals("infilling") ? Denoising.textInfilling(specials, v + 3, in.seed())
                : Denoising.spanCorruption(specials, v + 3, SENTINELS, in.seed());
        return Recipes.run(c, model, denoising, data.trainWindows(length, in.batch(), in.rng().split()),
                data.validationWindows(length, in.batch(), in.rng().split()), tokenizer, data, null);
    }
}
