package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AutogradTest {
    private static final float EXACT = 0f;

    @Test
    void gradientsOfASmallExpressionMatchTheChainRule() {
        Tensor x = Tensor.of(new float[] {2f, -1f}, 2).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {3f, 4f}, 2).requiresGrad(true);
        x.mul(y).add(x).sum().backward(); // L = Σ (x·y + x)
        assertArrayEquals(new float[] {4f, 5f}, x.grad().toArray(), EXACT); // y + 1
        assertArrayEquals(new float[] {2f, -1f}, y.grad().toArray(), EXACT); // x
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        x.mul(3f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6f, 6f}, x.grad().toArray(), EXACT);
        x.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f}, x.grad().toArray(), EXACT);
    }

    @Test
    void backwardWithAnUpstreamGradient() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
        x.mul(2f).backward(Tensor.of(new float[] {1f, 10f, 100f}, 3));
        assertArrayEquals(new float[] {2f, 20f, 200f}, x.grad().toArray(), EXACT);
    }

    @Test
    void aChainOfOneHundredThousandOpsDoesNotOverflowTheStack() {
        Tensor x = Tensor.scalar(1f).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) {
            y = y.add(1f);
        }
        y.backward();
        assertEquals(100_001f, y.item(), EXACT);
        assertEquals(1f, x.grad().item(), EXACT);
    }

    @Test
    void backwardTwiceOnAFreedGraphThrows() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void backwardOnANonScalarWithoutUpstreamThrows() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> x.mul(2f).backward());
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void backwardWithAnUpstreamOfTheWrongShapeThrows() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> x.mul(2f).backward(Tensor.ones(3, 2)));
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y;
        try (var g = NoGrad.enter()) {
            assertFalse(NoGrad.isGradEnabled());
            y = x.mul(2f);
        }
        assertTrue(NoGrad.isGradEnabled());
        assertFalse(y.requiresGrad());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void noGradScopesNest() {
        try (var outer = NoGrad.enter()) {
            try (var inner = NoGrad.enter()) {
                assertFalse(NoGrad.isGradEnabled());
            }
            assertFalse(NoGrad.isGradEnabled());
        }
        assertTrue(NoGrad.isGradEnabled());
    }

    @Test
    void detachCutsTheGraphButSharesValues() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor d = x.mul(3f).detach();
        assertFalse(d.requiresGrad());
        assertArrayEquals(new float[] {3f, 6f}, d.toArray(), EXACT);
        Tensor loss = x.mul(d).sum(); // d is a constant here
        loss.backward();
        assertArrayEquals(new float[] {3f, 6f}, x.grad().toArray(), EXACT);
    }

    @Test
    void inputsThatDoNotRequireGradGetNoGradient() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor c = Tensor.ones(2);
        x.mul(c).sum().backward();
        assertNull(c.grad());
    }

    @Test
    void intermediateGradientsAreReleasedLeafGradientsKept() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor h = x.mul(2f);
        h.sum().backward();
        assertNull(h.grad());
        assertEquals(2, x.grad().numel());
    }

    @Test
    void dropoutInEvaluationIsTheIdentity() {
        Tensor x = Tensor.ones(3);
        assertSame(x, x.dropout(0.5f, new Rng(1), false));
    }

    @Test
    void dropoutKeepsTheExpectationAndIsSeeded() {
        Tensor x = Tensor.ones(10_000);
        Tensor a = x.dropout(0.25f, new Rng(9), true);
        Tensor b = x.dropout(0.25f, new Rng(9), true);
        assertArrayEquals(a.toArray(), b.toArray(), EXACT);
        assertEquals(1f, a.mean().item(), 0.03f);
        long zeros = 0;
        for (float v : a.data()) {
            zeros += v == 0 ? 1 : 0;
            assertTrue(v == 0f || Math.abs(v - 1f / 0.75f) < 1e-6f);
        }
        assertEquals(2500, zeros, 150);
    }
}
