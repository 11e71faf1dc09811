package io.orthrus.recipe;

import io.orthrus.data.BatchSource;
import io.orthrus.model.Autoencoder;
import io.orthrus.objective.Corruption;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code autoencoder} and {@code denoising-autoencoder}: an {@link Autoencoder} ({@code model.hidden}
 * layer widths, {@code model.tied_weights}) that reconstructs each line's bag of tokens (which
 * tokens it uses, a 0/1 vector over the vocabulary); the denoising one first hides
 * {@code noise_fraction} of each bag's entries.
 */
public final class AutoencoderRecipe implements Recipe {
    private final boolean denoising;

    private AutoencoderRecipe(boolean denoising) {
        this.denoising = denoising;
    }

    /** The plain autoencoder, {@code autoencoder}. */
    public static AutoencoderRecipe plain() {
        return new AutoencoderRecipe(false);
    }

    /** The denoising autoencoder, {@code denoising-autoencoder}. */
    public static AutoencoderRecipe denoising() {
        return new AutoencoderRecipe(true);
    }

    @Override
    public String objective() {
        return denoising ? "denoising-autoencoder" : "autoencoder";
    }

    @Override
    public Run<Autoencoder, Tensor> build(ConfigFile c, Path base) throws IOException {
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "char");
        int[] hidden = c.integers("model.hidden", new int[] {64, 16}, 1, 65_536);
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(tokenizer.vocabSize(), hidden)
                .withTiedWeights(c.bool("model.tied_weights", true)), in.rng().split());
        Reconstruction reconstruction = denoising
                ? Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY,
                        Corruption.masking(c.number("noise_fraction", 0.25, 0.01, 0.99)), in.seed())
                : Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY);
        List<float[]> bags = bagsOfTokens(in.text(), tokenizer);
        int split = Math.max(1, (int) Math.round(bags.size() * (1 - in.validationFraction())));
        if (split >= bags.size()) {
            throw c.error("data.corpus", "has " + bags.size() + " non-empty lines; an autoencoder needs at least 2"
                    + " (one to train on, one to validate)");
        }
        return Recipes.run(c, model, reconstruction, new Bags(bags.subList(0, split), in.batch(), in.rng().split()),
                new Bags(bags.subList(split, bags.size()), in.batch(), in.rng().split()), tokenizer, null, null);
    }

    /** Each non-empty line as a binary vector over the vocabulary: which tokens it uses. */
    private static List<float[]> bagsOfTokens(String text, Tokenizer tokenizer) {
        List<float[]> bags = new ArrayList<>();
        for (String line : text.split("\n")) {
            int[] ids = tokenizer.encode(line);
            if (ids.length == 0) {
                continue;
            }
            float[] bag = new float[tokenizer.vocabSize()];
            for (int id : ids) {
                bag[id] = 1f;
            }
            bags.add(bag);
        }
        return bags;
    }

    /** Batches of bags drawn uniformly with replacement, {@code (B, V)}. */
    private static final class Bags implements BatchSource<Tensor> {
        private final List<float[]> bags;
        private final int batch;
        private final Rng rng;

        Bags(List<float[]> bags, int batch, Rng rng) {
            this.bags = bags;
            this.batch = batch;
            this.rng = rng;
        }

        @Override
        public Tensor next() {
            int v = bags.get(0).length;
            float[] out = new float[batch * v];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(bags.get(rng.nextInt(bags.size())), 0, out, b * v, v);
            }
            return Tensor.of(out, batch, v);
        }

        @Override
        public Map<String, Rng> generators() {
            return Map.of("bags", rng);
        }
    }
}
