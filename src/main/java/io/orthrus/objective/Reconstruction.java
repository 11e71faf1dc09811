package io.orthrus.objective;

import io.orthrus.model.Autoencoder;
import io.orthrus.model.Reconstructor;
import io.orthrus.nn.Module;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The autoencoder objective: reconstruct the clean input x from a possibly corrupted copy x̃,
 * minimising L(x, z(x̃)), averaged over the batch and the D inputs.
 *
 * <ul>
 *   <li>{@link Loss#CROSS_ENTROPY}: −[x log z + (1 − x) log(1 − z)] for inputs in [0, 1] and a
 *       sigmoid output (computed from the logits, stably);</li>
 *   <li>{@link Loss#MSE}: (z − x)² for any inputs and output.</li>
 * </ul>
 *
 * With {@link Corruption#none()} it trains a plain autoencoder; with noise, a denoising one. In
 * training mode fresh noise is drawn at every call from this objective's seeded generator; in
 * evaluation mode the noise depends only on the seed and the batch, so a fixed validation set
 * gives a steady loss (and evaluating does not change the training noise).
 */
public final class Reconstruction implements Objective<Reconstructor, Tensor> {
    /** The reconstruction error L(x, z). */
    public enum Loss {
        /** Squared error, mean over inputs. */
        MSE,
        /** Bernoulli cross-entropy, mean over inputs; needs inputs in [0, 1] and a sigmoid output. */
        CROSS_ENTROPY
    }

    private final Loss loss;
    private final Corruption corruption;
    private final long seed;
    private final Rng trainingNoise;

    /** Reconstruction under {@code loss} of inputs corrupted by {@code corruption}, noise seeded by {@code seed}. */
    public Reconstruction(Loss loss, Corruption corruption, long seed) {
        if (loss == null || corruption == null) {
            throw new IllegalArgumentException("Reconstruction: loss and corruption must be set");
        }
        this.loss = loss;
        this.corruption = corruption;
        this.seed = seed;
        this.trainingNoise = new Rng(seed);
    }

    /** A plain autoencoder's objective: no corruption. */
    public static Reconstruction plain(Loss loss) {
        return new Reconstruction(loss, Corruption.none(), 0);
    }

    /** A denoising autoencoder's objective. */
    public static Reconstruction denoising(Loss loss, Corruption corruption, long seed) {
        return new Reconstruction(loss, corruption, seed);
    }

    /** The loss. */
    public Loss lossKind() {
        return loss;
    }

    /** The corruption. */
    public Corruption corruption() {
        return corruption;
    }

    @Override
    public Tensor loss(Reconstructor model, Tensor clean) {
        Tensor corrupted = corrupt(model, clean); // (N, D)
        return error(model, model.reconstructionLogits(corrupted), clean);
    }

    /** The corrupted inputs this objective feeds {@code model} for {@code clean} (no gradient flows through them). */
    public Tensor corrupt(Reconstructor model, Tensor clean) {
        boolean training = !(model instanceof Module module) || module.isTraining();
        Rng rng = training ? trainingNoise : new Rng(seed ^ contentHash(clean));
        return corruption.apply(clean.detach(), rng);
    }

    /** L(target, z) for reconstruction logits {@code (N, D)} (before the output non-linearity). */
    public Tensor error(Reconstructor model, Tensor logits, Tensor target) {
        if (loss == Loss.CROSS_ENTROPY) {
            if (model.output() != Autoencoder.Output.SIGMOID) {
                throw new IllegalArgumentException("Reconstruction: the cross-entropy loss needs a SIGMOID output, "
                        + "the model has " + model.output() + "; use Loss.MSE");
            }
            float[] x = target.data();
            for (int i = 0; i < x.length; i++) {
                if (!(x[i] >= 0f && x[i] <= 1f)) {
                    throw new IllegalArgumentException("Reconstruction: the cross-entropy loss needs inputs in [0, 1], "
                            + "input " + i + " (row " + i / target.size(-1) + ") is " + x[i] + "; use Loss.MSE");
                }
            }
            return Losses.binaryCrossEntropyWithLogits(logits, target); // scalar
        }
        return Losses.mse(model.output().apply(logits), target); // scalar
    }

    @Override
    public int predictions(Tensor batch) {
        return batch.size(0);
    }

    @Override
    public Map<String, Rng> generators() {
        return Map.of("trainingNoise", trainingNoise);
    }

    @Override
    public String name() {
        return corruption instanceof Corruption.None ? "reconstruction (" + loss + ")"
                : "denoising reconstruction (" + loss + ", " + corruption + ")";
    }

    private static long contentHash(Tensor batch) {
        return Arrays.hashCode(batch.data()) * 0x9E3779B97F4A7C15L + Arrays.hashCode(batch.shape());
    }
}
