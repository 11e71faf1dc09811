package io.orthrus.cli;

import io.orthrus.model.Autoencoder;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingListener;
import io.orthrus.train.TrainingOptions;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orthrus demo}: the classic 8-3-8 autoencoder of Rumelhart, Hinton and Williams, the
 * smallest autoencoding model. Eight one-hot inputs must pass through three sigmoid units, so
 * the network has to invent a 3-bit code; the demo trains it and prints the code it found.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the 8-3-8 autoencoder and show the binary code it invents.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seed", defaultValue = "2", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "1500", description = "Adam steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        out.println("Orthrus demo: the 8-3-8 autoencoder x -> y = sigmoid(Wx + b) -> z = sigmoid(W'y + b')");
        out.println("GEMM kernel: " + Kernels.gemm().name());
        Autoencoder autoencoder = new Autoencoder(Autoencoder.Config.of(8, 3), new Rng(seed));
        float[] identity = new float[64];
        for (int i = 0; i < 8; i++) {
            identity[i * 9] = 1f;
        }
        Tensor x = Tensor.of(identity, 8, 8); // the eight one-hot inputs, (8, 8)
        Reconstruction objective = Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY);
        Trainer<Autoencoder, Tensor> trainer = new Trainer<>(autoencoder, objective,
                TrainingOptions.nanoGpt(steps).withLearningRate(0.05, 0.005).withWeightDecay(0).withEvaluation(0, 1));
        int every = Math.max(1, steps / 10);
        trainer.addListener(new TrainingListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                if (metrics.step() == 1 || metrics.step() % every == 0) {
                    out.printf(Locale.ROOT, "step %5d  reconstruction cross-entropy %.6f%n", metrics.step(), metrics.loss());
                }
            }
        });
        trainer.fit(() -> x, () -> x);
        out.println("input -> hidden code (3 units) -> reconstructed position");
        try (var g = NoGrad.enter()) {
            Tensor codes = autoencoder.encode(x); // (8, 3)
            Tensor z = autoencoder.reconstruct(x); // (8, 8)
            for (int i = 0; i < 8; i++) {
                int best = 0;
                for (int j = 1; j < 8; j++) {
                    best = z.get(i, j) > z.get(i, best) ? j : best;
                }
                out.printf(Locale.ROOT, "  %d -> [%.2f %.2f %.2f] -> %d%n", i, codes.get(i, 0), codes.get(i, 1),
                        codes.get(i, 2), best);
            }
        }
        return 0;
    }
}
