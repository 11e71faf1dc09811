package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * Feature vectors with class labels: a dataset, or a batch drawn from one.
 *
 * @param inputs {@code (N, D)} vectors
 * @param labels {@code (N)} class ids
 */
public record LabeledVectors(Tensor inputs, IntTensor labels) implements Labeled<Tensor> {
    /** Checks that there is one label per row. */
    public LabeledVectors {
        if (inputs.rank() != 2) {
            throw new IllegalArgumentException("LabeledVectors: inputs must be (N, D), got shape "
                    + Arrays.toString(inputs.shape()));
        }
        if (labels.shape().length != 1 || labels.shape()[0] != inputs.size(0)) {
            throw new IllegalArgumentException("LabeledVectors: " + inputs.size(0) + " inputs but labels of shape "
                    + Arrays.toString(labels.shape()));
        }
    }

    /** Number of examples N. */
    public int size() {
        return inputs.size(0);
    }

    /** Examples {@code [from, to)} as a new dataset (copies). */
    public LabeledVectors slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("LabeledVectors: slice [" + from + ", " + to + ") of " + size() + " examples");
        }
        int d = inputs.size(1);
        return new LabeledVectors(Tensor.of(Arrays.copyOfRange(inputs.data(), from * d, to * d), to - from, d),
                IntTensor.of(Arrays.copyOfRange(labels.data(), from, to), to - from));
    }

    /** Endless batches of {@code batchSize} examples drawn uniformly with replacement. */
    public BatchSource<LabeledVectors> batches(int batchSize, Rng rng) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("LabeledVectors: batch size must be positive, got " + batchSize);
        }
        int d = inputs.size(1);
        return () -> {
            float[] x = new float[batchSize * d];
            int[] y = new int[batchSize];
            for (int b = 0; b < batchSize; b++) {
                int row = rng.nextInt(size());
                System.arraycopy(inputs.data(), row * d, x, b * d, d);
                y[b] = labels.data()[row];
            }
            return new LabeledVectors(Tensor.wrap(x, batchSize, d), IntTensor.wrap(y, batchSize));
        };
    }

    /** Endless batches of the vectors alone ({@code (batchSize, D)}), for unsupervised training. */
    public BatchSource<Tensor> inputBatches(int batchSize, Rng rng) {
        BatchSource<LabeledVectors> labeled = batches(batchSize, rng);
        return () -> labeled.next().inputs();
    }
}
