package io.orthrus.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Autoencoder;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CorruptionTest {
    private static final int N = 20_000;
    private static final double TOLERANCE = 0.01; // about 3 standard errors of a proportion over 20,000 draws

    @Test
    void maskingZeroesTheRequestedFractionAndLeavesTheInputAlone() {
        Tensor ones = Tensor.ones(N);
        Tensor masked = Corruption.masking(0.3).apply(ones, new Rng(1));
        double zeros = 0;
        for (float v : masked.data()) {
            assertTrue(v == 0f || v == 1f);
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(0.3, zeros / N, TOLERANCE);
        assertEquals(N, ones.sum().item(), 0.0, "the input is not modified");
    }

    @Test
    void saltAndPepperSetsTheFractionToZeroOrOneEvenly() {
        Tensor half = Tensor.full(0.5f, N);
        float[] noisy = Corruption.saltAndPepper(0.2).apply(half, new Rng(2)).data();
        double salt = 0, pepper = 0;
        for (float v : noisy) {
            salt += v == 1f ? 1 : 0;
            pepper += v == 0f ? 1 : 0;
        }
        assertEquals(0.1, salt / N, TOLERANCE);
        assertEquals(0.1, pepper / N, TOLERANCE);
    }

    @Test
    void gaussianNoiseHasTheRequestedSpread() {
        float[] noisy = Corruption.gaussian(0.5).apply(Tensor.zeros(N), new Rng(3)).data();
        double sum = 0, squares = 0;
        for (float v : noisy) {
            sum += v;
            squares += v * v;
        }
        assertEquals(0.0, sum / N, 0.02);
        assertEquals(0.25, squares / N, 0.01);
    }

    @Test
    void noiseLevelsOutsideTheirRangeAreRefused() {
        for (double bad : new double[] {-0.1, 1.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Corruption.masking(bad));
            assertTrue(e.getMessage().contains("noise level must be in [0, 1)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Corruption.saltAndPepper(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> Corruption.gaussian(-1));
        assertThrows(IllegalArgumentException.class, () -> Corruption.gaussian(Double.POSITIVE_INFINITY));
    }

    @Test
    void evaluationNoiseDependsOnTheBatchAndLeavesTrainingNoiseAlone() {
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(50, 4), new Rng(1));
        Tensor batch = Tensor.ones(4, 50);
        Reconstruction a = Reconstruction.denoising(Reconstruction.Loss.MSE, Corruption.masking(0.5), 7);
        Reconstruction b = Reconstruction.denoising(Reconstruction.Loss.MSE, Corruption.masking(0.5), 7);
        model.eval();
        float[] evaluated = a.corrupt(model, batch).toArray();
        assertArrayEquals(evaluated, a.corrupt(model, batch).toArray(), 0f, "fixed noise for a fixed batch");
        model.train();
        float[] first = a.corrupt(model, batch).toArray();
        assertArrayEquals(first, b.corrupt(model, batch).toArray(), 0f, "evaluating did not advance the training noise");
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(a.corrupt(model, batch).toArray()),
                "training draws fresh noise every call");
    }
}
