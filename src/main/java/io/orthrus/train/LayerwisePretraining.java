package io.orthrus.train;

import io.orthrus.data.BatchSource;
import io.orthrus.model.Autoencoder;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy layer-wise pre-training of a deep autoencoder (Bengio et al., 2007; Vincent et al.,
 * 2008, 2010): train hidden layer 1 as a (denoising) autoencoder of the input; then, with layer 1
 * frozen, train layer 2 as an autoencoder of layer 1's codes of clean inputs; and so on. Each
 * layer gets its own {@link Trainer} and optimizer; only that layer's encoder and decoder change.
 * Afterwards, fine-tune the whole stack: as an autoencoder ({@code Trainer} on the model with the
 * same objective), or with a classifier on {@link Autoencoder#encoder()}.
 *
 * <p>For layers above the first, the reconstruction's output is a sigmoid when the hidden layers
 * are sigmoid and linear otherwise ({@link Autoencoder#layer}); the cross-entropy loss therefore
 * needs sigmoid hidden layers, and other activations need {@link Reconstruction.Loss#MSE}.
 */
public final class LayerwisePretraining {
    private LayerwisePretraining() {}

    /**
     * Pre-trains each hidden layer of {@code model} in turn for {@code options.steps()} steps on
     * batches from {@code train}, evaluating on batches from {@code validation}; returns one
     * result per layer, bottom first. The model's parameters are updated in place.
     */
    public static List<TrainingResult> pretrain(Autoencoder model, BatchSource<Tensor> train,
                                                BatchSource<Tensor> validation, Reconstruction objective,
                                                TrainingOptions options) {
        List<TrainingResult> results = new ArrayList<>();
        for (int i = 0; i < model.config().layers(); i++) {
            int below = i;
            Autoencoder.LayerPair layer = model.layer(i);
            Trainer<Autoencoder.LayerPair, Tensor> trainer = new Trainer<>(layer, objective, options);
            results.add(trainer.fit(() -> model.encodeThrough(below, train.next()),
                    () -> model.encodeThrough(below, validation.next())));
        }
        return results;
    }
}
