package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tensor.kernel.QuantizedMatrix;
import java.util.Arrays;

/**
 * Batched matrix multiply on the GEMM kernel. Backward uses the kernel's transposed variants,
 * so no transpose is ever materialised: dA = dC · Bᵀ and dB = Aᵀ · dC.
 */
final class MatMul {
    /** Rows per parallel block of the bias loops; fixed, so the bias gradient's sum order never depends on the pool. */
    static final int ROWS_PER_BLOCK = 32;

    private MatMul() {}

    /**
     * {@code into[j] += Σ_r g[r·cols + j]}: each block of {@link #ROWS_PER_BLOCK} rows sums on
     * its own and the blocks are added in order, so the result is the same for any pool.
     */
    static void addColumnSums(float[] g, int rows, int cols, float[] into) {
        int blocks = Parallel.chunks(rows, ROWS_PER_BLOCK);
        float[] partial = Workspace.zeroed(blocks * cols);
        Parallel.shared().forEach(blocks, block -> {
            int base = block * cols;
            for (int r = block * ROWS_PER_BLOCK, end = Math.min(rows, r + ROWS_PER_BLOCK); r < end; r++) {
                for (int j = 0; j < cols; j++) {
                    partial[base + j] += g[r * cols + j];
                }
            }
        });
        for (int block = 0; block < blocks; block++) {
            for (int j = 0; j < cols; j++) {
                into[j] += partial[block * cols + j];
            }
        }
    }

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
        float[] x = a.data(), y = b.data(), out = Workspace.uninitialized(batches * m * n);
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

    /** {@code rows} copies of {@code bias} (rows × out) to add the product to, or an uninitialised array when it is null. */
    private static float[] biasRows(Tensor bias, int rows, int out) {
        float[] y = Workspace.uninitialized(rows * out);
        if (bias != null) {
            float[] b = bias.data();
            Parallel.shared().forRange(rows, ROWS_PER_BLOCK, (from, to) -> {
                for (int r = from; r < to; r++) {
                    System.arraycopy(b, 0, y, r * out, out);
                }
            });
        }
        return y;
    }

