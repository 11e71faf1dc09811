package io.orthrus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A toy block with nested modules, to check the dotted names. */
    static final class Block extends Module {
        final Linear qkv;
        final LayerNorm norm;

        Block(Rng rng) {
            norm = registerModule("ln", new LayerNorm(4));
            Module attn = registerModule("attn", new Module() { });
            qkv = attn.registerModule("qkv", new Linear(4, 12, rng));
        }
    }

    static final class Net extends Module {
        Net(Rng rng) {
            registerModule("wte", new Embedding(10, 4, rng));
            List<Block> blocks = new ArrayList<>();
            blocks.add(new Block(rng));
            blocks.add(new Block(rng));
            registerModule("blocks", new ModuleList<>(blocks));
            registerModule("drop", new Dropout(0.1f, rng));
        }
    }

    @Test
    void evaluatingSwitchesDropoutOffBuildsNoGraphAndRestoresTheMode() {
        Sequential model = new Sequential(new Linear(4, 4, new Rng(1)), new Dropout(0.5f, new Rng(2)));
        Tensor x = Tensor.ones(3, 4);
        for (boolean training : new boolean[] {true, false}) {
            model.train(training);
            Tensor y = model.evaluating(() -> model.forward(x));
            assertFalse(y.requiresGrad(), "no graph is recorded");
            assertEquals(training, model.isTraining(), "the mode is restored");
            try (var g = io.orthrus.tensor.NoGrad.enter()) {
                model.eval();
                assertArrayEquals(model.forward(x).toArray(), y.toArray(), 0f, "dropout was off");
            }
        }
        model.train();
        assertThrows(IllegalStateException.class, () -> model.evaluating(() -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(model.isTraining(), "the mode is restored after a failure too");
    }

    @Test
    void parametersHaveStableDottedNamesInRegistrationOrder() {
        Net net = new Net(new Rng(1));
        assertEquals(List.of("wte.weight", "blocks.0.ln.weight", "blocks.0.ln.bias", "blocks.0.attn.qkv.weight",
                "blocks.0.attn.qkv.bias", "blocks.1.ln.weight", "blocks.1.ln.bias", "blocks.1.attn.qkv.weight",
                "blocks.1.attn.qkv.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(40 + 2 * (4 + 4 + 48 + 12), net.parameterCount());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Net net = new Net(new Rng(1));
        net.eval();
        ModuleList<?> blocks = (ModuleList<?>) net.children().get("blocks");
        assertFalse(blocks.get(1).children().get("attn").isTraining());
        assertFalse(net.children().get("drop").isTraining());
        net.train();
        assertTrue(blocks.get(0).children().get("ln").isTraining());
    }

    @Test
    void zeroGradClearsEveryParameter() {
        Net net = new Net(new Rng(1));
        Embedding wte = (Embedding) net.children().get("wte");
        wte.forward(IntTensor.vector(1, 2)).sum().backward();
        assertNotEquals(0f, wte.weight().grad().sum().item());
        net.zeroGrad();
        assertEquals(0f, wte.weight().grad().sum().item());
    }

    @Test
    void duplicateOrDottedNamesAreRejected() {
        Module m = new Module() { };
        m.registerParameter("w", new Parameter(2));
        assertThrows(IllegalArgumentException.class, () -> m.registerParameter("w", new Parameter(2)));
        assertThrows(IllegalArgumentException.class, () -> m.registerModule("a.b", new LayerNorm(2)));
    }

    @Test
    void linearComputesXTimesWeightTransposedPlusBias() {
        Linear linear = new Linear(3, 2, new Rng(4));
        Tensor x = Tensor.randn(new Rng(5), 4, 3);
        Tensor expected = x.matmul(linear.weight().transpose(0, 1)).add(linear.bias());
        assertArrayEquals(expected.toArray(), linear.forward(x).toArray(), 1e-6f);
        float bound = (float) (1 / Math.sqrt(3));
        for (float w : linear.weight().data()) {
            assertTrue(Math.abs(w) <= bound);
        }
        assertNull(new Linear(3, 2, false, new Rng(4)).bias());
    }

    @Test
    void linearLayerPassesAGradientCheckThroughItsParameters() {
        Linear linear = new Linear(3, 2, new Rng(4));
        Tensor x = Tensor.randn(new Rng(5), 4, 3);
        GradCheck.Result r = GradCheck.check(in -> x.linear(in[0], in[1]).tanh(), linear.weight(), linear.bias());
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void dropoutModuleIsOffInEvaluation() {
        Dropout dropout = new Dropout(0.5f, new Rng(1));
        Tensor x = Tensor.ones(100);
        assertNotEquals(100f, dropout.forward(x).sum().item());
        dropout.eval();
        assertSame(x, dropout.forward(x));
    }

    @Test
    void layerNormModuleNormalisesEachRow() {
        LayerNorm norm = new LayerNorm(5);
        Tensor y = norm.forward(Tensor.randn(new Rng(2), 3, 5).mul(4f).add(7f));
        for (int r = 0; r < 3; r++) {
            Tensor row = y.narrow(0, r, 1);
            assertEquals(0f, row.mean().item(), 1e-5f);
            assertEquals(1f, row.pow(2f).mean().item(), 1e-3f);
        }
    }

    @Test
    void sequentialNamesItsLayersByIndex() {
        Sequential seq = new Sequential(new Linear(2, 3, new Rng(1)), new Activation(Activation.Kind.RELU),
                new Linear(3, 1, new Rng(2)));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(seq.namedParameters().keySet()));
        assertArrayEquals(new int[] {5, 1}, seq.forward(Tensor.zeros(5, 2)).shape());
    }

    @Test
    void initialisationsHaveTheDocumentedScale() {
        Parameter w = new Parameter(200, 300);
        Init.xavierUniform(w, 1f, new Rng(3));
        float bound = (float) Math.sqrt(6.0 / 500);
        float max = 0;
        for (float v : w.data()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.95f * bound, "max " + max + " bound " + bound);
        Init.normal(w, 0.02f, new Rng(3));
        assertEquals(0.02f * 0.02f, w.pow(2f).mean().item(), 2e-5f);
        Init.xavierNormal(w, 1f, new Rng(3));
        assertEquals(2.0f / 500, w.pow(2f).mean().item(), 2e-4f);
        assertEquals(300, Init.fanIn(w));
        assertEquals(200, Init.fanOut(w));
        Init.ones(w);
        assertEquals(60_000f, w.sum().item());
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn(new Parameter(3)));
    }

    @Test
    void embeddingLooksUpRowsAndRejectsBadIds() {
        Embedding e = new Embedding(5, 3, new Rng(1));
        Tensor out = e.forward(IntTensor.of(new int[] {4, 0}, 2));
        assertEquals(e.weight().get(4, 1), out.get(0, 1));
        assertThrows(IllegalArgumentException.class, () -> e.forward(IntTensor.vector(5)));
    }

    @Test
    void rmsNormScalesEachRowToUnitRootMeanSquareTimesItsGain() {
        RmsNorm norm = new RmsNorm(4, 1e-6f);
        assertEquals(1, norm.parameters().size());
        assertArrayEquals(new float[] {1, 1, 1, 1}, norm.weight().data());
        Tensor y = norm.forward(Tensor.of(new float[] {1, -1, 1, -1, 2, 2, 2, 2}, 2, 4));
        assertArrayEquals(new float[] {1, -1, 1, -1, 1, 1, 1, 1}, y.data(), 1e-5f);
        norm.weight().data()[2] = 3f;
        assertEquals(3f, norm.forward(Tensor.of(new float[] {2, 2, 2, 2}, 1, 4)).data()[2], 1e-5f);
        GradCheck.Result r = GradCheck.check(in -> in[0].rmsNorm(in[1], 1e-6f).tanh(), Tensor.randn(new Rng(6), 3, 4),
                norm.weight());
        assertTrue(r.passed(), r.toString());
        assertThrows(IllegalArgumentException.class, () -> new RmsNorm(0, 1e-6f));
        assertThrows(IllegalArgumentException.class, () -> new RmsNorm(4, 0f));
    }
}
