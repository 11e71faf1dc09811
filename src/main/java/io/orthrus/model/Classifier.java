package io.orthrus.model;

import io.orthrus.nn.Module;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import java.util.function.Supplier;

/**
 * A model that gives class logits for a batch of inputs: {@link BertClassifier} for texts,
 * {@link VectorClassifier} for feature vectors. {@code objective.Classification} trains any of them.
 *
 * @param <I> the input type
 */
public interface Classifier<I> {
    /** Class logits {@code (N, K)} for a batch of N inputs. */
    Tensor logits(I inputs);

    /** Number of classes K. */
    int classes();

    /** The most probable class of each input, in evaluation mode (dropout off), without gradients. */
    default int[] predict(I inputs) {
        Supplier<int[]> best = () -> {
            Tensor logits = logits(inputs); // (N, K)
            int n = logits.size(0), k = classes();
            float[] values = logits.toArray();
            int[] classes = new int[n];
            for (int row = 0; row < n; row++) {
                for (int c = 1; c < k; c++) {
                    if (values[row * k + c] > values[row * k + classes[row]]) {
                        classes[row] = c;
                    }
                }
            }
            return classes;
        };
        if (this instanceof Module module) {
            return module.evaluating(best);
        }
        try (var g = NoGrad.enter()) {
            return best.get();
        }
    }
}
