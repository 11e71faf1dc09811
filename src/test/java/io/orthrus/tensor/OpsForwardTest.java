package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward values against hand-computed results, fused ops against the composites they replace, and errors. */
class OpsForwardTest {
    private static final float EXACT = 0f;
    private static final float FLOAT_TOLERANCE = 1e-5f;
    /** Fused and composite forms sum in different orders; they agree to a few float ulps of O(1) values. */
    private static final float FUSED_VS_COMPOSITE = 1e-5f;

    private final Rng rng = new Rng(3);

    @Test
    void broadcastingFollowsNumPyRules() {
        Tensor a = Tensor.arange(6).reshape(2, 3);
        Tensor row = Tensor.of(new float[] {10, 20, 30}, 3);
        Tensor col = Tensor.of(new float[] {100, 200}, 2, 1);
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, a.add(row).toArray(), EXACT);
        assertArrayEquals(new float[] {100, 101, 102, 203, 204, 205}, a.add(col).toArray(), EXACT);
        assertArrayEquals(new int[] {2, 2, 3}, a.reshape(1, 2, 3).mul(col.reshape(2, 1, 1)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.ones(2)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void unaryOpsMatchJavaMath() {
        Tensor x = Tensor.of(new float[] {-2f, -0.5f, 0f, 0.5f, 3f}, 5);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            assertEquals((float) Math.exp(v[i]), x.exp().get(i), FLOAT_TOLERANCE);
            assertEquals((float) Math.tanh(v[i]), x.tanh().get(i), FLOAT_TOLERANCE);
            assertEquals((float) (1 / (1 + Math.exp(-v[i]))), x.sigmoid().get(i), FLOAT_TOLERANCE);
            assertEquals(Math.max(v[i], 0f), x.relu().get(i), EXACT);
            assertEquals(v[i] * v[i] * v[i], x.pow(3f).get(i), FLOAT_TOLERANCE);
        }
        assertEquals(0f, Tensor.scalar(-1000f).sigmoid().item(), EXACT);
        assertEquals(1f, Tensor.scalar(1000f).sigmoid().item(), EXACT);
    }

    @Test
    void geluMatchesReferenceValues() {
        // x·Φ(x) from the normal CDF: Φ(1) = 0.8413447, Φ(-1) = 0.1586553, Φ(2) = 0.9772499.
        Tensor x = Tensor.of(new float[] {-1f, 0f, 1f, 2f}, 4);
        assertArrayEquals(new float[] {-0.1586553f, 0f, 0.8413447f, 1.9544998f}, x.geluExact().toArray(), 1e-6f);
        // The tanh form stays within 1e-3 of the exact one on this range.
        assertArrayEquals(x.geluExact().toArray(), x.gelu().toArray(), 1e-3f);
        assertEquals(0.841192f, Tensor.scalar(1f).gelu().item(), 1e-5f); // GPT-2's approximation at 1
    }

    @Test
    void reductionsWithAndWithoutKeepDim() {
        Tensor t = Tensor.arange(6).reshape(2, 3);
        assertArrayEquals(new float[] {3, 5, 7}, t.sum(0, false).toArray(), EXACT);
        assertArrayEquals(new int[] {2, 1}, t.sum(1, true).shape());
        assertArrayEquals(new float[] {1, 4}, t.mean(-1, false).toArray(), EXACT);
        assertArrayEquals(new float[] {2, 5}, t.max(1, false).toArray(), EXACT);
        Tensor u = Tensor.of(new float[] {3, 1, 3, 0, 7, 2, 5, 7, 1, 1, 1, 1}, 2, 3, 2);
        assertArrayEquals(new int[] {2, 2, 0, 0}, u.argmax(1).data(), "first maximum along the middle dimension");
        assertArrayEquals(new int[] {2, 2}, u.argmax(1).shape());
        assertArrayEquals(new int[] {0, 0, 0, 1, 0, 0}, u.argmax(-1).data(), "ties go to the first");
        assertEquals(15f, t.sum().item(), EXACT);
        assertEquals(2.5f, t.mean().item(), EXACT);
    }

    @Test
    void softmaxIsStableForLargeLogitsAndSumsToOne() {
        Tensor logits = Tensor.of(new float[] {1000f, 1001f, 1002f, -1000f, 0f, 1000f}, 2, 3);
        Tensor p = logits.softmax(-1);
        float[] expected = {0.09003057f, 0.24472847f, 0.66524096f, 0f, 0f, 1f};
        assertArrayEquals(expected, p.toArray(), 1e-6f);
        Tensor logP = logits.logSoftmax(-1);
        assertEquals(-2.4076059f, logP.get(0, 0), 1e-5f);
        assertEquals(-2000f, logP.get(1, 0), 1e-2f);
        Tensor q = Tensor.randn(rng, 3, 4, 5).softmax(1);
        Tensor sums = q.sum(1, false);
        for (float s : sums.data()) {
            assertEquals(1f, s, 1e-6f);
        }
    }

    @Test
    void aFullyMaskedSoftmaxRowIsZeroNotNan() {
        Tensor logits = Tensor.full(Float.NEGATIVE_INFINITY, 2, 3);
        logits.set(0.5f, 1, 1);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0}, logits.softmax(-1).toArray(), EXACT);
    }

    @Test
    void crossEntropyMatchesMinusLogSoftmaxAtTheTarget() {
        Tensor logits = Tensor.randn(rng, 4, 6);
        IntTensor targets = IntTensor.vector(5, 0, 2, 2);
        Tensor logP = logits.logSoftmax(-1);
        float expected = 0;
        for (int r = 0; r < 4; r++) {
            expected -= logP.get(r, targets.get(r)) / 4;
        }
        assertEquals(expected, Losses.crossEntropy(logits, targets).item(), FLOAT_TOLERANCE);
    }

    @Test
    void crossEntropyAveragesOverTheTargetsThatAreNotIgnored() {
        Tensor logits = Tensor.randn(rng, 3, 4);
        Tensor logP = logits.logSoftmax(-1);
        IntTensor targets = IntTensor.vector(1, Losses.IGNORE_INDEX, 3);
        float expected = -(logP.get(0, 1) + logP.get(2, 3)) / 2;
        assertEquals(expected, Losses.crossEntropy(logits, targets).item(), FLOAT_TOLERANCE);
        IntTensor allIgnored = IntTensor.vector(Losses.IGNORE_INDEX, Losses.IGNORE_INDEX, Losses.IGNORE_INDEX);
        assertEquals(0f, Losses.crossEntropy(logits, allIgnored).item(), EXACT);
    }

    @Test
    void labelSmoothingMixesInTheMeanNegativeLogLikelihood() {
        Tensor logits = Tensor.randn(rng, 2, 5);
        Tensor logP = logits.logSoftmax(-1);
        IntTensor targets = IntTensor.vector(4, 1);
        float eps = 0.2f;
        float expected = 0;
        for (int r = 0; r < 2; r++) {
            float meanNll = -logP.sum(-1, false).get(r) / 5;
            expected += ((1 - eps) * -logP.get(r, targets.get(r)) + eps * meanNll) / 2;
        }
        assertEquals(expected, Losses.crossEntropy(logits, targets, Losses.IGNORE_INDEX, eps).item(), FLOAT_TOLERANCE);
    }

    @Test
    void crossEntropyRejectsOutOfRangeTargets() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(2, 3), IntTensor.vector(0, 3)));
        assertTrue(e.getMessage().contains("target 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(2, 3), IntTensor.vector(0)));
    }

    @Test
    void binaryCrossEntropyIsStableAndMatchesTheNaiveFormWhereThatIsFinite() {
        Tensor x = Tensor.of(new float[] {-2f, 0.5f, 3f}, 3);
        Tensor y = Tensor.of(new float[] {0f, 1f, 0.25f}, 3);
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double p = 1 / (1 + Math.exp(-x.get(i)));
            expected -= (y.get(i) * Math.log(p) + (1 - y.get(i)) * Math.log(1 - p)) / 3;
        }
        assertEquals((float) expected, Losses.binaryCrossEntropyWithLogits(x, y).item(), FLOAT_TOLERANCE);
        float big = Losses.binaryCrossEntropyWithLogits(Tensor.of(new float[] {200f}, 1), Tensor.zeros(1)).item();
        assertEquals(200f, big, 1e-3f);
    }

    @Test
    void mseIsTheMeanSquaredDifference() {
        Tensor p = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor y = Tensor.of(new float[] {1, 0, 6}, 3);
        assertEquals((0 + 4 + 9) / 3f, Losses.mse(p, y).item(), FLOAT_TOLERANCE);
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(p, Tensor.zeros(3, 1)));
    }

    @Test
    void fusedLayerNormMatchesTheCompositeOps() {
        Tensor x = Tensor.randn(rng, 3, 8).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 8).requiresGrad(true);
        Tensor b = Tensor.randn(rng, 8).requiresGrad(true);
        Tensor fused = x.layerNorm(w, b, 1e-5f);
        Tensor mean = x.mean(-1, true);
        Tensor centred = x.sub(mean);
        Tensor var = centred.mul(centred).mean(-1, true);
        Tensor composite = centred.div(var.add(1e-5f).sqrt()).mul(w).add(b);
        assertArrayEquals(composite.toArray(), fused.toArray(), FUSED_VS_COMPOSITE);

        Tensor upstream = Tensor.randn(rng, 3, 8);
        fused.backward(upstream);
        float[] gxFused = x.grad().toArray(), gwFused = w.grad().toArray(), gbFused = b.grad().toArray();
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        composite.backward(upstream);
        assertArrayEquals(x.grad().toArray(), gxFused, 1e-4f);
        assertArrayEquals(w.grad().toArray(), gwFused, 1e-4f);
        assertArrayEquals(b.grad().toArray(), gbFused, 1e-4f);
    }

    @Test
    void fusedLinearMatchesMatmulWithTransposePlusBias() {
        Tensor x = Tensor.randn(rng, 2, 3, 4);
        Tensor w = Tensor.randn(rng, 5, 4);
        Tensor b = Tensor.randn(rng, 5);
        Tensor composite = x.matmul(w.transpose(0, 1)).add(b);
        assertArrayEquals(composite.toArray(), x.linear(w, b).toArray(), FUSED_VS_COMPOSITE);
        assertArrayEquals(new int[] {2, 3, 5}, x.linear(w, null).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> x.linear(Tensor.zeros(5, 3), null));
        assertTrue(e.getMessage().contains("linear"), e.getMessage());
    }

    @Test
    void shapeOpsMoveElementsCorrectly() {
        Tensor t = Tensor.arange(24).reshape(2, 3, 4);
        Tensor tr = t.transpose(0, 2); // (4, 3, 2)
        assertArrayEquals(new int[] {4, 3, 2}, tr.shape());
        assertEquals(t.get(1, 2, 3), tr.get(3, 2, 1), EXACT);
        Tensor p = t.permute(1, 2, 0); // (3, 4, 2)
        assertEquals(t.get(1, 0, 3), p.get(0, 3, 1), EXACT);
        Tensor n = t.narrow(2, 1, 2);
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}, n.toArray(), EXACT);
        assertArrayEquals(n.toArray(), t.slice(-1, 1, 3).toArray(), EXACT);
        List<Tensor> parts = t.split(1, 1, 2);
        assertArrayEquals(new int[] {2, 2, 4}, parts.get(1).shape());
        Tensor joined = Tensor.concat(1, parts.get(0), parts.get(1));
        assertArrayEquals(t.toArray(), joined.toArray(), EXACT);
        assertArrayEquals(new int[] {6, 4}, t.reshape(-1, 4).shape());
    }

    @Test
    void shapeOpErrorsNameShapes() {
        Tensor t = Tensor.zeros(2, 3);
        var reshape = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
        assertTrue(reshape.getMessage().contains("[4, 2]") && reshape.getMessage().contains("[2, 3]"));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.narrow(1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> t.split(1, 1, 1));
        var concat = assertThrows(IllegalArgumentException.class, () -> Tensor.concat(0, t, Tensor.zeros(2, 4)));
        assertTrue(concat.getMessage().contains("[2, 4]"), concat.getMessage());
    }

    @Test
    void indexingGathersAndChecksRange() {
        Tensor table = Tensor.arange(12).reshape(4, 3);
        Tensor rows = table.embeddingLookup(IntTensor.of(new int[] {3, 0, 3, 1}, 2, 2));
        assertArrayEquals(new int[] {2, 2, 3}, rows.shape());
        assertArrayEquals(new float[] {9, 10, 11, 0, 1, 2, 9, 10, 11, 3, 4, 5}, rows.toArray(), EXACT);
        assertArrayEquals(new float[] {2, 0, 5, 3, 8, 6, 11, 9}, table.indexSelect(1, IntTensor.vector(2, 0)).toArray(), EXACT);
        var e = assertThrows(IllegalArgumentException.class, () -> table.embeddingLookup(IntTensor.vector(4)));
        assertTrue(e.getMessage().contains("index 4") && e.getMessage().contains("[0, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.embeddingLookup(IntTensor.vector(-1)));
    }

    @Test
    void maskedFillAndWhereChooseByMask() {
        Tensor x = Tensor.arange(6).reshape(2, 3);
        Tensor mask = Tensor.of(new float[] {0, 1, 0}, 3);
        assertArrayEquals(new float[] {0, -1, 2, 3, -1, 5}, x.maskedFill(mask, -1f).toArray(), EXACT);
        Tensor w = Tensor.where(mask, x, Tensor.scalar(9f));
        assertArrayEquals(new float[] {9, 1, 9, 9, 4, 9}, w.toArray(), EXACT);
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).maskedFill(Tensor.ones(2, 3), 0f));
    }

    @Test
    void matmulErrorsNameBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(3, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 1))); // batch 2 vs 3
    }
}
