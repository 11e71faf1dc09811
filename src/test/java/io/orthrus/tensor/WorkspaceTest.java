package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    private static final float EXACT = 0f;

    /** A small step: forward through a few ops of different kinds, backward, the weight's gradient. */
    private static float[] step(Tensor weight, Tensor input) {
        Tensor hidden = input.matmul(weight).gelu();                        // (4, 8)
        Tensor loss = hidden.layerNorm(null, null, 1e-5f).mul(hidden).sum(); // ()
        loss.backward();
        return weight.grad().toArray();
    }

    private static Tensor weight() {
        return Tensor.randn(new Rng(3), 6, 8).requiresGrad(true);
    }

    @Test
    void theSecondScopeReusesTheFirstScopesArraysAndAllocatesNothing() {
        Workspace workspace = new Workspace();
        Tensor x = Tensor.randn(new Rng(1), 4, 6);
        float[] first;
        try (Workspace.Scope scope = workspace.open()) {
            first = x.mul(2f).exp().data();
        }
        long allocated = workspace.allocatedBytes();
        assertEquals(4 * 6 * Float.BYTES * 2, allocated);
        try (Workspace.Scope scope = workspace.open()) {
            Tensor doubled = x.mul(2f);
            assertTrue(doubled.data() == first || doubled.exp().data() == first,
                    "an array of the first scope is reused");
        }
        assertEquals(allocated, workspace.allocatedBytes());
    }

    @Test
    void resultsInAWorkspaceAreBitIdenticalToResultsWithout() {
        Tensor input = Tensor.randn(new Rng(2), 4, 6);
        Tensor plainWeight = weight();
        float[] expected = step(plainWeight, input);
        Workspace workspace = new Workspace();
        for (int round = 0; round < 3; round++) { // later rounds run on recycled arrays
            Tensor w = weight();
            try (Workspace.Scope scope = workspace.open()) {
                assertArrayEquals(expected, step(w, input), EXACT, "round " + round);
            }
        }
    }

    @Test
    void opsOutsideAScopeAllocateFreshArrays() {
        Tensor x = Tensor.randn(new Rng(1), 3);
        assertNotSame(x.exp().data(), x.exp().data());
    }

    @Test
    void aTensorUsedAfterItsScopeReadsNaNWhenAssertionsAreOn() {
        Workspace workspace = new Workspace();
        Tensor kept;
        try (Workspace.Scope scope = workspace.open()) {
            kept = Tensor.of(new float[] {1f, 2f}, 2).mul(3f);
            assertArrayEquals(new float[] {3f, 6f}, kept.toArray(), EXACT);
        }
        boolean assertions = false;
        assert assertions = true;
        if (assertions) {
            assertTrue(Float.isNaN(kept.get(0)), "the array went back to the pool poisoned");
        }
    }

    @Test
    void parametersAndFactoryTensorsNeverComeFromTheWorkspace() {
        Workspace workspace = new Workspace();
        Tensor w = weight();
        float[] gradient;
        Tensor zeros;
        try (Workspace.Scope scope = workspace.open()) {
            w.mul(w).sum().backward();
            gradient = w.gradBuffer();
            zeros = Tensor.zeros(3);
        }
        try (Workspace.Scope scope = workspace.open()) {
            w.mul(1f).sum(); // takes arrays of the same sizes from the pool
        }
        assertSame(gradient, w.gradBuffer());
        assertArrayEquals(w.mul(2f).toArray(), w.grad().toArray(), EXACT);
        assertArrayEquals(new float[3], zeros.toArray(), EXACT);
    }

    @Test
    void arraysThatAScopeDidNotNeedAreDropped() {
        Workspace workspace = new Workspace();
        try (Workspace.Scope scope = workspace.open()) {
            Tensor.zeros(1000).exp();
        }
        assertEquals(1000 * Float.BYTES, workspace.pooledBytes());
        try (Workspace.Scope scope = workspace.open()) {
            Tensor.zeros(10).exp();
        }
        assertEquals(10 * Float.BYTES, workspace.pooledBytes());
    }

    @Test
    void intermediateGradientsAreReusedWithinOneBackwardPass() {
        Tensor x = Tensor.randn(new Rng(4), 100).requiresGrad(true);
        Workspace workspace = new Workspace();
        try (Workspace.Scope scope = workspace.open()) {
            Tensor y = x;
            for (int i = 0; i < 10; i++) {
                y = y.mul(1.5f);
            }
            y.sum().backward();
        }
        // 10 outputs and a sum; released gradients are taken again, so far fewer than 10 gradient arrays.
        long arraysOf100 = workspace.pooledBytes() / (100 * Float.BYTES);
        assertTrue(arraysOf100 <= 12, "pooled arrays of 100 floats: " + arraysOf100);
    }

    @Test
    void aSecondScopeWhileOneIsOpenIsRefused() {
        Workspace workspace = new Workspace();
        try (Workspace.Scope scope = workspace.open()) {
            var e = assertThrows(IllegalStateException.class, workspace::open);
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
    }

    @Test
    void aScopeClosedOnAnotherThreadIsRefused() throws InterruptedException {
        Workspace workspace = new Workspace();
        Workspace.Scope scope = workspace.open();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                scope.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        other.join();
        scope.close();
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
    }
}
