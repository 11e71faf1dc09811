package io.orthrus.nn;

import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied one after another; their parameters are named {@code 0.weight}, {@code 1.bias}, and so on. */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    /** Chains the given layers, each of which must be a {@link Module}. */
    public Sequential(Layer... layers) {
        for (Layer layer : layers) {
            if (!(layer instanceof Module module)) {
                throw new IllegalArgumentException("Sequential: layer " + this.layers.size() + " ("
                        + layer.getClass().getName() + ") is not a Module, so its parameters could not be tracked");
            }
            registerModule(Integer.toString(this.layers.size()), module);
            this.layers.add(layer);
        }
    }

    /** Applies each layer in turn. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Layer layer : layers) {
            x = layer.forward(x);
        }
        return x;
    }

    /** The layer at {@code index}. */
    public Layer get(int index) {
        return layers.get(index);
    }

    /** Number of layers. */
    public int size() {
        return layers.size();
    }
}
