package io.orthrus.recipe;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How a run config becomes a training run for one objective: the corpus and tokenizer, the model,
 * the objective, the batches and the training options, each field read from the config with its
 * default (docs/cli.md lists them). The same config always builds the same objects, which is what
 * lets a checkpoint be restored into them. {@code orthrus train} and the benchmarks build their
 * runs through these recipes only.
 */
public interface Recipe {
    /** The objective's name in the config's {@code objective} field, such as {@code "causal-lm"}. */
    String objective();

    /**
     * Builds the run {@code config} describes; relative paths in it are read against {@code base}.
     * A field that is missing takes its default; a field with a wrong value is an error naming the
     * file, line and field. Fields the recipe does not know are left unread (see
     * {@link ConfigFile#rejectUnread()}).
     */
    Run<?, ?> build(ConfigFile config, Path base) throws IOException;
}
