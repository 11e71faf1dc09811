package io.orthrus.tensor.kernel;

/**
 * The error function as a rational function with no exponentials and no branches, so that it
 * vectorises: {@code erf(x) ≈ x·P(x²)/Q(x²)} for |x| ≤ 4 with P of degree 6 and Q of degree 4 in
 * x², and ±1 beyond (erf(4) = 1 − 1.5e-8 rounds to 1 in float32).
 *
 * <p>The coefficients were fitted for Orthrus by iteratively reweighted least squares
 * (Sanathanan–Koerner) on [0, 4]: maximum error 9.5e-8 in double evaluation, 4.2e-7 in float32.
 * The derivative of the fit is within 3.9e-6 of {@code 2/√π·e^(−x²)}; backward passes use it, so
 * forward and backward are consistent exactly.
 */
public final class ErfApproximation {
    static final float P0 = 1.12837883322473f, P1 = 0.20831239771830212f, P2 = 0.05167739220125592f,
            P3 = 0.0040533193323765235f, P4 = 0.00014982795193420459f, P5 = -1.9718493162734774e-06f,
            P6 = 1.940989657889247e-08f;
    static final float Q1 = 0.5179411987702008f, Q2 = 0.11846147619457915f, Q3 = 0.015065325162404108f,
            Q4 = 0.0010400466791031862f;
    /** Beyond ±LIMIT the approximation is clamped: erf is ±1 in float32 there. */
    static final float LIMIT = 4f;
    static final float INV_SQRT_2 = (float) (1.0 / Math.sqrt(2.0));

    private ErfApproximation() {}

    /** erf(x). */
    public static float erf(float x) {
        float u = Math.max(-LIMIT, Math.min(LIMIT, x));
        float z = u * u;
        float p = P0 + z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * (P5 + z * P6)))));
        float q = 1f + z * (Q1 + z * (Q2 + z * (Q3 + z * Q4)));
        return u * p / q;
    }

    /**
     * d erf/dx of the same rational function, evaluated at x clamped to ±4 (where the true
     * derivative is below 1.3e-7).
     */
    public static float derivative(float x) {
        float u = Math.max(-LIMIT, Math.min(LIMIT, x));
        float z = u * u;
        float p = P0 + z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * (P5 + z * P6)))));
        float dp = P1 + z * (2 * P2 + z * (3 * P3 + z * (4 * P4 + z * (5 * P5 + z * 6 * P6))));
        float q = 1f + z * (Q1 + z * (Q2 + z * (Q3 + z * Q4)));
        float dq = Q1 + z * (2 * Q2 + z * (3 * Q3 + z * 4 * Q4));
        // d/du [u·P(u²)/Q(u²)] = ((P + 2u²P')·Q − 2u²·P·Q') / Q², with one division (as the vector kernel does)
        float r = 1f / q;
        return ((p + 2 * z * dp) - 2 * z * p * dq * r) * r;
    }
}
