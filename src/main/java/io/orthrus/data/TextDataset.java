package io.orthrus.data;

import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Tokenizer;
import java.util.Arrays;

/**
 * A tokenized corpus split into a training part (the beginning) and a validation part (the end),
 * as nanoGPT splits Tiny Shakespeare 90/10.
 */
public final class TextDataset {
    private final int[] train;
    private final int[] validation;

    private TextDataset(int[] train, int[] validation) {
        this.train = train;
        this.validation = validation;
    }

    /** Encodes {@code text} and puts the first {@code trainFraction} of the tokens in the training part. */
    public static TextDataset of(String text, Tokenizer tokenizer, double trainFraction) {
        return of(tokenizer.encode(text), trainFraction);
    }

    /** Splits token ids: the first {@code trainFraction} for training, the rest for validation. */
    public static TextDataset of(int[] ids, double trainFraction) {
        if (!(trainFraction > 0 && trainFraction <= 1)) {
            throw new IllegalArgumentException("TextDataset: train fraction must be in (0, 1], got " + trainFraction);
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("TextDataset: the corpus is empty");
        }
        int cut = (int) (trainFraction * ids.length);
        return new TextDataset(Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length));
    }

    /** The training tokens (a copy). */
    public int[] train() {
        return train.clone();
    }

    /** The validation tokens (a copy). */
    public int[] validation() {
        return validation.clone();
    }

    /** Random training windows of {@code windowLength} tokens, {@code batchSize} at a time. */
    public WindowSampler trainWindows(int windowLength, int batchSize, Rng rng) {
        return new WindowSampler(train, "training part", windowLength, batchSize, rng);
    }

    /** Random validation windows of {@code windowLength} tokens, {@code batchSize} at a time. */
    public WindowSampler validationWindows(int windowLength, int batchSize, Rng rng) {
        return new WindowSampler(validation, "validation part", windowLength, batchSize, rng);
    }
}
