package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.io.CrossEncoderFolder;
import io.orthrus.model.BertClassifier;
import io.orthrus.nn.PackedWeights;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A reranker: scores how well each document answers a query by reading the two together
 * ({@code [CLS] query [SEP] document [SEP]}, truncated longest-first to
 * {@link #maxSequenceLength()} tokens) through a BERT sequence classifier, as
 * sentence-transformers' {@code CrossEncoder.predict} does. More accurate than comparing sentence
 * vectors, and slower: every pair is a forward pass, so it reorders the few dozen candidates a
 * {@link SentenceEncoder} search found.
 *
 * <pre>{@code
 * CrossEncoder reranker = CrossEncoder.load(Path.of("ms-marco-MiniLM-L6-v2"));
 * List<CrossEncoder.Ranked> best = reranker.rank("how do cats sleep?", candidates);
 * }</pre>
 *
 * <p>Immutable and thread-safe, and reads the model's weights when it is made, like {@link SentenceEncoder}.
 */
public final class CrossEncoder {
    /** What is applied to the classifier's logits. */
    public enum Activation {
        /** The logits as they are. */
        IDENTITY("Identity"),
        /** The logistic function, a score in (0, 1): the default for a single label. */
        SIGMOID("Sigmoid"),
        /** The hyperbolic tangent, in (−1, 1). */
        TANH("Tanh");

        private final String className;

        Activation(String className) {
            this.className = className;
        }

        /** The PyTorch class name of the activation without its package, as {@code activation_fn} ends. */
        public String className() {
            return className;
        }

        /** The activation of a sentence-transformers {@code activation_fn} class name, with or without its package. */
        public static Activation named(String className) {
            String name = className.substring(className.lastIndexOf('.') + 1);
            for (Activation activation : values()) {
                if (activation.className.equals(name)) {
                    return activation;
                }
            }
            throw new IllegalArgumentException("unknown activation '" + className
                    + "'; the activations are Identity, Sigmoid and Tanh");
        }

        float apply(float logit) {
            return switch (this) {
                case IDENTITY -> logit;
                case SIGMOID -> (float) (1 / (1 + Math.exp(-logit)));
                case TANH -> (float) Math.tanh(logit);
            };
        }
    }

    /**
     * One document's place in a ranking.
     *
     * @param index    its position in the list given
     * @param document the document
     * @param score    its score (the first label's, after the activation)
     */
    public record Ranked(int index, String document, float score) {}

    private final BertClassifier model;
    private final EncoderTokenizer tokenizer;
    private final Activation activation;
    private final int maxSequenceLength;
    private final int batchSize;
    private final PackedWeights packed;

    /**
     * A reranker of {@code model} (in evaluation mode, as the loaders return it) with
     * {@code tokenizer}; pairs keep at most {@code maxSequenceLength} tokens, at most the model's positions.
     */
    public CrossEncoder(BertClassifier model, EncoderTokenizer tokenizer, Activation activation, int maxSequenceLength) {
        this(model, tokenizer, activation, maxSequenceLength, SentenceEncoder.DEFAULT_BATCH_SIZE,
                PackedWeights.of(model));
        Inference.checkVocabulary("CrossEncoder", model.encoder().vocabSize(), tokenizer.vocabSize());
        if (maxSequenceLength < 3 || maxSequenceLength > model.encoder().contextLength()) {
            throw new IllegalArgumentException("CrossEncoder: maxSequenceLength must be in [3, "
                    + model.encoder().contextLength() + "] (the model's positions), got " + maxSequenceLength);
        }
    }

    private CrossEncoder(BertClassifier model, EncoderTokenizer tokenizer, Activation activation, int maxSequenceLength,
                         int batchSize, PackedWeights packed) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.activation = activation;
        this.maxSequenceLength = maxSequenceLength;
        this.batchSize = batchSize;
        this.packed = packed;
    }

    /**
     * The reranker of a cross-encoder folder (a {@code BertForSequenceClassification} saved by
     * sentence-transformers' {@code CrossEncoder}, any version, or by transformers), with the
     * folder's activation.
     */
    public static CrossEncoder load(Path folder) throws IOException {
        CrossEncoderFolder read = CrossEncoderFolder.read(folder);
        return new CrossEncoder(read.classifier().model(), read.classifier().tokenizer(),
                Activation.named(read.activation()), read.maxSequenceLength());
    }

    /**
     * Writes this reranker as a cross-encoder folder, which sentence-transformers' {@code CrossEncoder(dir)}
     * and {@link #load} read with the same scores.
     */
    public void save(Path folder) throws IOException {
        CrossEncoderFolder.write(folder, model, tokenizer, activation.className(), maxSequenceLength);
    }

    /** This reranker with {@code size} pairs per batch (1 or more). */
    public CrossEncoder withBatchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("CrossEncoder: batch size must be >= 1, got " + size);
        }
        return new CrossEncoder(model, tokenizer, activation, maxSequenceLength, size, packed);
    }

    /** This reranker with another activation on the logits. */
    public CrossEncoder withActivation(Activation other) {
        return new CrossEncoder(model, tokenizer, other, maxSequenceLength, batchSize, packed);
    }

    /** The number of scores per pair (the classifier's labels). */
    public int labels() {
        return model.classes();
    }

    /** The activation applied to the logits. */
    public Activation activation() {
        return activation;
    }

    /** The tokenizer that makes the model's pairs. */
    public EncoderTokenizer tokenizer() {
        return tokenizer;
    }

    /** The most tokens of a pair the model reads, {@code [CLS]} and both {@code [SEP]} included. */
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    /**
     * One score per document for a single-label model (a reranker): higher is a better answer to
     * {@code query}.
     *
     * @throws IllegalStateException for a model with several labels (use {@link #scores})
     */
    public float[] score(String query, List<String> documents) {
        if (labels() != 1) {
            throw new IllegalStateException("CrossEncoder.score: the model has " + labels() + " labels; use scores()");
        }
        float[][] all = scores(query, documents);
        float[] out = new float[all.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = all[i][0];
        }
        return out;
    }

    /** Every label's score (after the activation) for each document, {@code (documents, labels)}. */
    public float[][] scores(String query, List<String> documents) {
        float[][] logits = logits(query, documents);
        for (float[] row : logits) {
            for (int j = 0; j < row.length; j++) {
                row[j] = activation.apply(row[j]);
            }
        }
        return logits;
    }

    /** The softmax over the labels of each document's logits (the activation is not applied), {@code (documents, labels)}. */
    public float[][] probabilities(String query, List<String> documents) {
        float[][] logits = logits(query, documents);
        for (float[] row : logits) {
            double max = Double.NEGATIVE_INFINITY, total = 0;
            for (float v : row) {
                max = Math.max(max, v);
            }
            double[] e = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                e[j] = Math.exp(row[j] - max);
                total += e[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (e[j] / total);
            }
        }
        return logits;
    }

    /** The documents from the best answer to {@code query} to the worst, by the first label's score. */
    public List<Ranked> rank(String query, List<String> documents) {
        float[][] scores = scores(query, documents);
        List<Ranked> ranked = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            ranked.add(new Ranked(i, documents.get(i), scores[i][0]));
        }
        ranked.sort(Comparator.comparingDouble((Ranked r) -> -r.score()).thenComparingInt(Ranked::index));
        return ranked;
    }

    /** The classifier's logits for each pair, {@code (documents, labels)}, in batches. */
    private float[][] logits(String query, List<String> documents) {
        if (query == null) {
            throw new IllegalArgumentException("CrossEncoder: the query is null");
        }
        List<Encoding> pairs = new ArrayList<>(documents.size());
        for (String document : documents) {
            if (document == null) {
                throw new IllegalArgumentException("CrossEncoder: document " + pairs.size() + " is null");
            }
            pairs.add(tokenizer.encodePair(query, document, maxSequenceLength));
        }
        return Inference.inBatches(pairs, batchSize, batch -> {
            TokenBatch tokens = TokenBatch.of(batch, tokenizer.padId());
            float[] logits = packed.apply(() -> model.evaluating(() -> model.logits(tokens).data())); // (B, labels)
            float[][] rows = new float[batch.size()][];
            for (int b = 0; b < batch.size(); b++) {
                rows[b] = java.util.Arrays.copyOfRange(logits, b * labels(), (b + 1) * labels());
            }
            return rows;
        });
    }
}
