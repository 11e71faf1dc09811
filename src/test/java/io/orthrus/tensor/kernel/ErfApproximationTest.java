package io.orthrus.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErfApproximationTest {
    /** The fit's stated float32 accuracy, with margin. */
    private static final double ERF_TOLERANCE = 5e-7;
    private static final double DERIVATIVE_TOLERANCE = 5e-6;

    /** erf by its Maclaurin series in double: about 1e-9 accurate for |x| ≤ 4 despite cancellation; ±1 beyond 6. */
    static double referenceErf(double x) {
        if (Math.abs(x) > 6) {
            return Math.signum(x);
        }
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void rationalErfIsAccurateToFloatPrecision() {
        for (int i = -6000; i <= 6000; i++) {
            double x = i / 1000.0;
            double expected = Math.abs(x) <= 5 ? referenceErf(x) : Math.signum(x);
            assertEquals(expected, ErfApproximation.erf((float) x), ERF_TOLERANCE, "erf(" + x + ")");
        }
    }

    @Test
    void itsDerivativeMatchesTheGaussian() {
        for (int i = -3990; i <= 3990; i++) {
            double x = i / 1000.0;
            double expected = 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
            assertEquals(expected, ErfApproximation.derivative((float) x), DERIVATIVE_TOLERANCE, "erf'(" + x + ")");
        }
        assertEquals(0f, ErfApproximation.derivative(5f), 1e-5f);
    }
}
