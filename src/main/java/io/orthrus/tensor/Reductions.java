package io.orthrus.tensor;

/**
 * Sums, means and maxima. A tensor is seen as {@code (outer, n, inner)} around the reduced
 * dimension, so one loop nest serves every dimension.
 */
final class Reductions {
    private Reductions() {}

    static Tensor sumAll(Tensor a) {
        float[] x = a.data();
        double total = 0; // double accumulation: exact enough for losses over large batches
        for (float v : x) {
            total += v;
        }
        return Tensor.fromOp("sum", new float[] {(float) total}, new int[0], g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < ga.length; i++) {
                ga[i] += g[0];
            }
        }, a);
    }

    static Tensor sum(Tensor a, int dim, boolean keepDim, boolean mean) {
        String op = mean ? "mean" : "sum";
        int[] shape = a.shape();
        int d = Shapes.dim(op, shape, dim);
        int outer = Shapes.outer(shape, d), n = shape[d], inner = Shapes.inner(shape, d);
        if (mean && n == 0) {
            throw new IllegalArgumentException("mean: dimension " + dim + " of shape "
                    + java.util.Arrays.toString(shape) + " is empty; the mean of nothing is undefined");
        }
        float scale = mean ? 1f / n : 1f;
        float[] x = a.data(), out = Workspace.zeroed(outer * inner);
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                int src = (o * n + k) * inner, dst = o * inner;
                for (int i = 0; i < inner; i++) {
                    out[dst + i] += x[src + i];
                }
            }
        }
        if (mean) {
            for (int i = 0; i < out.length; i++) {
                out[i] *= scale;
            }
        }
        return Tensor.fromOp(op, out, reducedShape(shape, d, keepDim), g -> {
            float[] ga = a.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < n; k++) {
                    int dst = (o * n + k) * inner, src = o * inner;
                    for (int i = 0; i < inner; i++) {
                        ga[dst + i] += scale * g[src + i];
                    }
                }
            }
        }, a);
    }

    static Tensor max(Tensor a, int dim, boolean keepDim) {
        int[] shape = a.shape();
        int d = Shapes.dim("max", shape, dim);
        int[] argmax = flatArgmax(a, d, "max"); // flat source index of each maximum
        float[] x = a.data(), out = Workspace.uninitialized(argmax.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = x[argmax[i]];
        }
        return Tensor.fromOp("max", out, reducedShape(shape, d, keepDim), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[argmax[i]] += g[i];
            }
        }, a);
    }

    static IntTensor argmax(Tensor a, int dim) {
        int[] shape = a.shape();
        int d = Shapes.dim("argmax", shape, dim);
        int[] flat = flatArgmax(a, d, "argmax");
        int n = shape[d], inner = Shapes.inner(shape, d);
        int[] index = new int[flat.length];
        for (int i = 0; i < flat.length; i++) {
            index[i] = flat[i] / inner % n;
        }
        return IntTensor.wrap(index, reducedShape(shape, d, false));
    }

    /** For each position of the other dimensions, the flat index of the first largest element along {@code d}. */
    private static int[] flatArgmax(Tensor a, int d, String op) {
        int[] shape = a.shape();
        int outer = Shapes.outer(shape, d), n = shape[d], inner = Shapes.inner(shape, d);
        if (n == 0) {
            throw new IllegalArgumentException(op + ": dimension " + d + " of shape "
                    + java.util.Arrays.toString(shape) + " is empty; the maximum of nothing is undefined");
        }
        float[] x = a.data();
        int[] argmax = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = o * n * inner + i;
                for (int k = 1; k < n; k++) {
                    int idx = (o * n + k) * inner + i;
                    if (x[idx] > x[best]) {
                        best = idx;
                    }
                }
                argmax[o * inner + i] = best;
            }
        }
        return argmax;
    }

    static int[] reducedShape(int[] shape, int dim, boolean keepDim) {
        if (keepDim) {
            int[] out = shape.clone();
            out[dim] = 1;
            return out;
        }
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != dim) {
                out[j++] = shape[i];
            }
        }
        return out;
    }
}
