package io.orthrus.model;

import io.orthrus.nn.Layer;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/**
 * A classifier of feature vectors: a feature layer (for example a pre-trained
 * {@link Autoencoder#encoder()}) followed by a linear map to class logits. Training it with
 * {@code objective.Classification} fine-tunes the features too.
 *
 * <pre>
 * x (N, D) ─▶ features (N, H) ─▶ Linear (H, K) ─▶ logits (N, K)
 * </pre>
 */
public final class VectorClassifier extends Module implements Classifier<Tensor> {
    private final Layer features;
    private final Linear output;
    private final int classes;

    /**
     * A classifier on {@code features}, whose output has {@code featureWidth} columns, into
     * {@code classes} classes; the output layer is initialised from {@code rng}.
     */
    public VectorClassifier(Layer features, int featureWidth, int classes, Rng rng) {
        if (classes < 2) {
            throw new IllegalArgumentException("VectorClassifier: need at least 2 classes, got " + classes);
        }
        if (!(features instanceof Module module)) {
            throw new IllegalArgumentException("VectorClassifier: the feature layer must be a Module, so that its "
                    + "parameters are trained; got " + features.getClass().getName());
        }
        this.features = features;
        registerModule("features", module);
        this.output = registerModule("output", new Linear(featureWidth, classes, rng));
        this.classes = classes;
    }

    @Override
    public Tensor logits(Tensor inputs) {
        return output.forward(features.forward(inputs)); // (N, H) → (N, K)
    }

    @Override
    public int classes() {
        return classes;
    }
}
