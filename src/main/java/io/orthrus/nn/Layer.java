package io.orthrus.nn;

import io.orthrus.tensor.Tensor;

/** A module that maps one tensor to one tensor, so that layers can be chained in a {@link Sequential}. */
public interface Layer {
    /** Applies the layer; shapes are documented by each implementation. */
    Tensor forward(Tensor input);
}
