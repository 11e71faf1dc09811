package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A finite-difference gradient check for every differentiable op, with broadcasting and size-1 cases. */
class OpsGradientTest {
    private final Rng rng = new Rng(7);

    private Tensor randn(int... shape) {
        return Tensor.randn(rng, shape);
    }

    /** Values in [low, high): for log, sqrt, pow and division, which need positive inputs. */
    private Tensor positive(int... shape) {
        return Tensor.uniform(rng, 0.5f, 2f, shape);
    }

    /** Values at least 0.1 away from 0, so that ±ε never crosses relu's kink. */
    private Tensor awayFromZero(int... shape) {
        Tensor t = Tensor.uniform(rng, 0.1f, 2f, shape);
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            if (rng.nextFloat() < 0.5f) {
                v[i] = -v[i];
            }
        }
        return t;
    }

    private static void assertGrad(Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result result = GradCheck.check(f, inputs);
        assertTrue(result.passed(), result.toString());
    }

    @Test
    void addSubMulDivSameShape() {
        assertGrad(in -> in[0].add(in[1]), randn(3, 4), randn(3, 4));
        assertGrad(in -> in[0].sub(in[1]), randn(3, 4), randn(3, 4));
        assertGrad(in -> in[0].mul(in[1]), randn(3, 4), randn(3, 4));
        assertGrad(in -> in[0].div(in[1]), randn(3, 4), positive(3, 4));
    }

    @Test
    void binaryOpsBroadcastRowColumnAndScalar() {
        assertGrad(in -> in[0].add(in[1]), randn(2, 3, 4), randn(4));
        assertGrad(in -> in[0].sub(in[1]), randn(2, 3, 4), randn(3, 1));
        assertGrad(in -> in[0].mul(in[1]), randn(2, 1, 4), randn(3, 1));
        assertGrad(in -> in[0].div(in[1]), randn(1, 3), positive(2, 1));
        assertGrad(in -> in[0].mul(in[1]), randn(2, 3), randn());
        assertGrad(in -> in[0].add(in[1]), randn(1), randn(2, 1, 3));
        assertGrad(in -> in[0].add(in[1]), randn(3, 4), randn(2, 3, 4)); // a position table, either side
        assertGrad(in -> in[0].add(in[1]), randn(1, 3, 4), randn(2, 1, 4));
        assertGrad(in -> in[0].sub(in[1]), randn(2, 3, 4), randn(1, 3, 4));
    }

    @Test
    void theFirstGradientToReachATensorIsStoredAndTheNextAreAdded() {
        // Ops that store into a gradient nobody has written yet (linear's dx, GELU, add, reshape, attention,
        // cross-entropy) must still add when another consumer got there first: try both orders.
        IntTensor targets = IntTensor.of(new int[] {1, -100, 3}, 3); // the ignored row's gradient is 0
        List<Function<Tensor, Tensor>> ops = List.of(
                x -> x.linear(Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f}, 2, 3), null).sum(),
                x -> x.geluExact().mul(x).sum(),
                x -> x.add(x.mul(x)).sum(),
                x -> x.reshape(3, 2, 2).mul(x.reshape(3, 2, 2)).sum(),
                x -> Attention.selfAttention(x.reshape(1, 4, 3), 1, null).mul(x.reshape(1, 4, 3).narrow(2, 0, 1)).sum(),
                x -> Losses.crossEntropy(x.reshape(3, 4), targets, -100, 0.1f));
        for (Function<Tensor, Tensor> op : ops) {
            assertGrad(in -> op.apply(in[0]).add(in[0].mul(in[0]).sum()), randn(4, 3));
            assertGrad(in -> in[0].mul(in[0]).sum().add(op.apply(in[0])), randn(4, 3));
        }
    }

    @Test
    void aRepeatedInputAddsAndSumsItsGradientOverTheRepeatsOnThePool() {
        // Large enough to be cut into several tasks: (8, 64, 64) + (64, 64).
        Tensor x = randn(8, 64, 64).requiresGrad(true), table = randn(64, 64).requiresGrad(true);
        Tensor y = x.add(table);
        float[] upstream = randn(8, 64, 64).data();
        y.backward(Tensor.of(upstream, 8, 64, 64));
        float[] expectedSum = new float[64 * 64];
        for (int i = 0; i < upstream.length; i++) {
            assertEquals(x.data()[i] + table.data()[i % 4096], y.data()[i], 0f, "element " + i);
            expectedSum[i % 4096] += upstream[i];
        }
        assertArrayEquals(expectedSum, table.grad().toArray(), 1e-5f);
        assertArrayEquals(upstream, x.grad().toArray(), 0f);
    }

    @Test
    void sameTensorUsedTwiceAccumulates() {
        assertGrad(in -> in[0].mul(in[0]).add(in[0]), randn(3, 2));
    }

    @Test
    void scalarOpsAndNegation() {
        assertGrad(in -> in[0].add(2f).mul(-3f).sub(0.5f).div(4f).neg(), randn(2, 3));
    }

    @Test
    void powExpLogSqrt() {
        assertGrad(in -> in[0].pow(3f), randn(2, 3));
        assertGrad(in -> in[0].pow(-1.5f), positive(2, 3));
        assertGrad(in -> in[0].exp(), randn(2, 3));
        assertGrad(in -> in[0].log(), positive(2, 3));
        assertGrad(in -> in[0].sqrt(), positive(2, 3));
    }

    @Test
    void activations() {
        assertGrad(in -> in[0].tanh(), randn(2, 5));
        assertGrad(in -> in[0].sigmoid(), randn(2, 5));
        assertGrad(in -> in[0].relu(), awayFromZero(2, 5));
        assertGrad(in -> in[0].gelu(), randn(2, 5));
        assertGrad(in -> in[0].geluExact(), randn(2, 5));
    }

    @Test
    void reductionsOverEachDimension() {
        assertGrad(in -> in[0].sum(), randn(2, 3, 4));
        assertGrad(in -> in[0].mean(), randn(2, 3, 4));
        for (int dim = -3; dim < 3; dim++) {
            int d = dim;
            assertGrad(in -> in[0].sum(d, true), randn(2, 3, 4));
            assertGrad(in -> in[0].mean(d, false), randn(2, 3, 4));
        }
        assertGrad(in -> in[0].sum(1, false), randn(2, 1, 4));
    }

    @Test
    void maxOverDimension() {
        // Distinct values spaced well beyond 2ε, so no perturbation changes the argmax.
        Tensor x = Tensor.arange(24).mul(0.37f).reshape(2, 3, 4);
        float[] v = x.data();
        for (int i = v.length - 1; i > 0; i--) { // a fixed shuffle
            int j = rng.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        assertGrad(in -> in[0].max(1, false), x);
        assertGrad(in -> in[0].max(-1, true), x);
        assertGrad(in -> in[0].max(0, false), x);
    }

    @Test
    void matmul2dAndBatchedWithBroadcasting() {
        assertGrad(in -> in[0].matmul(in[1]), randn(3, 4), randn(4, 5));
        assertGrad(in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(2, 4, 5));
        assertGrad(in -> in[0].matmul(in[1]), randn(2, 3, 4), randn(4, 5));
        assertGrad(in -> in[0].matmul(in[1]), randn(2, 1, 3, 4), randn(3, 4, 2));
        assertGrad(in -> in[0].matmul(in[1]), randn(1, 4), randn(4, 1));
    }

    @Test
    void fusedLinearWithAndWithoutBias() {
        assertGrad(in -> in[0].linear(in[1], in[2]), randn(2, 3, 4), randn(5, 4), randn(5));
        assertGrad(in -> in[0].linear(in[1], null), randn(3, 4), randn(2, 4));
    }

    @Test
    void reshapeTransposePermute() {
        assertGrad(in -> in[0].reshape(6, -1).mul(in[0].reshape(6, 2)), randn(3, 4));
        assertGrad(in -> in[0].transpose(0, 2), randn(2, 3, 4));
        assertGrad(in -> in[0].permute(2, 0, 1), randn(2, 3, 4));
        assertGrad(in -> in[0].view(4, 1, 3).transpose(-1, -2), randn(2, 6));
    }

    @Test
    void narrowSliceConcatSplit() {
        assertGrad(in -> in[0].narrow(1, 1, 2), randn(2, 4, 3));
        assertGrad(in -> in[0].slice(-1, 1, -1), randn(2, 4));
        assertGrad(in -> Tensor.concat(1, in[0], in[1], in[0]), randn(2, 1, 3), randn(2, 2, 3));
        assertGrad(in -> {
            var parts = in[0].split(0, 1, 3);
            return parts.get(0).sum(0, false).mul(parts.get(1).sum(0, false));
        }, randn(4, 3));
    }

    @Test
    void indexSelectAndEmbeddingWithRepeatedIds() {
        IntTensor index = IntTensor.vector(2, 0, 2);
        assertGrad(in -> in[0].indexSelect(1, index), randn(2, 3, 2));
        IntTensor ids = IntTensor.of(new int[] {1, 3, 1, 0, 0, 2}, 2, 3);
        assertGrad(in -> in[0].embeddingLookup(ids), randn(4, 5));
    }

    @Test
    void maskedFillAndWhere() {
        Tensor mask = Tensor.of(new float[] {1, 0, 0, 1, 1, 0}, 2, 3);
        assertGrad(in -> in[0].maskedFill(mask, -5f), randn(2, 3));
        Tensor rowMask = Tensor.of(new float[] {0, 1, 0}, 3);
        assertGrad(in -> in[0].maskedFill(rowMask, 0f), randn(4, 3));
        assertGrad(in -> Tensor.where(mask, in[0], in[1]), randn(2, 3), randn(3));
        assertGrad(in -> Tensor.where(rowMask, in[0], in[1]), randn(2, 1), randn(2, 3));
    }

    @Test
    void softmaxAndLogSoftmaxOverEachDimension() {
        for (int dim : new int[] {0, 1, -1}) {
            assertGrad(in -> in[0].softmax(dim), randn(3, 4, 5));
            assertGrad(in -> in[0].logSoftmax(dim), randn(3, 4, 5));
        }
        assertGrad(in -> in[0].softmax(-1), randn(4, 1));
    }

    @Test
    void crossEntropyWithIgnoreIndexAndLabelSmoothing() {
        IntTensor targets = IntTensor.of(new int[] {0, 3, Losses.IGNORE_INDEX, 2, 1, 4}, 2, 3);
        assertGrad(in -> Losses.crossEntropy(in[0], targets), randn(2, 3, 5));
        assertGrad(in -> Losses.crossEntropy(in[0], targets, Losses.IGNORE_INDEX, 0.1f), randn(2, 3, 5));
        assertGrad(in -> Losses.crossEntropy(in[0], IntTensor.vector(1, 0), 1, 0f), randn(2, 2));
    }

    @Test
    void mseAndBinaryCrossEntropyWithLogits() {
        assertGrad(in -> Losses.mse(in[0], in[1]), randn(3, 4), randn(3, 4));
        Tensor targets = Tensor.uniform(rng, 0f, 1f, 3, 4);
        assertGrad(in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1]), randn(3, 4).mul(3f), targets);
    }

    @Test
    void layerNormWithAndWithoutAffine() {
        assertGrad(in -> in[0].layerNorm(in[1], in[2], 1e-5f), randn(2, 3, 6), randn(6), randn(6));
        assertGrad(in -> in[0].layerNorm(null, null, 1e-5f), randn(4, 6));
        assertGrad(in -> in[0].layerNorm(in[1], null, 1e-5f), randn(4, 6), randn(6));
    }

    @Test
    void addIntoSomeChannelsOfTheLastDimension() {
        assertGrad(in -> in[0].addInto(in[1], 2), randn(2, 3, 7), randn(2, 3, 3));
        Tensor base = randn(2, 4), part = randn(2, 2);
        float[] out = base.addInto(part, 1).toArray(), b = base.toArray(), p = part.toArray();
        assertArrayEquals(new float[] {b[0], b[1] + p[0], b[2] + p[1], b[3], b[4], b[5] + p[2], b[6] + p[3], b[7]}, out, 0f);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> base.addInto(part, 3));
        assertTrue(e.getMessage().startsWith("addInto: part of shape [2, 2] at channel 3 does not fit in shape [2, 4]"),
                e.getMessage());
    }

    @Test
    void siluAndTheFusedSiluGate() {
        assertGrad(in -> in[0].silu(), randn(3, 5).mul(2f));
        assertGrad(in -> in[0].siluGate(in[1]), randn(3, 5).mul(2f), randn(3, 5));
        Tensor gate = randn(2, 7).mul(3f), up = randn(2, 7);
        float[] fused = gate.siluGate(up).data(), composite = gate.mul(gate.sigmoid()).mul(up).data();
        assertArrayEquals(composite, fused, 1e-6f);
        assertArrayEquals(gate.mul(gate.sigmoid()).data(), gate.silu().data(), 1e-6f);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> gate.siluGate(randn(7, 2)));
        assertTrue(e.getMessage().startsWith("siluGate: gate [2, 7] and up [7, 2]"), e.getMessage());
    }

    @Test
    void rmsNormWithAndWithoutGain() {
        assertGrad(in -> in[0].rmsNorm(in[1], 1e-6f), randn(2, 3, 6), randn(6));
        assertGrad(in -> in[0].rmsNorm(null, 1e-6f), randn(4, 6));
        assertGrad(in -> in[0].rmsNorm(in[1], 1e-6f), randn(3, 37), randn(37)); // a width past one vector, with a tail
    }

    @Test
    void rmsNormIsTheDefinitionInDoublePrecision() {
        Tensor x = randn(5, 37), w = randn(37);
        float[] y = x.rmsNorm(w, 1e-6f).data();
        for (int r = 0; r < 5; r++) {
            double squares = 0;
            for (int i = 0; i < 37; i++) {
                squares += (double) x.data()[r * 37 + i] * x.data()[r * 37 + i];
            }
            double inv = 1 / Math.sqrt(squares / 37 + 1e-6);
            for (int i = 0; i < 37; i++) {
                assertEquals(x.data()[r * 37 + i] * inv * w.data()[i], y[r * 37 + i], 1e-5, "row " + r + " column " + i);
            }
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> x.rmsNorm(randn(36), 1e-6f));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("rmsNorm: weight must have shape [37]"),
                e.getMessage());
    }

    @Test
    void dropoutWithAFixedMask() {
        assertGrad(in -> in[0].dropout(0.3f, new Rng(3), true), randn(4, 5));
        assertGrad(in -> in[0].dropout(0.3f, new Rng(3), false).mul(2f), randn(4, 5));
    }

    @Test
    void aDeepCompositeLikeAnAttentionHead() {
        // (T, C) -> scores (T, T) with a causal mask -> softmax -> mix values.
        Tensor causal = Tensor.ones(4, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j <= i; j++) {
                causal.set(0f, i, j);
            }
        }
        assertGrad(in -> {
            Tensor q = in[0].matmul(in[1]);
            Tensor k = in[0].matmul(in[2]);
            Tensor scores = q.matmul(k.transpose(0, 1)).mul(0.5f).maskedFill(causal, -1e9f);
            return scores.softmax(-1).matmul(in[0]).layerNorm(null, null, 1e-5f);
        }, randn(4, 3), randn(3, 3), randn(3, 3));
    }
}
