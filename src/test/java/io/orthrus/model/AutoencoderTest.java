package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.Glyphs;
import io.orthrus.data.LabeledVectors;
import io.orthrus.nn.Activation;
import io.orthrus.objective.Corruption;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.train.LayerwisePretraining;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoencoderTest {
    private static final Tensor ONE_HOT = oneHot(8);

    private static Tensor oneHot(int n) {
        float[] identity = new float[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * (n + 1)] = 1f;
        }
        return Tensor.of(identity, n, n);
    }

    private static TrainingOptions options(int steps, double lr) {
        return TrainingOptions.nanoGpt(steps).withLearningRate(lr, lr / 10).withWeightDecay(0).withEvaluation(0, 1);
    }

    private static TrainingResult trainEightThreeEight(Autoencoder model) {
        return new Trainer<>(model, Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY), options(1500, 0.05))
                .fit(() -> ONE_HOT, () -> ONE_HOT);
    }

    /** Rumelhart, Hinton and Williams' 8-3-8 problem: eight one-hot inputs through three sigmoid units. */
    @Test
    void eightThreeEightAutoencoderInventsACodeAndIsDeterministic() {
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(8, 3), new Rng(2));
        TrainingResult first = trainEightThreeEight(model);
        TrainingResult second = trainEightThreeEight(new Autoencoder(Autoencoder.Config.of(8, 3), new Rng(2)));
        assertEquals(first.validationLoss(), second.validationLoss(), 0.0, "bit-identical for a fixed seed");
        // Per-input cross-entropy of a perfect reconstruction is 0; an autoencoder that copies the
        // mean (1/8 everywhere) costs H(1/8) = 0.377 nats. Every input must come back as itself.
        assertTrue(first.validationLoss() < 0.05, "reconstruction cross-entropy " + first.validationLoss());
        try (var g = NoGrad.enter()) {
            Tensor z = model.reconstruct(ONE_HOT); // (8, 8)
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    assertTrue(i == j ? z.get(i, j) > 0.5f : z.get(i, j) < 0.5f, "input " + i + " output " + j);
                }
            }
            assertArrayEquals(new int[] {8, 3}, model.encode(ONE_HOT).shape());
        }
    }

    @Test
    void tiedWeightsUseTheEncoderTransposeAndPassAGradientCheck() {
        Autoencoder tied = new Autoencoder(Autoencoder.Config.of(6, 4, 3).withTiedWeights(true)
                .withActivation(Activation.Kind.TANH).withOutput(Autoencoder.Output.LINEAR), new Rng(1));
        assertEquals(List.of("encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                "decoder.0.bias", "decoder.1.bias"), List.copyOf(tied.namedParameters().keySet()));
        Autoencoder untied = new Autoencoder(Autoencoder.Config.of(6, 4, 3), new Rng(1));
        assertEquals(6 * 4 + 4 + 4 * 3 + 3 + (4 * 6 + 6) + (3 * 4 + 4), untied.parameterCount());
        Tensor x = Tensor.uniform(new Rng(5), 0f, 1f, 5, 6);
        for (Autoencoder model : new Autoencoder[] {tied, untied}) {
            Reconstruction mse = Reconstruction.plain(Reconstruction.Loss.MSE);
            GradCheck.Result r = GradCheck.checkInPlace(() -> mse.loss(model, x),
                    model.parameters().toArray(Tensor[]::new));
            assertTrue(r.passed(), r.toString());
        }
        Reconstruction crossEntropy = Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY);
        GradCheck.Result r = GradCheck.checkInPlace(() -> crossEntropy.loss(untied, x),
                untied.parameters().toArray(Tensor[]::new));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void denoisingAutoencoderRemovesMostOfTheNoise() {
        LabeledVectors glyphs = Glyphs.sample(2000, new Rng(1)), test = Glyphs.sample(300, new Rng(2));
        Reconstruction dae = Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY, Corruption.saltAndPepper(0.1), 5);
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(Glyphs.PIXELS, 128), new Rng(3));
        new Trainer<>(model, dae, options(1500, 3e-3)).fit(glyphs.inputBatches(64, new Rng(4)),
                test.inputBatches(100, new Rng(5)));
        model.eval();
        try (var g = NoGrad.enter()) {
            Tensor noisy = dae.corrupt(model, test.inputs());
            double noisyError = Losses.mse(noisy, test.inputs()).item();
            double reconstructionError = Losses.mse(model.reconstruct(noisy), test.inputs()).item();
            // Salt-and-pepper at 0.1 flips about 5% of the pixels (half of the noised ones already had the value).
            assertEquals(0.05, noisyError, 0.01);
            assertTrue(reconstructionError < 0.4 * noisyError, "reconstruction error " + reconstructionError
                    + " against " + noisyError + " for returning the noisy input");
        }
    }

    @Test
    void layerwisePretrainingTrainsOneLayerAtATimeOnTheCodesBelow() {
        LabeledVectors glyphs = Glyphs.sample(500, new Rng(1));
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(Glyphs.PIXELS, 32, 16), new Rng(2));
        Reconstruction dae = Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY, Corruption.masking(0.25), 3);
        Tensor probe = glyphs.slice(0, 100).inputs();
        Reconstruction measure = Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY, Corruption.masking(0.25), 3);
        double[] before = {measure.loss(model.layer(0), probe).item(),
                measure.loss(model.layer(1), model.encodeThrough(1, probe)).item()};
        List<TrainingResult> results = LayerwisePretraining.pretrain(model, glyphs.inputBatches(32, new Rng(3)),
                glyphs.inputBatches(100, new Rng(4)), dae, options(300, 3e-3));
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            assertTrue(results.get(i).validationLoss() < 0.9 * before[i], "layer " + i + ": " + before[i] + " -> "
                    + results.get(i).validationLoss());
        }
        // Training layer 1 leaves layer 0 alone: pre-train layer 0 only and compare.
        Autoencoder onlyFirst = new Autoencoder(Autoencoder.Config.of(Glyphs.PIXELS, 32, 16), new Rng(2));
        new Trainer<>(onlyFirst.layer(0), Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY,
                Corruption.masking(0.25), 3), options(300, 3e-3)).fit(glyphs.inputBatches(32, new Rng(3)),
                glyphs.inputBatches(100, new Rng(4)));
        assertArrayEquals(onlyFirst.layer(0).parameters().get(0).toArray(), model.layer(0).parameters().get(0).toArray(), 0f);
    }

    @Test
    void badInputIsNamed() {
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(4, 2), new Rng(1));
        Reconstruction crossEntropy = Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> crossEntropy.loss(model, Tensor.of(new float[] {0, 0.5f, 1, 0, 0, 1.5f, 0, 0}, 2, 4)));
        assertTrue(e.getMessage().contains("inputs in [0, 1], input 5 (row 1) is 1.5"), e.getMessage());
        Autoencoder linear = new Autoencoder(Autoencoder.Config.of(4, 2).withOutput(Autoencoder.Output.LINEAR), new Rng(1));
        e = assertThrows(IllegalArgumentException.class, () -> crossEntropy.loss(linear, Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("needs a SIGMOID output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.encode(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("(N, 4), got [2, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autoencoder.Config.of(4));
        assertTrue(e.getMessage().contains("hidden"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Autoencoder.Config.of(4, 0));
        assertThrows(IllegalArgumentException.class, () -> model.layer(1));
    }
}
