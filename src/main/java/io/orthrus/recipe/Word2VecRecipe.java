package io.orthrus.recipe;

import io.orthrus.model.Word2Vec;
import java.util.List;

/**
 * {@code cbow}: word2vec's continuous bag of words on the corpus's whitespace-separated words, one
 * sentence per line. It trains in one pass outside the {@code Trainer}, so this recipe gives the
 * options and the sentences rather than a {@link Run}.
 */
public final class Word2VecRecipe {
    /** The objective's name in the config. */
    public static final String OBJECTIVE = "cbow";

    private Word2VecRecipe() {}

    /**
     * The options from {@code model.width}, {@code window}, {@code negative}, {@code sample},
     * {@code min_count}, {@code epochs}, {@code optimizer.learning_rate}, {@code threads} (1 by
     * default: deterministic) and {@code seed}; the word2vec C tool's defaults otherwise.
     */
    public static Word2Vec.Options options(ConfigFile c) {
        Word2Vec.Options defaults = Word2Vec.Options.cbow();
        return defaults
                .withDimensions(c.integer("model.width", defaults.dimensions(), 1, 10_000))
                .withWindow(c.integer("window", defaults.window(), 1, 100))
                .withNegative(c.integer("negative", defaults.negative(), 0, 100))
                .withSample(c.number("sample", defaults.sample(), 0, 1))
                .withMinCount(c.integer("min_count", defaults.minCount(), 1, 1_000_000))
                .withEpochs(c.integer("epochs", defaults.epochs(), 1, 10_000))
                .withLearningRate(c.number("optimizer.learning_rate", defaults.learningRate(), 1e-6, 10))
                .withThreads(c.integer("threads", 1, 1, 256))
                .withSeed(c.longValue("seed", 1));
    }

    /** The corpus's lines, the sentences word2vec's windows stay within. */
    public static List<String> sentences(String text) {
        return text.lines().toList();
    }
}
