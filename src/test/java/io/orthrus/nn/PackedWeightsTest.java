package io.orthrus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Bert;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PackedWeightsTest {
    private static final IntTensor IDS = IntTensor.wrap(new int[] {1, 5, 9, 2, 7, 3, 3, 8, 4, 6, 1, 2}, 2, 6);

    private static Bert model() {
        Bert bert = new Bert(TransformerConfig.tiny(11).withBias(true), new Rng(3));
        bert.eval();
        return bert;
    }

    @Test
    void aModelGivesTheSameBitsWithItsWeightsPacked() {
        Bert bert = model();
        float[] plain = bert.evaluating(() -> bert.encode(IDS, null, null).toArray());
        PackedWeights packed = PackedWeights.of(bert);
        float[] fast = packed.apply(() -> bert.encode(IDS, null, null).toArray());
        assertArrayEquals(plain, fast, 0f);
        long linearFloats = 0;
        for (var e : bert.namedParameters().entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().rank() == 2 && !e.getKey().startsWith("w")) {
                linearFloats += e.getValue().numel();
            }
        }
        assertTrue(packed.floats() >= linearFloats, packed.floats() + " packed floats for " + linearFloats);
    }

    @Test
    void thePackedCopyIsASnapshotUsedOnlyInsideApply() {
        Bert bert = model();
        PackedWeights packed = PackedWeights.of(bert);
        float[] before = packed.apply(() -> bert.encode(IDS, null, null).toArray());
        Linear first = firstLinear(bert);
        Arrays.fill(first.weight().data(), 0.5f); // trained afterwards
        float[] snapshot = packed.apply(() -> bert.encode(IDS, null, null).toArray());
        float[] live = bert.evaluating(() -> bert.encode(IDS, null, null).toArray());
        assertArrayEquals(before, snapshot, 0f);
        assertFalse(Arrays.equals(before, live), "outside apply the layer reads its weight");
        float[] repacked = PackedWeights.of(bert).apply(() -> bert.encode(IDS, null, null).toArray());
        assertArrayEquals(live, repacked, 0f);
        assertNull(PackedWeights.inUse(first), "nothing stays in use after apply");
    }

    @Test
    void aPackedWeightRecordsNoGradient() {
        Bert bert = model();
        Tensor x = Tensor.zeros(2, 32).requiresGrad(true);
        Linear first = firstLinear(bert);
        var weight = Kernels.gemm().pack(true, 32, first.weight().size(0), first.weight().data(), 0);
        var e = assertThrows(IllegalStateException.class, () -> x.linear(weight, null));
        assertTrue(e.getMessage().contains("inside NoGrad"), e.getMessage());
        Tensor y = PackedWeights.of(bert).apply(() -> first.forward(x));
        assertFalse(y.requiresGrad());
        assertEquals(first.weight().size(0), y.size(1));
    }

    private static Linear firstLinear(Module module) {
        if (module instanceof Linear linear) {
            return linear;
        }
        for (Module child : module.children().values()) {
            Linear found = firstLinear(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
