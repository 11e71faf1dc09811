package io.orthrus.tensor;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;

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
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            requireFinite(inputs[i], "input " + i);
            leaves[i] = Tensor.of(inputs[i].data(), inputs[i].shape()).requiresGrad(true);
        }
        return run(() -> function.apply(leaves), epsilon, tolerance, leaves);
    }

    /** {@link #checkInPlace(Supplier, double, double, Tensor...)} with the default ε and tolerance. */
    public static Result checkInPlace(Supplier<Tensor> function, Tensor... tensors) {
        return checkInPlace(function, DEFAULT_EPSILON, DEFAULT_TOLERANCE, tensors);
    }

    /**
     * Checks the gradient of {@code function} with respect to tensors it reads directly, such as
     * a module's parameters: each is perturbed in place and restored afterwards, and its
     * accumulated gradient is left as it was. Every tensor must require gradients.
     */
    public static Result checkInPlace(Supplier<Tensor> function, double epsilon, double tolerance, Tensor... tensors) {
        float[][] savedGrads = new float[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            requireFinite(tensors[i], "tensor " + i);
            if (!tensors[i].requiresGrad()) {
                throw new IllegalArgumentException("GradCheck.checkInPlace: tensor " + i + " of shape "
                        + Arrays.toString(tensors[i].shape()) + " does not require gradients");
            }
            savedGrads[i] = tensors[i].hasGrad() ? tensors[i].gradBuffer().clone() : null;
            tensors[i].zeroGrad();
        }
        try {
            return run(function, epsilon, tolerance, tensors);
        } finally {
            for (int i = 0; i < tensors.length; i++) {
                if (savedGrads[i] != null) {
                    System.arraycopy(savedGrads[i], 0, tensors[i].gradBuffer(), 0, savedGrads[i].length);
                } else {
                    tensors[i].zeroGrad();
                }
            }
        }
    }

    private static Result run(Supplier<Tensor> function, double epsilon, double tolerance, Tensor[] leaves) {
        if (!(epsilon > 0) || !(tolerance > 0)) {
            throw new IllegalArgumentException("GradCheck: epsilon and tolerance must be positive, got epsilon="
                    + epsilon + ", tolerance=" + tolerance);
        }
        Tensor output = function.get();
        requireFinite(output, "the function's output");
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
            float[] analytic = leaves[i].hasGrad() ? leaves[i].gradBuffer().clone() : new float[values.length];
            for (int j = 0; j < values.length; j++) {
                float original = values[j];
                values[j] = (float) (original + epsilon);
                double plus = projected(function, projection);
                values[j] = (float) (original - epsilon);
                double minus = projected(function, projection);
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

    private static double projected(Supplier<Tensor> function, Tensor projection) {
        try (var g = NoGrad.enter()) {
            Tensor out = function.get();
            requireFinite(out, "the function's output at a perturbed input");
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
                throw new IllegalArgumentException("GradCheck: " + what + " of shape " + Arrays.toString(t.shape())
                        + " holds " + values[i] + " at flat index " + i + "; finite differences need finite values");
            }
        }
    }
}
