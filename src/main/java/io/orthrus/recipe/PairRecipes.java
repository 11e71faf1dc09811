package io.orthrus.recipe;

import io.orthrus.data.PairDataset;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.io.HuggingFaceBert;
import io.orthrus.model.Bert;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the contrastive and cross-encoder recipes share: their pairs, and a fresh encoder when none is given. */
final class PairRecipes {
    private PairRecipes() {}

    /** The training and held-out pairs, the seed and the generator the run draws from. */
    record Pairs(PairDataset train, PairDataset validation, int batch, long seed, Rng rng) {}

    /**
     * {@code data.pairs}: a JSONL file, or {@code "grammar"} (the default): {@code data.pairs_count}
     * generated paraphrase triplets ({@link Grammar#paraphrase}). The held-out pairs are
     * {@code data.validation_pairs} when given, else a {@code data.validation_fraction} of them.
     */
    static Pairs pairs(ConfigFile c, Path base) throws IOException {
        long seed = c.longValue("seed", 1);
        Rng rng = new Rng(seed);
        String source = c.string("data.pairs", "grammar");
        PairDataset all;
        if (source.equals("grammar")) {
            int count = c.integer("data.pairs_count", 4000, 20, 10_000_000);
            Rng generator = new Rng(c.longValue("data.seed", 7));
            Grammar grammar = Grammar.english();
            List<PairDataset.Example> examples = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Grammar.Paraphrase p = grammar.paraphrase(generator);
                examples.add(PairDataset.Example.related(p.sentence(), p.paraphrase(), p.contrast()));
            }
            all = PairDataset.of(examples);
        } else {
            all = read(c, base, "data.pairs", source);
        }
        double fraction = c.number("data.validation_fraction", 0.1, 0.001, 0.5);
        int batch = c.integer("data.batch_size", 32, 1, 1 << 16);
        if (c.has("data.validation_pairs")) {
            PairDataset validation = read(c, base, "data.validation_pairs", c.string("data.validation_pairs", null));
            if (validation.scored() != all.scored()) {
                throw c.error("data.validation_pairs", "holds " + (validation.scored() ? "scored" : "related")
                        + " pairs but data.pairs holds " + (all.scored() ? "scored" : "related") + " ones");
            }
            return new Pairs(all, validation, batch, seed, rng);
        }
        if (all.size() < 2) {
            throw c.error("data.pairs", "holds " + all.size() + " pair; holding some out needs 2 or more (or give"
                    + " data.validation_pairs)");
        }
        PairDataset.Split split = all.split(fraction, rng.split());
        return new Pairs(split.train(), split.validation(), batch, seed, rng);
    }

    private static PairDataset read(ConfigFile c, Path base, String field, String name) throws IOException {
        Path file = base.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw c.error(field, "names " + file + ", which is not a readable file");
        }
        return PairDataset.readJsonl(file);
    }

    /**
     * A fresh encoder of {@code model.preset}'s shape (bert-tiny by default) and a WordPiece vocabulary
     * of {@code tokenizer.vocab_size} learned from the training pairs, for a run without
     * {@code model.init_from}.
     */
    static Fresh fresh(ConfigFile c, Pairs pairs) {
        WordPiece tokenizer = WordPiece.train(pairs.train().texts(), c.integer("tokenizer.vocab_size", 2000, 32, 1_000_000),
                true);
        if (!c.has("model.preset")) {
            c.set("model.preset", "bert-tiny");
        }
        TransformerConfig shape = Recipes.trainableShape(c, tokenizer.vocabSize(), pairs.batch());
        return new Fresh(new Bert(shape, pairs.rng().split()).withoutMaskedLmHead(), tokenizer);
    }

    /** Refuses, before training, an encoder the run could not export in Hugging Face's BERT layout. */
    static void requireWritable(ConfigFile c, Bert encoder) {
        try {
            HuggingFaceBert.requireWritable("the model", encoder.config());
        } catch (IllegalArgumentException e) {
            throw c.error(c.has("model.init_from") ? "model.init_from" : "model", e.getMessage() + "; the trained model"
                    + " is saved in that layout");
        }
    }

    /** A new encoder with its tokenizer. */
    record Fresh(Bert encoder, WordPiece tokenizer) {}
}
