package io.orthrus.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.nn.LayerNorm;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.Sequential;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    private static final float FLOAT_TOLERANCE = 1e-6f;

    private static List<ParamGroup> single(Parameter p, double decay) {
        return List.of(new ParamGroup("g", Map.of("p", p), decay));
    }

    private static Parameter parameter(float... values) {
        return new Parameter(Tensor.of(values, values.length));
    }

    private static void setGrad(Parameter p, float... grad) {
        System.arraycopy(grad, 0, p.gradBuffer(), 0, grad.length);
    }

    @Test
    void sgdWithMomentumFollowsThePyTorchRecurrence() {
        Parameter p = parameter(1f);
        Sgd sgd = new Sgd(single(p, 0.0), 0.1, 0.9, false);
        setGrad(p, 2f);
        sgd.step(); // v = 2, θ = 1 - 0.2
        assertEquals(0.8f, p.get(0), FLOAT_TOLERANCE);
        sgd.step(); // v = 0.9·2 + 2 = 3.8, θ = 0.8 - 0.38
        assertEquals(0.42f, p.get(0), FLOAT_TOLERANCE);
        Parameter q = parameter(1f);
        Sgd nesterov = new Sgd(single(q, 0.0), 0.1, 0.9, true);
        setGrad(q, 2f);
        nesterov.step(); // v = 2, step g + μv = 3.8
        assertEquals(1f - 0.38f, q.get(0), FLOAT_TOLERANCE);
    }

    @Test
    void adamMatchesADoublePrecisionReferenceOverManySteps() {
        Rng rng = new Rng(8);
        Parameter p = new Parameter(Tensor.randn(rng, 6));
        double[] theta = new double[6], m = new double[6], v = new double[6];
        for (int i = 0; i < 6; i++) {
            theta[i] = p.get(i);
        }
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, decay = 0.05;
        Adam adam = new Adam(single(p, decay), lr);
        for (int t = 1; t <= 50; t++) {
            float[] g = Tensor.randn(rng, 6).data();
            setGrad(p, g);
            adam.step();
            for (int i = 0; i < 6; i++) {
                double gi = g[i] + decay * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                theta[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(theta[i], p.get(i), 1e-5);
        }
    }

    @Test
    void adamWDecaysDecoupledFromTheGradient() {
        Parameter p = parameter(2f, -4f);
        AdamW adamW = new AdamW(single(p, 0.1), 0.5);
        setGrad(p, 0f, 0f);
        adamW.step(); // zero gradient: only θ·(1 - lr·λ) = θ·0.95
        assertArrayEquals(new float[] {1.9f, -3.8f}, p.toArray(), FLOAT_TOLERANCE);
        Parameter q = parameter(2f, -4f);
        Adam coupled = new Adam(single(q, 0.1), 0.5);
        setGrad(q, 0f, 0f);
        coupled.step(); // the decay passes through Adam's scaling: a step of ≈ lr·sign(θ)
        assertArrayEquals(new float[] {1.5f, -3.5f}, q.toArray(), 1e-5f);
    }

    @Test
    void theFusedStepOverAllParametersMatchesOneParameterAtATime() {
        // Sizes that put chunk boundaries inside parameters, and a small one that shares a chunk with its neighbours.
        Rng rng = new Rng(5);
        int[] sizes = {40_000, 5, 30_000, 7};
        Parameter[] together = new Parameter[sizes.length], alone = new Parameter[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            together[i] = new Parameter(Tensor.randn(rng, sizes[i]));
            alone[i] = new Parameter(Tensor.of(together[i].toArray(), sizes[i]));
        }
        AdamW fused = new AdamW(List.of(
                new ParamGroup("decay", Map.of("a", together[0]), 0.1),
                new ParamGroup("no_decay", new java.util.LinkedHashMap<>(Map.of("b", together[1])), 0.0),
                new ParamGroup("more", orderedMap("c", together[2], "unused", together[3]), 0.2)), 0.01, 0.9, 0.99, 1e-8);
        double[] decays = {0.1, 0.0, 0.2};
        List<AdamW> separate = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            separate.add(new AdamW(single(alone[i], decays[i]), 0.01, 0.9, 0.99, 1e-8));
        }
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < 3; i++) { // parameter 3 gets no gradient: it must not move
                float[] g = Tensor.randn(rng, sizes[i]).data();
                setGrad(together[i], g);
                setGrad(alone[i], g);
            }
            fused.step();
            separate.forEach(Optimizer::step);
            fused.zeroGrad();
            separate.forEach(Optimizer::zeroGrad);
        }
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(alone[i].toArray(), together[i].toArray(), 0f, "parameter " + i);
        }
        assertArrayEquals(new float[sizes[0]], together[0].grad().toArray(), 0f);
        OptimizerState state = fused.state();
        assertEquals(List.of("a#exp_avg", "a#exp_avg_sq", "b#exp_avg", "b#exp_avg_sq", "c#exp_avg", "c#exp_avg_sq",
                "unused#exp_avg", "unused#exp_avg_sq"), List.copyOf(state.buffers().keySet()));
        assertArrayEquals(separate.get(2).state().buffers().get("p#exp_avg_sq"), state.buffers().get("c#exp_avg_sq"), 0f);
        assertArrayEquals(new float[7], state.buffers().get("unused#exp_avg"), 0f);
    }

    private static Map<String, Parameter> orderedMap(String k1, Parameter v1, String k2, Parameter v2) {
        Map<String, Parameter> map = new java.util.LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    @Test
    void loadStateRejectsABufferTheOptimizerDoesNotKeep() {
        Parameter p = parameter(1f, 2f);
        AdamW adamW = new AdamW(single(p, 0.0), 0.1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> adamW.loadState(new OptimizerState("AdamW", 1, 0.1, Map.of("p#momentum", new float[2]))));
        assertTrue(e.getMessage().contains("'p#momentum' is not kept by this AdamW"), e.getMessage());
        assertTrue(adamW.bufferNames().isEmpty());
    }

    @Test
    void globalNormOverManyChunksEqualsTheSerialSum() {
        Rng rng = new Rng(9);
        List<Parameter> params = List.of(new Parameter(Tensor.randn(rng, 50_000)), new Parameter(Tensor.randn(rng, 3)),
                new Parameter(Tensor.randn(rng, 70_001)));
        double sumSq = 0;
        for (Parameter p : params) {
            float[] g = Tensor.randn(rng, p.numel()).data();
            setGrad(p, g);
            for (float x : g) {
                sumSq += (double) x * x;
            }
        }
        double measured = GradClip.globalNorm(params);
        double norm = GradClip.clipGlobalNorm(params, 1.0);
        // The vector kernel sums squares in float over runs of 256 (MathKernel.sumOfSquares).
        assertEquals(Math.sqrt(sumSq), norm, 1e-7 * norm);
        assertEquals(measured, norm, 0.0);
        double after = 0;
        for (Parameter p : params) {
            for (float x : p.grad().toArray()) {
                after += (double) x * x;
            }
        }
        assertEquals(1.0, Math.sqrt(after), 1e-5);
    }

    @Test
    void decayGroupsKeepBiasesAndNormsOutOfDecay() {
        Module model = new Sequential(new Linear(3, 4, new Rng(1)), new LayerNorm(4));
        List<ParamGroup> groups = ParamGroup.decayMatricesOnly(model, 0.1);
        assertEquals(List.of("0.weight"), List.copyOf(groups.get(0).parameters().keySet()));
        assertEquals(List.of("0.bias", "1.weight", "1.bias"), List.copyOf(groups.get(1).parameters().keySet()));
        assertEquals(0.0, groups.get(1).weightDecay());
    }

    @Test
    void aParameterInTwoGroupsIsRejected() {
        Parameter p = parameter(1f);
        List<ParamGroup> groups = List.of(new ParamGroup("a", Map.of("p", p), 0), new ParamGroup("b", Map.of("q", p), 0));
        var e = assertThrows(IllegalArgumentException.class, () -> new AdamW(groups, 0.1));
        assertTrue(e.getMessage().contains("exactly one group"), e.getMessage());
    }

    @Test
    void parametersWithoutGradientsAreLeftAlone() {
        Parameter p = parameter(1f);
        new Sgd(single(p, 0.0), 0.1).step();
        assertEquals(1f, p.get(0));
    }

    @Test
    void stateRoundTripContinuesBitIdentically() {
        Rng rng = new Rng(3);
        Parameter a = new Parameter(Tensor.randn(rng, 5));
        Parameter b = new Parameter(Tensor.of(a.toArray(), 5));
        AdamW first = new AdamW(single(a, 0.1), 0.01);
        float[][] grads = new float[6][];
        for (int i = 0; i < 6; i++) {
            grads[i] = Tensor.randn(rng, 5).data();
        }
        for (int i = 0; i < 3; i++) {
            setGrad(a, grads[i]);
            first.step();
        }
        OptimizerState saved = first.state();
        assertEquals(List.of("p#exp_avg", "p#exp_avg_sq"), List.copyOf(saved.buffers().keySet()));
        System.arraycopy(a.data(), 0, b.data(), 0, 5);
        AdamW second = new AdamW(single(b, 0.1), 0.5);
        second.loadState(saved);
        assertEquals(3, second.stepCount());
        assertEquals(0.01, second.learningRate());
        for (int i = 3; i < 6; i++) {
            setGrad(a, grads[i]);
            first.step();
            setGrad(b, grads[i]);
            second.step();
        }
        assertArrayEquals(a.toArray(), b.toArray(), 0f);
    }

    @Test
    void loadStateRejectsAMismatchWithoutChangingAnything() {
        Parameter p = parameter(1f, 2f);
        AdamW adamW = new AdamW(single(p, 0.0), 0.1);
        OptimizerState wrongSize = new OptimizerState("AdamW", 5, 0.3, Map.of("p#exp_avg", new float[3]));
        var e = assertThrows(IllegalArgumentException.class, () -> adamW.loadState(wrongSize));
        assertTrue(e.getMessage().contains("'p#exp_avg' has 3 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> adamW.loadState(new OptimizerState("AdamW", 1, 0.1, Map.of("other#exp_avg", new float[2]))));
        assertThrows(IllegalArgumentException.class,
                () -> adamW.loadState(new OptimizerState("Sgd", 1, 0.1, Map.of())));
        assertEquals(0, adamW.stepCount());
        assertEquals(0.1, adamW.learningRate());
        assertTrue(adamW.bufferNames().isEmpty());
    }

    @Test
    void globalNormClippingScalesAllGradientsTogether() {
        Parameter a = parameter(0f, 0f), b = parameter(0f);
        setGrad(a, 3f, 0f);
        setGrad(b, 4f);
        double norm = GradClip.clipGlobalNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-9);
        assertArrayEquals(new float[] {0.6f, 0f}, a.grad().toArray(), 1e-6f);
        assertEquals(0.8f, b.grad().get(0), 1e-6f);
        assertEquals(1.0, GradClip.clipGlobalNorm(List.of(a, b), 2.0), 1e-5); // under the bound: unchanged
        assertEquals(0.8f, b.grad().get(0), 1e-6f);
    }

    @Test
    void aStepWithTheClippingScaleEqualsClippingInPlaceThenStepping() {
        // Trainer's fused path (norm, then stepAndZeroGrad(scale)) against clipGlobalNorm, step, zeroGrad.
        Rng rng = new Rng(11);
        int[] sizes = {40_000, 3, 30_001};
        for (int kind = 0; kind < 4; kind++) {
            Parameter[] fused = new Parameter[sizes.length], separate = new Parameter[sizes.length];
            Map<String, Parameter> fusedMap = new java.util.LinkedHashMap<>(), separateMap = new java.util.LinkedHashMap<>();
            for (int i = 0; i < sizes.length; i++) {
                fused[i] = new Parameter(Tensor.randn(rng, sizes[i]));
                separate[i] = new Parameter(Tensor.of(fused[i].toArray(), sizes[i]));
                fusedMap.put("p" + i, fused[i]);
                separateMap.put("p" + i, separate[i]);
            }
            Optimizer a = optimizer(kind, fusedMap), b = optimizer(kind, separateMap);
            for (int step = 0; step < 3; step++) {
                for (int i = 0; i < sizes.length; i++) {
                    float[] g = Tensor.randn(rng, sizes[i]).data();
                    setGrad(fused[i], g);
                    setGrad(separate[i], g);
                }
                double maxNorm = step == 1 ? 1e6 : 1.0; // clipped, not clipped, clipped
                double norm = GradClip.globalNorm(List.of(fused));
                a.stepAndZeroGrad(GradClip.scale(norm, maxNorm));
                assertEquals(norm, GradClip.clipGlobalNorm(List.of(separate), maxNorm), 0.0);
                b.step();
                b.zeroGrad();
                for (int i = 0; i < sizes.length; i++) {
                    assertArrayEquals(separate[i].toArray(), fused[i].toArray(), 0f, a.kind() + " parameter " + i);
                    assertArrayEquals(new float[sizes[i]], fused[i].grad().toArray(), 0f, "gradients zeroed");
                }
            }
        }
    }

    private static Optimizer optimizer(int kind, Map<String, Parameter> params) {
        List<ParamGroup> groups = List.of(new ParamGroup("all", params, 0.1));
        return switch (kind) {
            case 0 -> new AdamW(groups, 0.01, 0.9, 0.99, 1e-8);
            case 1 -> new Adam(groups, 0.01);
            case 2 -> new Sgd(groups, 0.1, 0.9, true);
            default -> new PlainSgd(groups); // a rule written outside the library
        };
    }

    /** SGD written as a user might, reading the gradient as it is. */
    private static final class PlainSgd extends Optimizer {
        PlainSgd(List<ParamGroup> groups) {
            super(groups, 0.1);
        }

        @Override
        public String kind() {
            return "PlainSgd";
        }

        @Override
        protected List<String> stateNames() {
            return List.of();
        }

        @Override
        protected void update(Slice slice, double lr, long step) {
            for (int i = slice.from(); i < slice.to(); i++) {
                slice.values()[i] -= (float) lr * slice.grad()[i];
            }
        }
    }

    @Test
    void stepWithAScaleScalesTheGradientsAndRejectsABadScale() {
        Parameter p = parameter(1f, 2f);
        setGrad(p, 0.5f, -0.5f);
        Sgd sgd = new Sgd(single(p, 0.0), 0.1);
        sgd.step(0.5);
        assertArrayEquals(new float[] {0.975f, 2.025f}, p.toArray(), 1e-7f);
        assertArrayEquals(new float[] {0.25f, -0.25f}, p.grad().toArray(), 0f);
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> sgd.stepAndZeroGrad(bad));
            assertTrue(e.getMessage().contains("gradScale"), e.getMessage());
        }
        assertEquals(1, sgd.stepCount(), "a rejected step changes nothing");
        assertEquals(1.0, GradClip.scale(0.5, 1.0));
        assertEquals((float) (1.0 / (4.0 + 1e-6)), GradClip.scale(4.0, 1.0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> GradClip.scale(1.0, 0.0));
    }

    @Test
    void warmupCosineScheduleMatchesNanoGpt() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 100, 2000, 1e-4);
        assertEquals(1e-3 / 101, s.at(0), 1e-12);
        assertEquals(1e-3 * 100 / 101, s.at(99), 1e-12);
        assertEquals(1e-3, s.at(100), 1e-12);
        assertEquals(1e-4 + 0.5 * (1e-3 - 1e-4), s.at(1050), 1e-12);
        assertEquals(1e-4, s.at(2000), 1e-12);
        assertEquals(1e-4, s.at(5000), 1e-12);
        assertEquals(0.3, LrSchedule.constant(0.3).at(77));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-4, 10, 5, 1e-3));
    }

    @Test
    void invalidHyperparametersNameTheParameter() {
        Parameter p = parameter(1f);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sgd(single(p, 0), -1)).getMessage()
                .contains("learning rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Sgd(single(p, 0), 0.1, 1.0, false))
                .getMessage().contains("momentum"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(single(p, 0), 0.1, 1.0, 0.9, 1e-8))
                .getMessage().contains("betas"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> single(p, -0.1)).getMessage()
                .contains("weight decay"));
    }
}
