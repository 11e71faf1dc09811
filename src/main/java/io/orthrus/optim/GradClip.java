package io.orthrus.optim;

import io.orthrus.tensor.Tensor;
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
     * Parameters without a gradient are skipped.
     *
     * <p>Both passes run over the gradients as one flat buffer on {@link Parallel#shared()}; the
     * sum of squares is kept in double per chunk of {@link Optimizer#CHUNK} elements and the chunks
     * are added in order, so the norm is the same for any thread count.
     */
    public static double clipGlobalNorm(Collection<? extends Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be positive, got " + maxNorm);
        }
        List<float[]> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            if (p.hasGrad()) {
                grads.add(p.gradBuffer());
            }
        }
        int[] lengths = grads.stream().mapToInt(g -> g.length).toArray();
        double[] partial = new double[Parallel.segmentChunks(lengths, Optimizer.CHUNK)];
        Parallel.shared().forSegments(lengths, Optimizer.CHUNK, (chunk, s, from, to) -> {
            float[] g = grads.get(s);
            // Four independent sums, so the adds overlap instead of waiting on one another.
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = from;
            for (; i + 4 <= to; i += 4) {
                s0 += (double) g[i] * g[i];
                s1 += (double) g[i + 1] * g[i + 1];
                s2 += (double) g[i + 2] * g[i + 2];
                s3 += (double) g[i + 3] * g[i + 3];
            }
            for (; i < to; i++) {
                s0 += (double) g[i] * g[i];
            }
            partial[chunk] += (s0 + s1) + (s2 + s3);
        });
        double sumSq = 0;
        for (double p : partial) {
            sumSq += p;
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            Parallel.shared().forSegments(lengths, Optimizer.CHUNK, (chunk, s, from, to) -> {
                float[] g = grads.get(s);
                for (int i = from; i < to; i++) {
                    g[i] *= scale;
                }
            });
        }
        return norm;
    }
}
