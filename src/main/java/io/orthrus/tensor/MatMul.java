package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import java.util.Arrays;

/**
 * Batched matrix multiply on the GEMM kernel. Backward uses the kernel's transposed variants,
 * so no transpose is ever materialised: dA = dC · Bᵀ and dB = Aᵀ · dC.
 */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        int[] sa = a.shape(), sb = b.shape();
        if (sa.length < 2 || sb.length < 2) {
            throw new IllegalArgumentException("matmul: both operands need at least 2 dimensions (..., rows, cols), got "
                    + Arrays.toString(sa) + " and " + Arrays.toString(sb) + "; reshape a vector to (1, n) or (n, 1)");
        }
        int m = sa[sa.length - 2], k = sa[sa.length - 1];
        int kb = sb[sb.length - 2], n = sb[sb.length - 1];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(sa) + " and " + Arrays.toString(sb)
                    + " do not chain: the first has " + k + " columns but the second has " + kb + " rows");
        }
        int[] batchA = Arrays.copyOf(sa, sa.length - 2), batchB = Arrays.copyOf(sb, sb.length - 2);
        int[] batch = Shapes.broadcast("matmul (batch dimensions)", batchA, batchB);
        int batches = Shapes.size("matmul", batch);
        int[] indexA = Shapes.broadcastIndex(batchA, batch), indexB = Shapes.broadcastIndex(batchB, batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;

        Gemm gemm = Kernels.gemm();
        float[] x = a.data(), y = b.data(), out = new float[batches * m * n];
        for (int i = 0; i < batches; i++) {
            int ia = indexA == null ? i : indexA[i], ib = indexB == null ? i : indexB[i];
            gemm.gemm(false, false, m, n, k, x, ia * m * k, y, ib * k * n, out, i * m * n, false);
        }
        return Tensor.fromOp("matmul", out, outShape, g -> {
            float[] ga = a.gradBuffer(), gb = b.gradBuffer();
            for (int i = 0; i < batches; i++) {
                int ia = indexA == null ? i : indexA[i], ib = indexB == null ? i : indexB[i];
                if (ga != null) { // dA (m×k) += dC (m×n) · Bᵀ
                    gemm.gemm(false, true, m, k, n, g, i * m * n, y, ib * k * n, ga, ia * m * k, true);
                }
                if (gb != null) { // dB (k×n) += Aᵀ · dC (m×n)
                    gemm.gemm(true, false, k, n, m, x, ia * m * k, g, i * m * n, gb, ib * k * n, true);
                }
            }
        }, a, b);
    }
}
