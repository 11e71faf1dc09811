package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.Glyphs;
import io.orthrus.data.LabeledVectors;
import io.orthrus.model.Autoencoder;
import io.orthrus.model.VectorClassifier;
import io.orthrus.nn.Parameter;
import io.orthrus.objective.Classification;
import io.orthrus.objective.Corruption;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.train.LayerwisePretraining;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measured results of docs/autoencoders.md. About a minute with the Vector API on 2 cores:
 * {@code mvn surefire:test@vector-api -Dgroups=slow -Dslow.excluded= -Dtest=AutoencoderDocTest}.
 */
@Tag("slow")
class AutoencoderDocTest {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderDocTest.class);
    private static final LabeledVectors UNLABELED = Glyphs.sample(5000, new Rng(1));
    private static final LabeledVectors TEST = Glyphs.sample(1000, new Rng(2));

    private static TrainingOptions options(int steps, double lr) {
        return TrainingOptions.nanoGpt(steps).withLearningRate(lr, lr / 10).withWeightDecay(0).withEvaluation(0, 4);
    }

    @Test
    void denoisingAutoencoderCleansGlyphs() {
        // --- docs/autoencoders.md: denoising ---
        Reconstruction dae = Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY, Corruption.saltAndPepper(0.1), 5);
        Autoencoder model = new Autoencoder(Autoencoder.Config.of(Glyphs.PIXELS, 128), new Rng(3));
        new Trainer<>(model, dae, options(4000, 3e-3)).fit(UNLABELED.inputBatches(64, new Rng(4)),
                TEST.inputBatches(250, new Rng(5)));
        model.eval();
        try (var g = NoGrad.enter()) {
            Tensor noisy = dae.corrupt(model, TEST.inputs());
            Tensor cleaned = model.reconstruct(noisy);
            double noisyError = Losses.mse(noisy, TEST.inputs()).item();
            double cleanedError = Losses.mse(cleaned, TEST.inputs()).item();
            LOG.info("per-pixel squared error: noisy input {}, reconstruction {}; wrong pixels: {} and {}",
                    format(noisyError), format(cleanedError), format(wrongPixels(noisy)), format(wrongPixels(cleaned)));
            for (int row : new int[] {3, 17}) {
                LOG.info("noisy / cleaned / clean:\n{}", sideBySide(Glyphs.render(noisy, row), Glyphs.render(cleaned, row),
                        Glyphs.render(TEST.inputs(), row)));
            }
            assertTrue(cleanedError < 0.25 * noisyError, cleanedError + " against " + noisyError);
        }
    }

    @Test
    void layerwisePretrainingHelpsADeepClassifierWithFewLabels() {
        // --- docs/autoencoders.md: pre-training ---
        Autoencoder.Config shape = Autoencoder.Config.of(Glyphs.PIXELS, 256, 128, 64, 32);
        Autoencoder pretrained = new Autoencoder(shape, new Rng(6));
        Reconstruction dae = Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY, Corruption.masking(0.25), 5);
        List<TrainingResult> perLayer = LayerwisePretraining.pretrain(pretrained, UNLABELED.inputBatches(64, new Rng(7)),
                TEST.inputBatches(250, new Rng(8)), dae, options(2000, 3e-3));
        perLayer.forEach(r -> LOG.info("layer validation loss {}", format(r.validationLoss())));
        StringBuilder table = new StringBuilder("labels | seed | pre-trained | from scratch | 2 layers from scratch\n");
        double[] meanGain = new double[3];
        int[] labelCounts = {20, 50, 100};
        for (int l = 0; l < labelCounts.length; l++) {
            for (int seed = 0; seed < 3; seed++) {
                // Labelled examples the pre-training never used as a label source: images 1000 + 200·seed onwards.
                LabeledVectors labelled = UNLABELED.slice(1000 + 200 * seed, 1000 + 200 * seed + labelCounts[l]);
                double[] accuracy = new double[3];
                for (int start = 0; start < 3; start++) {
                    // 0: the pre-trained deep stack; 1: the same shape from scratch; 2: a shallow network from scratch
                    Autoencoder stack = new Autoencoder(start == 2 ? Autoencoder.Config.of(Glyphs.PIXELS, 128, 64) : shape,
                            new Rng(100 + seed));
                    if (start == 0) {
                        copyParameters(pretrained, stack);
                    }
                    VectorClassifier classifier = new VectorClassifier(stack.encoder(), start == 2 ? 64 : 32, 10,
                            new Rng(9 + seed));
                    new Trainer<>(classifier, new Classification<Tensor, LabeledVectors>(), options(1000, 1e-3))
                            .fit(labelled.batches(Math.min(32, labelCounts[l]), new Rng(10 + seed)),
                                    TEST.batches(100, new Rng(11)));
                    accuracy[start] = accuracy(classifier.predict(TEST.inputs()));
                }
                meanGain[l] += (accuracy[0] - accuracy[1]) / 3;
                table.append(String.format(Locale.ROOT, "%d | %d | %.3f | %.3f | %.3f%n", labelCounts[l], seed,
                        accuracy[0], accuracy[1], accuracy[2]));
            }
        }
        LOG.info("test accuracy on 1000 glyphs:\n{}mean gain {} / {} / {}", table, format(meanGain[0]),
                format(meanGain[1]), format(meanGain[2]));
        assertTrue(meanGain[1] > 0.03 && meanGain[2] > 0.05, "gains " + meanGain[1] + ", " + meanGain[2]);
    }

    private static double accuracy(int[] predicted) {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == TEST.labels().data()[i] ? 1 : 0;
        }
        return correct / (double) predicted.length;
    }

    private static double wrongPixels(Tensor images) {
        float[] x = images.data(), clean = TEST.inputs().data();
        int wrong = 0;
        for (int i = 0; i < x.length; i++) {
            wrong += (x[i] > 0.5f) != (clean[i] > 0.5f) ? 1 : 0;
        }
        return wrong / (double) x.length;
    }

    private static void copyParameters(Autoencoder from, Autoencoder to) {
        Map<String, Parameter> target = to.namedParameters();
        from.namedParameters().forEach((name, p) ->
                System.arraycopy(p.data(), 0, target.get(name).data(), 0, p.data().length));
    }

    private static String sideBySide(String... pictures) {
        String[][] lines = new String[pictures.length][];
        for (int i = 0; i < pictures.length; i++) {
            lines[i] = pictures[i].split("\n");
        }
        StringBuilder out = new StringBuilder();
        for (int row = 0; row < lines[0].length; row++) {
            for (String[] picture : lines) {
                out.append(picture[row]).append("   ");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