    /** {@link #linear} with the weight packed by {@code Kernels.gemm().pack(true, in, out, …)}: forward only, the same bits. */
    static Tensor linear(Tensor x, Gemm.Packed weight, Tensor bias) {
        if (NoGrad.isGradEnabled()) {
            throw new IllegalStateException("linear: a packed weight has no gradient; multiply by it inside NoGrad");
        }
        int[] sx = x.shape();
        int in = weight.k(), out = weight.n();
        if (sx.length < 1 || sx[sx.length - 1] != in) {
            throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(sx) + " does not fit a packed"
                    + " weight of " + out + " outputs and " + in + " inputs");
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias of shape " + Arrays.toString(bias.shape())
                    + " does not match a packed weight of " + out + " outputs");
        }
        int rows = x.numel() / in;
        int[] outShape = sx.clone();
        outShape[sx.length - 1] = out;
        float[] y = biasRows(bias, rows, out);
        Kernels.gemm().gemm(false, rows, x.data(), 0, weight, y, 0, bias != null);
        return Tensor.wrap(y, outShape);
    }

    /** Rows of the input a quantized product runs one at a time through the matrix–vector kernel; more go through the GEMM. */
    private static final int VECTOR_ROWS = 2;
    /** Floats of weights dequantized at a time for the GEMM path (4 MB). */
    private static final int DEQUANTIZED_FLOATS = 1 << 20;

    /**
     * {@link #linear} by a quantized weight {@code (out, in)}: forward only. One or two input rows (a
     * decoding step) read the compact weight once per row, widening it in the kernel; more rows (a prompt)
     * are multiplied by blocks of the weight dequantized to floats, through the matrix kernel.
     */
    static Tensor linear(Tensor x, QuantizedMatrix weight, Tensor bias) {
        if (NoGrad.isGradEnabled()) {
            throw new IllegalStateException("linear: a quantized weight has no gradient; multiply by it inside NoGrad");
        }
        int[] sx = x.shape();
        int in = weight.cols(), out = weight.rows();
        if (sx.length < 1 || sx[sx.length - 1] != in) {
            throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(sx) + " does not fit a "
                    + weight + " (" + in + " inputs)");
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias of shape " + Arrays.toString(bias.shape())
                    + " does not match a quantized weight of " + out + " outputs");
        }
        int rows = x.numel() / in;
        int[] outShape = sx.clone();
        outShape[sx.length - 1] = out;
        float[] xs = x.data(), y = Workspace.uninitialized(rows * out);
        if (rows <= VECTOR_ROWS) {
            MathKernel kernel = Kernels.math();
            int grain = Math.max(16, out / (8 * Parallel.shared().threads()));
            for (int r = 0; r < rows; r++) {
                int row = r;
                Parallel.shared().forRange(out, grain, (from, to) ->
                        weight.multiplyRows(kernel, xs, row * in, y, row * out, from, to));
            }
        } else {
            int block = Math.max(1, Math.min(out, DEQUANTIZED_FLOATS / in));
            float[] w = new float[block * in], part = new float[rows * block];
            MathKernel kernel = Kernels.math();
            for (int from = 0; from < out; from += block) {
                int n = Math.min(block, out - from), first = from;
                Parallel.shared().forRange(n, Math.max(1, n / (2 * Parallel.shared().threads())),
                        (a, b) -> weight.dequantize(kernel, first + a, first + b, w, a * in));
                Kernels.gemm().gemm(false, true, rows, n, in, xs, 0, w, 0, part, 0, false); // part (rows×n) = x · wᵀ
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(part, r * n, y, r * out + from, n);
                }
            }
        }
        if (bias != null) {
            float[] b = bias.data();
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    y[r * out + o] += b[o];
                }
            }
        }
        return Tensor.wrap(y, outShape);
    }

    /** {@code x (..., in) · weightᵀ + bias} with {@code weight (out, in)} and {@code bias (out)} or null. */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int[] sx = x.shape(), sw = weight.shape();
        if (sw.length != 2 || sx.length < 1 || sx[sx.length - 1] != sw[1]) {
            throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(sx)
                    + " and weight of shape " + Arrays.toString(sw) + " do not fit; expected weight (out, in) with in = "
                    + (sx.length < 1 ? "?" : String.valueOf(sx[sx.length - 1])));
        }
        int in = sw[1], out = sw[0], rows = x.numel() / Math.max(1, in);
        if (bias != null && (bias.rank() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias of shape " + Arrays.toString(bias.shape())
                    + " does not match weight of shape " + Arrays.toString(sw) + "; expected [" + out + "]");
        }
        int[] outShape = sx.clone();
        outShape[sx.length - 1] = out;
        Gemm gemm = Kernels.gemm();
        float[] xs = x.data(), w = weight.data(), y = biasRows(bias, rows, out);
        gemm.gemm(false, true, rows, out, in, xs, 0, w, 0, y, 0, bias != null); // y (rows×out) (+)= x · Wᵀ
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        return Tensor.fromOp("linear", y, outShape, g -> {
            float[] newGx = x.gradBufferToOverwrite(); // the first gradient to reach x is stored, not added
            float[] gx = newGx != null ? newGx : x.gradBuffer();
            if (gx != null) { // dx (rows×in) (+)= dy (rows×out) · W (out×in)
                gemm.gemm(false, false, rows, in, out, g, 0, w, 0, gx, 0, newGx == null);
            }
            float[] gw = weight.gradBuffer();
            float[] gb = bias == null ? null : bias.gradBuffer();
            if (gw != null) { // dW (out×in) += dyᵀ · x
                gemm.gemm(true, false, out, in, rows, g, 0, xs, 0, gw, 0, true);
            }
            if (gb != null) {
                addColumnSums(g, rows, out, gb);
            }
        }, inputs);
    }
}
