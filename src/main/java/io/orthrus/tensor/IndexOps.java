package io.orthrus.tensor;

import java.util.Arrays;

/** Gathering by index and choosing by mask: index select, embedding lookup, masked fill, where. */
final class IndexOps {
    private IndexOps() {}

    static Tensor indexSelect(Tensor a, int dim, IntTensor index) {
        int[] shape = a.shape();
        int d = Shapes.dim("indexSelect", shape, dim);
        if (index.shape().length != 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Arrays.toString(index.shape()));
        }
        index.checkRange("indexSelect", "index", shape[d]);
        int outer = Shapes.outer(shape, d), n = shape[d], inner = Shapes.inner(shape, d);
        int[] ids = index.data();
        int m = ids.length;
        int[] outShape = shape.clone();
        outShape[d] = m;
        float[] x = a.data(), out = Workspace.uninitialized(outer * m * inner);
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < m; k++) {
                System.arraycopy(x, (o * n + ids[k]) * inner, out, (o * m + k) * inner, inner);
            }
        }
        int[] idsCopy = ids.clone(); // the caller may reuse its index array before backward
        return Tensor.fromOp("indexSelect", out, outShape, g -> {
            float[] ga = a.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < m; k++) {
                    int src = (o * m + k) * inner, dst = (o * n + idsCopy[k]) * inner;
                    for (int i = 0; i < inner; i++) {
                        ga[dst + i] += g[src + i]; // repeated ids accumulate
                    }
                }
            }
        }, a);
    }

    static Tensor embedding(Tensor table, IntTensor ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("embeddingLookup: the table must be (V, C), got shape "
                    + Arrays.toString(table.shape()));
        }
        int[] idShape = ids.shape();
        int[] outShape = Arrays.copyOf(idShape, idShape.length + 1);
        outShape[idShape.length] = table.size(1);
        Tensor rows = indexSelect(table, 0, ids.reshape(ids.numel())); // (N, C)
        return rows.reshape(outShape); // (ids..., C)
    }

    static Tensor maskedFill(Tensor a, Tensor mask, float value) {
        int[] shape = a.shape();
        int[] broadcast = Shapes.broadcast("maskedFill", shape, mask.shape());
        if (!Arrays.equals(broadcast, shape)) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Arrays.toString(mask.shape())
                    + " must broadcast to the tensor's shape " + Arrays.toString(shape) + ", not enlarge it");
        }
        int[] maskIndex = Shapes.broadcastIndex(mask.shape(), shape);
        float[] x = a.data(), m = mask.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = m[maskIndex == null ? i : maskIndex[i]] != 0 ? value : x[i];
        }
        return Tensor.fromOp("maskedFill", out, shape, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                if (m[maskIndex == null ? i : maskIndex[i]] == 0) {
                    ga[i] += g[i];
                }
            }
        }, a);
    }

    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Broadcast bc = Broadcast.of("where", condition, a, b);
        float[] c = condition.data(), x = a.data(), y = b.data(), out = Workspace.uninitialized(bc.size);
        for (int i = 0; i < out.length; i++) {
            out[i] = c[bc.at(0, i)] != 0 ? x[bc.at(1, i)] : y[bc.at(2, i)];
        }
        return Tensor.fromOp("where", out, bc.shape, g -> {
            float[] ga = a.gradBuffer(), gb = b.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                if (c[bc.at(0, i)] != 0) {
                    if (ga != null) {
                        ga[bc.at(1, i)] += g[i];
                    }
                } else if (gb != null) {
                    gb[bc.at(2, i)] += g[i];
                }
            }
        }, condition, a, b);
    }
}
