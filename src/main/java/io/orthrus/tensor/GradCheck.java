package io.orthrus.tensor;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Checks a differentiable function's backward against central finite differences, so that users
 * can test their own ops and modules from JUnit:
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(in -> in[0].mul(in[1]).tanh(), x, y);
 * assertTrue(r.passed(), r.toString());
 * }</pre>
 *
 * <p>For a function f with output of any shape, the checked scalar is {@code L = Σᵢ f(x)ᵢ·rᵢ}
 * with a fixed random projection r, so every output element takes part. The analytic gradient is
 * {@code f(x).backward(r)}; the numeric one is {@code (L(x + ε·eⱼ) - L(x - ε·eⱼ)) / 2ε} for every
 * input element j, with L summed in double precision.
 *
 * <p><b>Tolerance.</b> In float32 a forward pass carries relative rounding noise near 1e-7 of
 * its magnitude; divided by 2ε that becomes an element-wise error of order 1e-5 at ε = 1e-2,
 * while the truncation error of the central difference is of order ε²·f‴ ≈ 1e-4 relative.
 * Single elements whose true gradient is near zero therefore show large relative errors even
 * for a correct backward, so the pass criterion is norm-wise:
 * {@code ‖analytic − numeric‖ / ‖analytic + numeric‖ ≤ 1e-3}. A wrong backward (a missing
 * term, a wrong factor, a transposed index) gives errors of order 1e-1 to 1, two orders above
 * it. The worst element-wise error is reported to help find a bug, but is not the criterion.
 * Keep inputs away from kinks (relu at 0, ties for max) by more than ε.
 */
public final class GradCheck {
    /** Default finite-difference step ε. */
    public static final double DEFAULT_EPSILON = 1e-2;
    /** Default bound on the norm-wise error. */
    public static final double DEFAULT_TOLERANCE = 1e-3;
    private static final long PROJECTION_SEED = 0x5EED_CAFEL;

    private GradCheck() {}

    /**
     * The outcome of a check.
     *
     * @param normwiseError  {@code ‖analytic − numeric‖ / ‖analytic + numeric‖} (0 when both are zero)
     * @param maxAbsError    largest {@code |analytic − numeric|} over all input elements
     * @param worstInput     which input holds that element
     * @param worstIndex     its flat index in that input
     * @param tolerance      the bound the norm-wise error was held to
     * @param checked        number of input elements checked
     */
    public record Result(double normwiseError, double maxAbsError, int worstInput, int worstIndex,
                         double tolerance, int checked) {
        /** True when the norm-wise error is within the tolerance. */
        public boolean passed() {
            return normwiseError <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "GradCheck %s: norm-wise error %.3g (tolerance %.1g), worst element error %.3g at input %d index %d,"
                            + " %d elements", passed() ? "passed" : "FAILED", normwiseError, tolerance, maxAbsError,
                    worstInput, worstIndex, checked);
        }
    }

    /** Checks with the default ε and tolerance. */
    public static Result check(Function<Tensor[], Tensor> function, Tensor... inputs) {
        return check(function, DEFAULT_EPSILON, DEFAULT_TOLERANCE, inputs);
    }

    /**
     * Checks the gradient of {@code function} with respect to every element of every input. The
     * inputs are copied (the caller's tensors are not modified); the function receives the copies
     * and must be deterministic (reseed any dropout inside it).
     */
    public static Result check(Function<Tensor[], Tensor> function, double epsilon, double tolerance,
                               Tensor... inputs) {
        if (!(epsilon > 0) || !(tolerance > 0)) {
            throw new IllegalArgumentException("GradCheck: epsilon and tolerance must be positive, got epsilon="
                    + epsilon + ", tolerance=" + tolerance);
        }
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            float[] values = inputs[i].data();
            for (int j = 0; j < values.length; j++) {
                if (!Float.isFinite(values[j])) {
                    throw new IllegalArgumentException("GradCheck: input " + i + " of shape "
                            + Arrays.toString(inputs[i].shape()) + " holds " + values[j] + " at flat index " + j
                            + "; finite differences need finite inputs");
                }
            }
            leaves[i] = Tensor.of(values, inputs[i].shape()).requiresGrad(true);
        }

        Tensor output = function.apply(leaves);
        requireFinite(output, "output");
        if (!output.requiresGrad()) {
            throw new IllegalArgumentException("GradCheck: the function's output does not depend on any input "
                    + "through a differentiable op (it does not require gradients)");
        }
        Tensor projection = Tensor.uniform(new Rng(PROJECTION_SEED), -1f, 1f, output.shape());
        output.backward(projection);

        double diffSq = 0, sumSq = 0, maxAbs = 0;
        int worstInput = -1, worstIndex = -1, checked = 0;
        for (int i = 0; i < leaves.length; i++) {
            float[] values = leaves[i].data();
            Tensor grad = leaves[i].grad();
            float[] analytic = grad == null ? new float[values.length] : grad.data();
            for (int j = 0; j < values.length; j++) {
                float original = values[j];
                values[j] = (float) (original + epsilon);
                double plus = projected(function, leaves, projection);
                values[j] = (float) (original - epsilon);
                double minus = projected(function, leaves, projection);
                values[j] = original;
                double numeric = (plus - minus) / (2 * epsilon);
                double diff = analytic[j] - numeric;
                diffSq += diff * diff;
                sumSq += (analytic[j] + numeric) * (analytic[j] + numeric);
                if (Math.abs(diff) > maxAbs || worstInput < 0) {
                    maxAbs = Math.abs(diff);
                    worstInput = i;
                    worstIndex = j;
                }
                checked++;
            }
        }
        double normwise = sumSq == 0 ? Math.sqrt(diffSq) : Math.sqrt(diffSq) / Math.sqrt(sumSq);
        return new Result(normwise, maxAbs, worstInput, worstIndex, tolerance, checked);
    }

    private static double projected(Function<Tensor[], Tensor> function, Tensor[] leaves, Tensor projection) {
        try (var g = NoGrad.enter()) {
            Tensor out = function.apply(leaves);
            requireFinite(out, "output at a perturbed input");
            float[] y = out.data(), r = projection.data();
            double total = 0;
            for (int i = 0; i < y.length; i++) {
                total += (double) y[i] * r[i];
            }
            return total;
        }
    }

    private static void requireFinite(Tensor t, String what) {
        float[] values = t.data();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("GradCheck: the function's " + what + " holds " + values[i]
                        + " at flat index " + i + " of shape " + Arrays.toString(t.shape()));
            }
        }
    }
}
