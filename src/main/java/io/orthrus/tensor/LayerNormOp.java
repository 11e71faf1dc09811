package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;

import java.util.Arrays;

/**
 * Layer normalisation over the last dimension, and RMS normalisation (the same without centring:
 * {@code x / √(mean(x²) + eps) · w}, Llama's RMSNorm), with a fused forward and backward (loops in
 * {@link MathKernel}), split over the shared pool in blocks of rows. The weight and bias
 * gradients sum over rows: each block sums its own rows and the blocks are added in order, so the
 * result does not depend on the thread count.
 */
final class LayerNormOp {
    /** Rows per parallel block; fixed, so the order of the gradient sums never depends on the pool. */
    static final int ROWS_PER_BLOCK = 32;

    private LayerNormOp() {}

    static Tensor layerNorm(Tensor a, Tensor weight, Tensor bias, float eps) {
        return normalize("layerNorm", a, weight, bias, eps, true);
    }

    static Tensor rmsNorm(Tensor a, Tensor weight, float eps) {
        return normalize("rmsNorm", a, weight, null, eps, false);
    }

    private static Tensor normalize(String op, Tensor a, Tensor weight, Tensor bias, float eps, boolean center) {
        int[] shape = a.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException(op + ": needs at least one dimension, got a scalar");
        }
        int c = shape[shape.length - 1];
        int rows = a.numel() / Math.max(1, c);
        checkAffine(op, "weight", weight, c, shape);
        checkAffine(op, "bias", bias, c, shape);
        if (!(eps > 0)) {
            throw new IllegalArgumentException(op + ": eps must be positive, got " + eps);
        }
        MathKernel math = Kernels.math();
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        float[] w = weight == null ? null : weight.data(), b = bias == null ? null : bias.data();
        float[] xHat = Workspace.uninitialized(x.length); // normalised input, kept for backward
        float[] rstd = Workspace.uninitialized(rows);     // 1 / sqrt(var + eps) per row
        Parallel.shared().forRange(rows, ROWS_PER_BLOCK, (from, to) -> math.layerNorm(x, from, to, c, w, b, eps, center, out, xHat,
                rstd));
        Tensor[] inputs = weight == null && bias == null ? new Tensor[] {a}
                : weight == null ? new Tensor[] {a, bias}
                : bias == null ? new Tensor[] {a, weight} : new Tensor[] {a, weight, bias};
        return Tensor.fromOp(op, out, shape, g -> backward(math, g, xHat, rstd, w, center, rows, c,
                a.gradBuffer(), weight == null ? null : weight.gradBuffer(), bias == null ? null : bias.gradBuffer()),
                inputs);
    }

    private static void backward(MathKernel math, float[] g, float[] xHat, float[] rstd, float[] w, boolean center,
                                 int rows, int c, float[] gradX, float[] gradW, float[] gradB) {
        int blocks = Parallel.chunks(rows, ROWS_PER_BLOCK);
        // One partial sum per block of rows for the weight and bias gradients, added in block order below.
        float[] partW = gradW == null ? null : Workspace.uninitialized(blocks * c);
        float[] partB = gradB == null ? null : Workspace.uninitialized(blocks * c);
        Parallel.shared().forEach(blocks, block -> {
            int from = block * ROWS_PER_BLOCK, to = Math.min(rows, from + ROWS_PER_BLOCK);
            float[] blockW = partW == null ? null : new float[c], blockB = partB == null ? null : new float[c];
            math.layerNormBackward(g, xHat, rstd, w, center, from, to, c, gradX, blockW, blockB);
            if (blockW != null) {
                System.arraycopy(blockW, 0, partW, block * c, c);
            }
            if (blockB != null) {
                System.arraycopy(blockB, 0, partB, block * c, c);
            }
        });
        addBlocks(partW, blocks, c, gradW);
        addBlocks(partB, blocks, c, gradB);
    }

    private static void addBlocks(float[] partial, int blocks, int c, float[] into) {
        if (partial == null) {
            return;
        }
        for (int block = 0; block < blocks; block++) {
            for (int i = 0; i < c; i++) {
                into[i] += partial[block * c + i];
            }
        }
    }

    private static void checkAffine(String op, String name, Tensor t, int c, int[] shape) {
        if (t != null && (t.rank() != 1 || t.size(0) != c)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape [" + c + "] to match the last "
                    + "dimension of input shape " + Arrays.toString(shape) + ", got " + Arrays.toString(t.shape()));
        }
    }
}
