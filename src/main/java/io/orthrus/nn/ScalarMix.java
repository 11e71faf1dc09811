package io.orthrus.nn;

import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * ELMo's combination of a model's layers (Peters et al., 2018): γ · Σ_j s_j · h_j with
 * s = softmax(w). Starts as the plain average (w = 0, γ = 1); a downstream task learns w and γ.
 */
public final class ScalarMix extends Module {
    private final Parameter weights;
    private final Parameter gamma;

    /** A mix of {@code layers} representations. */
    public ScalarMix(int layers) {
        if (layers <= 0) {
            throw new IllegalArgumentException("ScalarMix: need at least one layer, got " + layers);
        }
        this.weights = registerParameter("weights", new Parameter(layers));
        this.gamma = registerParameter("gamma", new Parameter(1));
        Init.ones(gamma);
    }

    /** γ · Σ_j softmax(w)_j · layers_j; every layer has the same shape, which is the output's. */
    public Tensor forward(List<Tensor> layers) {
        if (layers.size() != weights.size(0)) {
            throw new IllegalArgumentException("ScalarMix: built for " + weights.size(0) + " layers, got " + layers.size());
        }
        Tensor s = weights.softmax(0); // (K)
        Tensor mixed = null;
        for (int j = 0; j < layers.size(); j++) {
            if (!Arrays.equals(layers.get(j).shape(), layers.get(0).shape())) {
                throw new IllegalArgumentException("ScalarMix: layer " + j + " has shape "
                        + Arrays.toString(layers.get(j).shape()) + ", layer 0 " + Arrays.toString(layers.get(0).shape()));
            }
            Tensor term = layers.get(j).mul(s.narrow(0, j, 1)); // (..., C) · (1)
            mixed = mixed == null ? term : mixed.add(term);
        }
        return mixed.mul(gamma); // (..., C)
    }

    /** The current mixing weights softmax(w), a copy. */
    public float[] mixingWeights() {
        return weights.softmax(0).toArray();
    }
}
