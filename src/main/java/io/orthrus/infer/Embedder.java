package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.model.Bert;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.List;

/**
 * Contextual vectors from a BERT: one vector per token (the last layer's hidden state, which
 * depends on the whole sentence — "bank" differs in "river bank" and "bank account"), and one per
 * sentence, pooled from them.
 */
public final class Embedder {
    /** How a sentence vector is made from its token vectors. */
    public enum Pooling {
        /** The vector of {@code [CLS]}, the position BERT's classifiers read. */
        CLS,
        /** The mean over the sentence's tokens, {@code [CLS]} and {@code [SEP]} included, padding excluded. */
        MEAN
    }

    private final Bert model;
    private final WordPiece tokenizer;

    /** Vectors from {@code model} with the tokenizer it was trained with. */
    public Embedder(Bert model, WordPiece tokenizer) {
        Inference.checkVocabulary("Embedder", model.vocabSize(), tokenizer.vocabSize());
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Token vectors {@code (T, C)} of {@code [CLS] text [SEP]}, truncated to the model's positions. */
    public Tensor tokenVectors(String text) {
        Encoding encoding = tokenizer.encode(text, model.contextLength());
        return model.evaluating(() -> {
            Tensor hidden = model.encode(TokenBatch.of(List.of(encoding), tokenizer.padId())); // (1, T, C)
            return hidden.reshape(encoding.length(), hidden.size(2)).detach(); // (T, C)
        });
    }

    /** One vector of width C per text (texts are truncated to the model's positions and batched with padding). */
    public float[][] sentenceVectors(List<String> texts, Pooling pooling) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        List<Encoding> encodings = new ArrayList<>();
        for (String text : texts) {
            encodings.add(tokenizer.encode(text, model.contextLength()));
        }
        TokenBatch batch = TokenBatch.of(encodings, tokenizer.padId());
        float[] hidden = model.evaluating(() -> model.encode(batch).toArray()); // (B, T, C)
        int t = batch.length(), c = model.config().width();
        float[][] out = new float[texts.size()][c];
        for (int b = 0; b < texts.size(); b++) {
            int length = encodings.get(b).length();
            int rows = pooling == Pooling.CLS ? 1 : length;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < c; j++) {
                    out[b][j] += hidden[(b * t + i) * c + j] / rows;
                }
            }
        }
        return out;
    }

    /** The vector of one text. */
    public float[] sentenceVector(String text, Pooling pooling) {
        return sentenceVectors(List.of(text), pooling)[0];
    }

    /** Cosine similarity of two vectors of the same width, in [-1, 1] (0 if either is zero). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cosine: vectors of width " + a.length + " and " + b.length);
        }
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
