package io.orthrus.tensor;

/**
 * The backward half of an op: given the gradient of the loss with respect to the op's output,
 * add ({@code +=}) the gradients with respect to its inputs into their {@link Tensor#grad()}.
 *
 * <p>Implementations must accumulate rather than assign, since an input used twice receives a
 * contribution from each use, and must skip inputs whose {@link Tensor#requiresGrad()} is false
 * ({@link Tensor#gradBuffer()} returns {@code null} for them).
 */
@FunctionalInterface
public interface Backward {
    /**
     * Adds this op's contribution to its inputs' gradients.
     *
     * @param gradOutput dL/d(output), laid out like the output (read only)
     */
    void apply(float[] gradOutput);
}
