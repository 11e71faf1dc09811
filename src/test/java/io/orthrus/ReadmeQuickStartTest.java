package io.orthrus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.nn.Activation;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Sequential;
import io.orthrus.optim.AdamW;
import io.orthrus.optim.ParamGroup;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The README's quick start, verbatim, so that the README stays true to the API. */
class ReadmeQuickStartTest {
    @Test
    void quickStartLearnsXor() {
        Rng rng = new Rng(42);
        var mlp = new Sequential(new Linear(2, 8, rng), new Activation(Activation.Kind.TANH), new Linear(8, 1, rng));
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);   // (4, 2)
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);               // (4, 1)
        var optimizer = new AdamW(ParamGroup.decayMatricesOnly(mlp, 0.0), 0.05);
        Tensor loss = null;
        for (int step = 0; step < 500; step++) {
            optimizer.zeroGrad();
            loss = Losses.binaryCrossEntropyWithLogits(mlp.forward(x), y);
            loss.backward();
            optimizer.step();
        }
        assertTrue(loss.item() < 0.01f, "final loss " + loss.item());
    }
}
