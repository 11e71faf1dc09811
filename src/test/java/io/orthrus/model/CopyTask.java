package io.orthrus.model;

import io.orthrus.data.BatchSource;
import io.orthrus.data.TokenBatch;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A task only a bidirectional model can solve: "w1 w2 w3 w4 | w1 w2 w3 w4" over 12 words, so a
 * masked word is the word at the same place in the other half — to its left or to its right.
 */
public final class CopyTask {
    public static final List<String> WORDS = List.of("ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis",
            "jay", "koi", "lark");
    public static final WordPiece TOKENIZER;

    static {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "|"));
        vocab.addAll(WORDS);
        TOKENIZER = WordPiece.of(vocab, true);
    }

    private CopyTask() {}

    public static BatchSource<TokenBatch> batches(int batchSize, Rng rng) {
        return () -> {
            List<Encoding> rows = new ArrayList<>();
            for (int b = 0; b < batchSize; b++) {
                StringBuilder half = new StringBuilder();
                for (int i = 0; i < 4; i++) {
                    half.append(WORDS.get(rng.nextInt(WORDS.size()))).append(' ');
                }
                rows.add(TOKENIZER.encode(half + "| " + half, 16));
            }
            return TokenBatch.of(rows, TOKENIZER.padId());
        };
    }

    /** Width 64, 2 layers, 2 heads, context 16, no dropout. */
    public static TransformerConfig config() {
        return TransformerConfig.bertTiny(TOKENIZER.vocabSize()).withContextLength(16).withWidth(64, 2, 256)
                .withDropout(0f);
    }

    /** A model trained for 400 steps of masked LM; returns the model and its result. */
    public static Trained train(long seed) {
        return train(seed, config());
    }

    /** A model of shape {@code config} trained for 400 steps of masked LM; returns the model and its result. */
    public static Trained train(long seed, TransformerConfig config) {
        Rng rng = new Rng(seed);
        Bert model = new Bert(config, rng.split());
        Trainer<Bert, TokenBatch> trainer = new Trainer<>(model, MaskedLm.bert(TOKENIZER, seed),
                TrainingOptions.nanoGpt(400).withLearningRate(2e-3, 2e-4).withEvaluation(0, 8));
        return new Trained(model, trainer.fit(batches(32, rng.split()), batches(32, rng.split())));
    }

    public record Trained(Bert model, TrainingResult result) {}
}
