package io.orthrus.recipe;

import io.orthrus.data.BatchSource;
import io.orthrus.data.TextDataset;
import io.orthrus.nn.Module;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A run a {@link Recipe} built: the trainer (model, objective, options), its training and
 * validation batches, the tokenizer and the tokenized corpus, and how to export the trained model.
 *
 * @param trainer    the trainer of the model on the objective
 * @param train      training batches
 * @param validation validation batches
 * @param tokenizer  the tokenizer the batches were made with
 * @param data       the corpus as token ids, split into training and validation parts; null when the
 *                   recipe's batches are not windows of one token stream (the autoencoders' bags of tokens)
 * @param export     writes the trained model where {@code orthrus generate}, {@code fill-mask},
 *                   {@code score} and {@code embed} read it; null when those commands do not take this model
 * @param evaluation measures the model on held-out data beyond the validation loss (retrieval recall
 *                   for a sentence encoder), or null when the recipe has no such measure
 * @param <M>        the model type
 * @param <B>        the batch type
 */
public record Run<M extends Module, B>(Trainer<M, B> trainer, BatchSource<B> train, BatchSource<B> validation,
                                       Tokenizer tokenizer, TextDataset data, Export export, Evaluation evaluation) {
    /** A run without an evaluation of its own. */
    public Run(Trainer<M, B> trainer, BatchSource<B> train, BatchSource<B> validation, Tokenizer tokenizer,
               TextDataset data, Export export) {
        this(trainer, train, validation, tokenizer, data, export, null);
    }

    /** The model being trained. */
    public M model() {
        return trainer.model();
    }

    /** Trains the model to the run's last step: {@code trainer().fit(train(), validation())}. */
    public TrainingResult fit() {
        return trainer.fit(train, validation);
    }

    /** Writes a trained model to a directory. */
    @FunctionalInterface
    public interface Export {
        /** Writes the model, its config and tokenizer to {@code directory}. */
        void save(Path directory) throws IOException;
    }

    /** Measures the model as it stands, for a person to read before and after training. */
    @FunctionalInterface
    public interface Evaluation {
        /** One line of results, such as {@code "recall@1 0.412, recall@10 0.930, MRR 0.601 (400 anchors, 800 candidates)"}. */
        String evaluate();
    }
}
