package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradCheckTest {
    /** x², whose backward is deliberately wrong by the given factor (1 is correct). */
    private static Tensor square(Tensor x, float backwardFactor) {
        float[] v = x.data(), out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * v[i];
        }
        return Tensor.fromOp("square", out, x.shape(), g -> {
            float[] gx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                gx[i] += backwardFactor * 2f * v[i] * g[i];
            }
        }, x);
    }

    @Test
    void passesACorrectUserDefinedOp() {
        Tensor x = Tensor.randn(new Rng(1), 3, 4);
        GradCheck.Result result = GradCheck.check(in -> square(in[0], 1f), x);
        assertTrue(result.passed(), result.toString());
        assertEquals(12, result.checked());
    }

    @Test
    void catchesADeliberatelyWrongBackward() {
        Tensor x = Tensor.randn(new Rng(1), 3, 4);
        GradCheck.Result result = GradCheck.check(in -> square(in[0], 1.5f), x);
        assertFalse(result.passed(), result.toString());
        assertTrue(result.normwiseError() > 0.1, result.toString());
    }

    @Test
    void catchesAGradientSentToTheWrongElement() {
        Tensor x = Tensor.randn(new Rng(2), 5);
        GradCheck.Result result = GradCheck.check(in -> {
            Tensor a = in[0];
            float[] v = a.data(), out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = 3f * v[i];
            }
            return Tensor.fromOp("shifted", out, a.shape(), g -> {
                float[] ga = a.gradBuffer();
                for (int i = 0; i < g.length; i++) {
                    ga[(i + 1) % g.length] += 3f * g[i]; // off by one
                }
            }, a);
        }, x);
        assertFalse(result.passed(), result.toString());
    }

    @Test
    void leavesTheCallersTensorsUntouched() {
        Tensor x = Tensor.randn(new Rng(3), 4);
        float[] before = x.toArray();
        GradCheck.check(in -> in[0].tanh(), x);
        assertTrue(java.util.Arrays.equals(before, x.toArray()));
        assertEquals(null, x.grad());
    }

    @Test
    void rejectsNanInputsNamingTheInputAndIndex() {
        Tensor x = Tensor.of(new float[] {1f, Float.NaN}, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0].exp(), x));
        assertTrue(e.getMessage().contains("input 0") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void rejectsAFunctionThatIgnoresItsInputs() {
        Tensor x = Tensor.randn(new Rng(4), 2);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> Tensor.ones(2), x));
    }
}
