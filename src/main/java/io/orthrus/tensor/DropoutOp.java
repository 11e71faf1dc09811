package io.orthrus.tensor;

/** Inverted dropout: survivors are scaled by 1/(1-p) in training so that evaluation needs no rescaling. */
final class DropoutOp {
    private DropoutOp() {}

    static Tensor dropout(Tensor a, float p, Rng rng, boolean training) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1), got " + p);
        }
        if (!training || p == 0) {
            return a;
        }
        float keepScale = 1f / (1f - p);
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        float[] scale = Workspace.uninitialized(x.length); // 0 for dropped elements, 1/(1-p) for kept ones
        for (int i = 0; i < x.length; i++) {
            scale[i] = rng.nextFloat() < p ? 0f : keepScale;
            out[i] = x[i] * scale[i];
        }
        return Tensor.fromOp("dropout", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * scale[i];
            }
        }, a);
    }
}
