package io.orthrus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Rng;
import org.junit.jupiter.api.Test;

class GlyphsTest {
    @Test
    void glyphsAreBinaryBalancedSeededAndTheClassesDiffer() {
        LabeledVectors glyphs = Glyphs.sample(1000, new Rng(1));
        assertArrayEquals(new int[] {1000, Glyphs.PIXELS}, glyphs.inputs().shape());
        assertArrayEquals(glyphs.inputs().data(), Glyphs.sample(1000, new Rng(1)).inputs().data(), 0f);
        int[] perClass = new int[10];
        double[][] mean = new double[10][Glyphs.PIXELS];
        for (int i = 0; i < 1000; i++) {
            int label = glyphs.labels().data()[i];
            perClass[label]++;
            double ink = 0;
            for (int p = 0; p < Glyphs.PIXELS; p++) {
                float v = glyphs.inputs().get(i, p);
                assertTrue(v == 0f || v == 1f);
                ink += v;
                mean[label][p] += v / 100;
            }
            assertTrue(ink >= 7, "glyph " + i + " has " + ink + " pixels of ink");
        }
        assertArrayEquals(new int[] {100, 100, 100, 100, 100, 100, 100, 100, 100, 100}, perClass);
        for (int a = 0; a < 10; a++) {
            for (int b = a + 1; b < 10; b++) {
                double distance = 0;
                for (int p = 0; p < Glyphs.PIXELS; p++) {
                    distance += Math.abs(mean[a][p] - mean[b][p]);
                }
                assertTrue(distance > 5, Glyphs.CLASSES.get(a) + " and " + Glyphs.CLASSES.get(b) + " look alike");
            }
        }
        assertEquals(16, Glyphs.render(glyphs.inputs(), 0).lines().count());
    }

    @Test
    void slicesAndBatchesKeepLabelsWithTheirInputs() {
        LabeledVectors glyphs = Glyphs.sample(50, new Rng(2));
        LabeledVectors slice = glyphs.slice(10, 20);
        assertEquals(10, slice.size());
        assertEquals(glyphs.labels().data()[10], slice.labels().data()[0]);
        LabeledVectors batch = glyphs.batches(8, new Rng(3)).next();
        assertEquals(8, batch.size());
        assertThrows(IllegalArgumentException.class, () -> glyphs.slice(40, 60));
        assertThrows(IllegalArgumentException.class, () -> Glyphs.sample(0, new Rng(1)));
    }
}
