package io.orthrus.train;

import io.orthrus.data.BatchSource;
import io.orthrus.data.LabeledBatch;
import io.orthrus.data.LabeledText;
import io.orthrus.data.TokenBatch;
import io.orthrus.model.BertClassifier;
import io.orthrus.objective.Classification;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.List;

/**
 * Fine-tunes a {@link BertClassifier} on labelled texts: the examples are encoded ({@code [CLS] a
 * [SEP]} or {@code [CLS] a [SEP] b [SEP]}, cut to {@code maxLength}), shuffled every epoch with a
 * seeded generator, and trained with the {@link Trainer} (AdamW, warm-up and cosine decay, as set
 * in the options); the result reports the accuracy on the validation examples.
 *
 * <pre>{@code
 * BertCheckpoint pretrained = BertCheckpoint.load(dir);
 * BertClassifier classifier = new BertClassifier(pretrained.model(), 2, new Rng(1));
 * FineTuner tuner = new FineTuner(pretrained.tokenizer(), 64, 16, TrainingOptions.nanoGpt(300), 1);
 * FineTuner.Result result = tuner.fit(classifier, trainExamples, validationExamples);
 * }</pre>
 */
public final class FineTuner {
    /**
     * What fine-tuning produced.
     *
     * @param training           the trainer's result (losses, step time)
     * @param trainAccuracy      accuracy on the training examples after fine-tuning, in [0, 1]
     * @param validationAccuracy accuracy on the validation examples, in [0, 1]
     */
    public record Result(TrainingResult training, double trainAccuracy, double validationAccuracy) {}

    private final WordPiece tokenizer;
    private final int maxLength;
    private final int batchSize;
    private final TrainingOptions options;
    private final long seed;

    /** Fine-tuning with {@code tokenizer}, inputs cut to {@code maxLength} ids, {@code batchSize} examples a step. */
    public FineTuner(WordPiece tokenizer, int maxLength, int batchSize, TrainingOptions options, long seed) {
        if (batchSize < 1 || maxLength < 3) {
            throw new IllegalArgumentException("FineTuner: batchSize must be >= 1 and maxLength >= 3, got " + batchSize
                    + " and " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.batchSize = batchSize;
        this.options = options;
        this.seed = seed;
    }

    /** Trains {@code model} on {@code train}, then measures its accuracy on both sets. */
    public Result fit(BertClassifier model, List<LabeledText> train, List<LabeledText> validation) {
        if (train.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("FineTuner.fit: needs training and validation examples, got "
                    + train.size() + " and " + validation.size());
        }
        checkLabels(train, model.classes(), "training");
        checkLabels(validation, model.classes(), "validation");
        List<LabeledBatch> validationBatches = batches(validation);
        Trainer<BertClassifier, LabeledBatch> trainer = new Trainer<>(model, new Classification<>(),
                options.withEvaluation(options.evalInterval(), validationBatches.size()));
        TrainingResult result = trainer.fit(shuffledEpochs(train, new Rng(seed)), cycle(validationBatches));
        return new Result(result, accuracy(model, train), accuracy(model, validation));
    }

    /** The fraction of {@code examples} that {@code model} classifies correctly. */
    public double accuracy(BertClassifier model, List<LabeledText> examples) {
        int correct = 0;
        for (LabeledBatch batch : batches(examples)) {
            int[] predicted = model.predict(batch.inputs());
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == batch.labels().data()[i] ? 1 : 0;
            }
        }
        return correct / (double) examples.size();
    }

    /** {@code examples} encoded in order, {@code batchSize} at a time (the last batch may be smaller). */
    public List<LabeledBatch> batches(List<LabeledText> examples) {
        List<LabeledBatch> out = new ArrayList<>();
        for (int start = 0; start < examples.size(); start += batchSize) {
            out.add(encode(examples.subList(start, Math.min(examples.size(), start + batchSize))));
        }
        return out;
    }

    private LabeledBatch encode(List<LabeledText> examples) {
        List<Encoding> encodings = new ArrayList<>(examples.size());
        int[] labels = new int[examples.size()];
        for (int i = 0; i < labels.length; i++) {
            LabeledText e = examples.get(i);
            encodings.add(e.pair() == null ? tokenizer.encode(e.text(), maxLength)
                    : tokenizer.encodePair(e.text(), e.pair(), maxLength));
            labels[i] = e.label();
        }
        return new LabeledBatch(TokenBatch.of(encodings, tokenizer.padId()), IntTensor.wrap(labels, labels.length));
    }

    private BatchSource<LabeledBatch> shuffledEpochs(List<LabeledText> examples, Rng rng) {
        return new BatchSource<>() {
            private final List<LabeledText> order = new ArrayList<>(examples);
            private int next = order.size();

            @Override
            public LabeledBatch next() {
                List<LabeledText> batch = new ArrayList<>(batchSize);
                while (batch.size() < Math.min(batchSize, order.size())) {
                    if (next == order.size()) {
                        for (int i = order.size() - 1; i > 0; i--) { // a new epoch: Fisher–Yates
                            int j = rng.nextInt(i + 1);
                            LabeledText tmp = order.get(i);
                            order.set(i, order.get(j));
                            order.set(j, tmp);
                        }
                        next = 0;
                    }
                    batch.add(order.get(next++));
                }
                return encode(batch);
            }
        };
    }

    private static BatchSource<LabeledBatch> cycle(List<LabeledBatch> batches) {
        return new BatchSource<>() {
            private int next;

            @Override
            public LabeledBatch next() {
                return batches.get(next++ % batches.size());
            }
        };
    }

    private static void checkLabels(List<LabeledText> examples, int classes, String set) {
        for (int i = 0; i < examples.size(); i++) {
            int label = examples.get(i).label();
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("FineTuner: " + set + " example " + i + " has label " + label
                        + ", outside [0, " + classes + ")");
            }
        }
    }
}
