package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
    private static final float EXACT = 0f;

    @Test
    void creationFactoriesFillAsDocumented() {
        assertArrayEquals(new float[6], Tensor.zeros(2, 3).toArray(), EXACT);
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toArray(), EXACT);
        assertArrayEquals(new float[] {7, 7, 7, 7}, Tensor.full(7f, 2, 2).toArray(), EXACT);
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toArray(), EXACT);
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1f, 3f, 0.5f).toArray(), EXACT);
        assertArrayEquals(new float[] {3, 2}, Tensor.arange(3f, 1f, -1f).toArray(), EXACT);
        assertEquals(0, Tensor.scalar(5f).rank());
        assertEquals(5f, Tensor.scalar(5f).item(), EXACT);
    }

    @Test
    void ofCopiesAndWrapShares() {
        float[] values = {1, 2, 3, 4};
        Tensor copied = Tensor.of(values, 2, 2);
        Tensor wrapped = Tensor.wrap(values, 4);
        values[0] = 9;
        assertEquals(1f, copied.get(0, 0), EXACT);
        assertEquals(9f, wrapped.get(0), EXACT);
    }

    @Test
    void elementAccessIsRowMajor() {
        Tensor t = Tensor.arange(24).reshape(2, 3, 4);
        assertEquals(23f, t.get(1, 2, 3), EXACT);
        assertEquals(13f, t.get(1, 0, 1), EXACT);
        t.set(-1f, 0, 1, 2);
        assertEquals(-1f, t.data()[6], EXACT);
        assertEquals(3, t.size(-2));
        assertArrayEquals(new int[] {2, 3, 4}, t.shape());
    }

    @Test
    void randomTensorsAreReproducibleFromTheSeed() {
        Tensor a = Tensor.randn(new Rng(5), 1000);
        Tensor b = Tensor.randn(new Rng(5), 1000);
        Tensor c = Tensor.randn(new Rng(6), 1000);
        assertArrayEquals(a.toArray(), b.toArray(), EXACT);
        assertNotEquals(a.get(0), c.get(0));
        assertEquals(0f, a.mean().item(), 0.1f);
        assertEquals(1f, a.pow(2f).mean().item(), 0.1f);
        Tensor u = Tensor.uniform(new Rng(5), -2f, 3f, 1000);
        for (float v : u.data()) {
            assertTrue(v >= -2f && v < 3f);
        }
    }

    @Test
    void rngFirstValuesAreFixedAcrossJdks() {
        // SplitMix64 from seed 0: the reference stream's first output.
        assertEquals(0xE220A8397B1DCDAFL, new Rng(0).nextLong());
        Rng rng = new Rng(11);
        long[] state = rng.state();
        double g = rng.nextGaussian();
        rng.restore(state);
        assertEquals(g, rng.nextGaussian());
    }

    @Test
    void toStringShowsShapeAndAPreview() {
        String s = Tensor.arange(20).reshape(4, 5).toString();
        assertTrue(s.startsWith("Tensor[4, 5]"), s);
        assertTrue(s.contains("0.000") && s.contains("19.00") && s.contains("..."), s);
        assertTrue(Tensor.ones(2).requiresGrad(true).mul(2f).toString().contains("op=mul"));
    }

    @Test
    void badShapesAndIndicesNameTheProblem() {
        var negative = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertTrue(negative.getMessage().contains("negative size"), negative.getMessage());
        var fill = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(fill.getMessage().contains("[2, 3]"), fill.getMessage());
        var index = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).get(2, 0));
        assertTrue(index.getMessage().contains("out of range"), index.getMessage());
        var item = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).item());
        assertTrue(item.getMessage().contains("item"), item.getMessage());
        var dim = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(2, false));
        assertTrue(dim.getMessage().contains("sum") && dim.getMessage().contains("dimension 2"), dim.getMessage());
    }

    @Test
    void intTensorRejectsFractionalIndices() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> IntTensor.fromFloats(Tensor.of(new float[] {1f, 2.5f}, 2)));
        assertTrue(e.getMessage().contains("2.5") && e.getMessage().contains("whole numbers"), e.getMessage());
        assertArrayEquals(new int[] {1, 2}, IntTensor.fromFloats(Tensor.of(new float[] {1f, 2f}, 2)).data());
    }
}
