package io.orthrus.optim;

import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Gradient clipping by the global norm over all parameters, as in Pascanu et al. (2013) and GPT training. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / ‖g‖} when the global norm {@code ‖g‖ = √Σ g²}
     * exceeds {@code maxNorm}; returns the norm before clipping (useful to log divergence).
     * Parameters without a gradient are skipped. To clip without a pass over the gradients, pass
     * {@link #scale} of {@link #globalNorm} to {@link Optimizer#step(double)} instead, as
     * {@link io.orthrus.train.Trainer} does.
     */
    public static double clipGlobalNorm(Collection<? extends Tensor> parameters, double maxNorm) {
        double norm = globalNorm(parameters);
        float scale = (float) scale(norm, maxNorm);
        if (scale != 1f) {
            List<float[]> grads = gradients(parameters);
            Parallel.shared().forSegments(lengths(grads), Optimizer.CHUNK,
                    (chunk, s, from, to) -> scaleInPlace(grads.get(s), from, to, scale));
        }
        return norm;
    }

    /**
     * The factor clipping to {@code maxNorm} multiplies gradients of global norm {@code norm} by:
     * {@code maxNorm / (norm + 1e-6)} when {@code norm > maxNorm} (PyTorch's {@code clip_grad_norm_}),
     * else exactly 1.
     *
     * @throws IllegalArgumentException if {@code maxNorm} is not positive
     */
    public static double scale(double norm, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("GradClip: maxNorm must be positive, got " + maxNorm);
        }
        return norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1.0;
    }

    /**
     * The global norm {@code √Σ g²} over the gradients of {@code parameters} (those without one are
     * skipped). One pass over the gradients as one flat buffer on {@link Parallel#shared()}: each
     * chunk of {@link Optimizer#CHUNK} elements is summed by {@link MathKernel#sumOfSquares} and the
     * chunks are added in order, so the norm is the same for any thread count.
     */
    public static double globalNorm(Collection<? extends Tensor> parameters) {
        List<float[]> grads = gradients(parameters);
        Parallel.Segments cut = Parallel.Segments.of(lengths(grads), Optimizer.CHUNK);
        double[] partial = new double[cut.chunks()];
        MathKernel math = Kernels.math();
        // A loop of its own rather than forSegments, so that the JIT compiles this vector kernel apart
        // from the optimizer's (see Parallel.Segments).
        Parallel.shared().forEach(cut.chunks(), c -> {
            for (int s = cut.firstSegment(c), end = cut.endSegment(c); s < end; s++) {
                partial[c] += math.sumOfSquares(grads.get(s), cut.from(c, s), cut.to(c, s));
            }
        });
        double sumSq = 0;
        for (double p : partial) {
            sumSq += p;
        }
        return Math.sqrt(sumSq);
    }

    /** g[i] *= scale for {@code from ≤ i < to}: clipping applied to a piece of a gradient. */
    static void scaleInPlace(float[] g, int from, int to, float scale) {
        for (int i = from; i < to; i++) {
            g[i] *= scale;
        }
    }

    private static List<float[]> gradients(Collection<? extends Tensor> parameters) {
        List<float[]> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            if (p.hasGrad()) {
                grads.add(p.gradBuffer());
            }
        }
        return grads;
    }

    private static int[] lengths(List<float[]> grads) {
        return grads.stream().mapToInt(g -> g.length).toArray();
    }
}
