package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;

import java.util.Arrays;

/** Layer normalisation over the last dimension, with a fused forward and backward (loops in {@link MathKernel}). */
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
        MathKernel math = Kernels.math();
        float[] x = a.data(), out = new float[x.length];
        float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
        float[] xHat = new float[x.length]; // normalised input, kept for backward
        float[] rstd = new float[rows];     // 1 / sqrt(var + eps) per row
        math.layerNorm(x, rows, c, w, b, eps, out, xHat, rstd);
        Tensor[] inputs = weight == null && bias == null ? new Tensor[] {a}
                : weight == null ? new Tensor[] {a, bias}
                : bias == null ? new Tensor[] {a, weight} : new Tensor[] {a, weight, bias};
        return Tensor.fromOp("layerNorm", out, shape, g -> math.layerNormBackward(g, xHat, rstd, w, rows, c,
                a.gradBuffer(), weight == null ? null : weight.gradBuffer(), bias == null ? null : bias.gradBuffer()),
                inputs);
    }

    private static void checkAffine(String name, Tensor t, int c, int[] shape) {
        if (t != null && (t.rank() != 1 || t.size(0) != c)) {
            throw new IllegalArgumentException("layerNorm: " + name + " must have shape [" + c + "] to match the last "
                    + "dimension of input shape " + Arrays.toString(shape) + ", got " + Arrays.toString(t.shape()));
        }
    }
}
