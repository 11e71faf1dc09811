package io.orthrus.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ops that move elements without computing on them: reshape, permute, narrow, concat, split. */
final class ShapeOps {
    private ShapeOps() {}

    static Tensor reshape(Tensor a, int[] requested) {
        int[] shape = inferShape(a, requested);
        // Storage is contiguous, so the output can share the input's values.
        return Tensor.fromOp("reshape", a.data(), shape, g -> {
            float[] newGa = a.gradBufferToOverwrite();
            if (newGa != null) {
                System.arraycopy(g, 0, newGa, 0, g.length);
                return;
            }
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i];
            }
        }, a);
    }

    private static int[] inferShape(Tensor a, int[] requested) {
        int[] shape = requested.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1 && inferred < 0) {
                inferred = d;
            } else if (shape[d] < 0) {
                throw new IllegalArgumentException("reshape: invalid size " + shape[d] + " in " + Arrays.toString(requested)
                        + " (sizes must be >= 0, with at most one -1 to infer)");
            } else {
                known *= shape[d];
            }
        }
        if (inferred >= 0) {
            if (known == 0 || a.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer the -1 in " + Arrays.toString(requested)
                        + " for a tensor of shape " + Arrays.toString(a.shape()) + " (" + a.numel() + " elements)");
            }
            shape[inferred] = (int) (a.numel() / known);
            known *= shape[inferred];
        }
        if (known != a.numel()) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " holds " + known
                    + " elements but the tensor of shape " + Arrays.toString(a.shape()) + " has " + a.numel());
        }
        return shape;
    }

    static Tensor transpose(Tensor a, int dim0, int dim1) {
        int rank = a.rank();
        int d0 = Shapes.dim("transpose", a.shape(), dim0), d1 = Shapes.dim("transpose", a.shape(), dim1);
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        order[d0] = d1;
        order[d1] = d0;
        return permute(a, order);
    }

    static Tensor permute(Tensor a, int[] order) {
        int[] in = a.shape();
        int rank = in.length;
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length
                    + " entries but the tensor of shape " + Arrays.toString(in) + " has " + rank + " dimensions");
        }
        int[] resolved = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            resolved[i] = Shapes.dim("permute", in, order[i]);
            if (seen[resolved[i]]) {
                throw new IllegalArgumentException("permute: order " + Arrays.toString(order)
                        + " repeats dimension " + order[i] + "; it must be a permutation of 0.." + (rank - 1));
            }
            seen[resolved[i]] = true;
        }
        int[] outShape = new int[rank];
        int[] inStrides = Shapes.strides(in);
        int[] gather = new int[rank]; // input stride for each output dimension
        for (int i = 0; i < rank; i++) {
            outShape[i] = in[resolved[i]];
            gather[i] = inStrides[resolved[i]];
        }
        int[] sourceIndex = Shapes.strideIndex(outShape, gather);
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = x[sourceIndex[i]];
        }
        return Tensor.fromOp("permute", out, outShape, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[sourceIndex[i]] += g[i];
            }
        }, a);
    }

    static Tensor narrow(Tensor a, int dim, int start, int length) {
        int[] shape = a.shape();
        int d = Shapes.dim("narrow", shape, dim);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length
                    + " do not fit dimension " + dim + " of size " + shape[d] + " in shape " + Arrays.toString(shape));
        }
        int outer = Shapes.outer(shape, d), n = shape[d], inner = Shapes.inner(shape, d);
        int[] outShape = shape.clone();
        outShape[d] = length;
        float[] x = a.data(), out = Workspace.uninitialized(outer * length * inner);
        int chunk = length * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, (o * n + start) * inner, out, o * chunk, chunk);
        }
        return Tensor.fromOp("narrow", out, outShape, g -> {
            float[] ga = a.gradBuffer();
            for (int o = 0; o < outer; o++) {
                int src = o * chunk, dst = (o * n + start) * inner;
                for (int i = 0; i < chunk; i++) {
                    ga[dst + i] += g[src + i];
                }
            }
        }, a);
    }

    static Tensor addIntoLast(Tensor a, Tensor part, int start) {
        int[] shape = a.shape(), ps = part.shape();
        int n = shape.length == 0 ? 0 : shape[shape.length - 1], w = ps.length == 0 ? 0 : ps[ps.length - 1];
        boolean fits = ps.length == shape.length && start >= 0 && start + w <= n
                && Arrays.equals(Arrays.copyOf(ps, ps.length - 1), Arrays.copyOf(shape, shape.length - 1));
        if (!fits) {
            throw new IllegalArgumentException("addInto: part of shape " + Arrays.toString(ps) + " at channel " + start
                    + " does not fit in shape " + Arrays.toString(shape));
        }
        int rows = a.numel() / Math.max(1, n);
        float[] x = a.data(), y = part.data(), out = Workspace.uninitialized(x.length);
        System.arraycopy(x, 0, out, 0, x.length);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < w; j++) {
                out[r * n + start + j] += y[r * w + j];
            }
        }
        return Tensor.fromOp("addInto", out, shape, g -> {
            float[] ga = a.gradBuffer(), gp = part.gradBuffer();
            if (ga != null) {
                for (int i = 0; i < g.length; i++) {
                    ga[i] += g[i];
                }
            }
            if (gp != null) {
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < w; j++) {
                        gp[r * w + j] += g[r * n + start + j];
                    }
                }
            }
        }, a, part);
    }

    static List<Tensor> split(Tensor a, int dim, int[] sizes) {
        int d = Shapes.dim("split", a.shape(), dim);
        int total = 0;
        for (int s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: negative size " + s + " in " + Arrays.toString(sizes));
            }
            total += s;
        }
        if (total != a.size(d)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + total
                    + " but dimension " + dim + " of shape " + Arrays.toString(a.shape()) + " has size " + a.size(d));
        }
        List<Tensor> pieces = new ArrayList<>(sizes.length);
        int start = 0;
        for (int s : sizes) {
            pieces.add(narrow(a, d, start, s));
            start += s;
        }
        return pieces;
    }

    static Tensor concat(int dim, Tensor[] tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        int[] first = tensors[0].shape();
        int d = Shapes.dim("concat", first, dim);
        int total = 0;
        for (Tensor t : tensors) {
            int[] s = t.shape();
            boolean compatible = s.length == first.length;
            for (int i = 0; compatible && i < s.length; i++) {
                compatible = i == d || s[i] == first[i];
            }
            if (!compatible) {
                throw new IllegalArgumentException("concat: shape " + Arrays.toString(s) + " does not match "
                        + Arrays.toString(first) + " outside dimension " + dim);
            }
            total += s[d];
        }
        int outer = Shapes.outer(first, d), inner = Shapes.inner(first, d);
        int[] outShape = first.clone();
        outShape[d] = total;
        float[] out = Workspace.uninitialized(outer * total * inner);
        int offset = 0; // start of each input along dim, in units of inner
        int[] offsets = new int[tensors.length];
        for (int t = 0; t < tensors.length; t++) {
            offsets[t] = offset;
            int chunk = tensors[t].size(d) * inner;
            float[] x = tensors[t].data();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * chunk, out, (o * total + offset) * inner, chunk);
            }
            offset += tensors[t].size(d);
        }
        Tensor[] inputs = tensors.clone();
        int outTotal = total;
        return Tensor.fromOp("concat", out, outShape, g -> {
            for (int t = 0; t < inputs.length; t++) {
                float[] gt = inputs[t].gradBuffer();
                if (gt == null) {
                    continue;
                }
                int chunk = inputs[t].size(d) * inner;
                for (int o = 0; o < outer; o++) {
                    int src = (o * outTotal + offsets[t]) * inner, dst = o * chunk;
                    for (int i = 0; i < chunk; i++) {
                        gt[dst + i] += g[src + i];
                    }
                }
            }
        }, inputs);
    }
}
