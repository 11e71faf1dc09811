package io.orthrus.tensor;

import java.util.Arrays;

/** Layer normalisation over the last dimension, with a fused forward and backward. */
final class LayerNormOp {
    private LayerNormOp() {}

    static Tensor layerNorm(Tensor a, Tensor weight, Tensor bias, float eps) {
        int[] shape = a.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("layerNorm: needs at least one dimension, got a scalar");
        }
        int c = shape[shape.length - 1];
        int rows = a.numel() / Math.max(1, c);
        checkAffine("weight", weight, c, shape);
        checkAffine("bias", bias, c, shape);
        if (!(eps > 0)) {
            throw new IllegalArgumentException("layerNorm: eps must be positive, got " + eps);
        }
        float[] x = a.data(), out = new float[x.length];
        float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
        float[] xHat = new float[x.length]; // normalised input, kept for backward
        float[] rstd = new float[rows];     // 1 / sqrt(var + eps) per row
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += x[base + i];
            }
            mean /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                double dev = x[base + i] - mean;
                var += dev * dev;
            }
            var /= c;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            rstd[r] = inv;
            float m = (float) mean;
            for (int i = 0; i < c; i++) {
                float h = (x[base + i] - m) * inv;
                xHat[base + i] = h;
                out[base + i] = (w == null ? h : h * w[i]) + (b == null ? 0f : b[i]);
            }
        }
        Tensor[] inputs = weight == null && bias == null ? new Tensor[] {a}
                : weight == null ? new Tensor[] {a, bias}
                : bias == null ? new Tensor[] {a, weight} : new Tensor[] {a, weight, bias};
        return Tensor.fromOp("layerNorm", out, shape, g -> {
            float[] ga = a.gradBuffer();
            float[] gw = weight == null ? null : weight.gradBuffer();
            float[] gb = bias == null ? null : bias.gradBuffer();
            for (int r = 0; r < rows; r++) {
                int base = r * c;
                // With dy = g·w: dx = rstd · (dy - mean(dy) - x̂ · mean(dy · x̂))
                float dyMean = 0, dyXhatMean = 0;
                for (int i = 0; i < c; i++) {
                    float dy = w == null ? g[base + i] : g[base + i] * w[i];
                    dyMean += dy;
                    dyXhatMean += dy * xHat[base + i];
                    if (gw != null) {
                        gw[i] += g[base + i] * xHat[base + i];
                    }
                    if (gb != null) {
                        gb[i] += g[base + i];
                    }
                }
                dyMean /= c;
                dyXhatMean /= c;
                if (ga != null) {
                    for (int i = 0; i < c; i++) {
                        float dy = w == null ? g[base + i] : g[base + i] * w[i];
                        ga[base + i] += rstd[r] * (dy - dyMean - xHat[base + i] * dyXhatMean);
                    }
                }
            }
        }, inputs);
    }

    private static void checkAffine(String name, Tensor t, int c, int[] shape) {
        if (t != null && (t.rank() != 1 || t.size(0) != c)) {
            throw new IllegalArgumentException("layerNorm: " + name + " must have shape [" + c + "] to match the last "
                    + "dimension of input shape " + Arrays.toString(shape) + ", got " + Arrays.toString(t.shape()));
        }
    }
}
