package io.orthrus.optim;

import io.orthrus.tensor.Tensor;
import java.util.Collection;

/** Gradient clipping by the global norm over all parameters, as in Pascanu et al. (2013) and GPT training. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / ‖g‖} when the global norm {@code ‖g‖ = √Σ g²}
     * exceeds {@code maxNorm}; returns the norm before clipping (useful to log divergence).
     * Parameters without a gradient are skipped.
     */
    public static double clipGlobalNorm(Collection<? extends Tensor> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be positive, got " + maxNorm);
        }
        double sumSq = 0;
        for (Tensor p : parameters) {
            if (p.hasGrad()) {
                for (float g : p.gradBuffer()) {
                    sumSq += (double) g * g;
                }
            }
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : parameters) {
                if (p.hasGrad()) {
                    float[] g = p.gradBuffer();
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= scale;
                    }
                }
            }
        }
        return norm;
    }
}
