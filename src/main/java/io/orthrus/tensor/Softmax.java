package io.orthrus.tensor;

/**
 * Softmax and log-softmax over one dimension, numerically stable (the maximum is subtracted).
 * A slice that is entirely -∞ (every position masked) gets probabilities 0 rather than NaN.
 */
final class Softmax {
    private Softmax() {}

    static Tensor softmax(Tensor a, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int[] shape = a.shape();
        int d = Shapes.dim(op, shape, dim);
        int outer = Shapes.outer(shape, d), n = shape[d], inner = Shapes.inner(shape, d);
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, x[base + k * inner]);
                }
                if (max == Float.NEGATIVE_INFINITY) {
                    max = 0f; // all masked: exp(-inf) = 0 everywhere instead of NaN from -inf - -inf
                }
                double total = 0;
                for (int k = 0; k < n; k++) {
                    total += Math.exp(x[base + k * inner] - max);
                }
                if (log) {
                    float logTotal = (float) Math.log(total);
                    for (int k = 0; k < n; k++) {
                        out[base + k * inner] = x[base + k * inner] - max - logTotal;
                    }
                } else {
                    float inv = total == 0 ? 0f : (float) (1.0 / total);
                    for (int k = 0; k < n; k++) {
                        out[base + k * inner] = (float) Math.exp(x[base + k * inner] - max) * inv;
                    }
                }
            }
        }
        return Tensor.fromOp(op, out, shape, g -> {
            float[] ga = a.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    if (log) {
                        // y = x - logΣe^x:  dx = g - softmax · Σg
                        float gSum = 0;
                        for (int k = 0; k < n; k++) {
                            gSum += g[base + k * inner];
                        }
                        for (int k = 0; k < n; k++) {
                            int idx = base + k * inner;
                            ga[idx] += g[idx] - (float) Math.exp(out[idx]) * gSum;
                        }
                    } else {
                        // y = softmax(x):  dx = y · (g - Σ g·y)
                        float dot = 0;
                        for (int k = 0; k < n; k++) {
                            dot += g[base + k * inner] * out[base + k * inner];
                        }
                        for (int k = 0; k < n; k++) {
                            int idx = base + k * inner;
                            ga[idx] += out[idx] * (g[idx] - dot);
                        }
                    }
                }
            }
        }, a);
    }
}
