package io.orthrus.linalg;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Dense linear algebra that EJML does well, in double precision, on float tensors: QR for
 * orthogonal initialisation, SVD for PCA (to plot embeddings), least squares (for linear probes).
 * None of it is on a training hot path.
 */
public final class Linalg {
    private Linalg() {}

    /**
     * A {@code (rows, cols)} matrix with orthonormal rows (when rows ≤ cols) or columns, scaled
     * by {@code gain} (Saxe et al., 2014): the Q of a QR decomposition of a Gaussian matrix, with
     * signs fixed by R's diagonal so that it is uniformly distributed.
     */
    public static Tensor orthogonal(int rows, int cols, float gain, Rng rng) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("orthogonal: sizes must be positive, got " + rows + " x " + cols);
        }
        boolean transpose = rows < cols; // decompose the tall orientation
        int tall = Math.max(rows, cols), wide = Math.min(rows, cols);
        DMatrixRMaj gaussian = new DMatrixRMaj(tall, wide);
        for (int i = 0; i < gaussian.data.length; i++) {
            gaussian.data[i] = rng.nextGaussian();
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(tall, wide);
        if (!qr.decompose(gaussian.copy())) {
            throw new IllegalStateException("orthogonal: QR decomposition failed");
        }
        DMatrixRMaj q = qr.getQ(null, true); // (tall, wide)
        DMatrixRMaj r = qr.getR(null, true); // (wide, wide)
        float[] out = new float[rows * cols];
        for (int i = 0; i < tall; i++) {
            for (int j = 0; j < wide; j++) {
                double sign = r.get(j, j) < 0 ? -1 : 1;
                float value = (float) (gain * sign * q.get(i, j));
                if (transpose) {
                    out[j * cols + i] = value;
                } else {
                    out[i * cols + j] = value;
                }
            }
        }
        return Tensor.wrap(out, rows, cols);
    }

    /**
     * Principal components of the rows of {@code x (N, D)}: the mean, the top {@code k}
     * directions and the variance each explains, from an SVD of the centred data.
     */
    public static Pca pca(Tensor x, int k) {
        requireMatrix("pca", x);
        int n = x.size(0), d = x.size(1);
        if (k < 1 || k > Math.min(n, d)) {
            throw new IllegalArgumentException("pca: k must be in [1, min(N, D)] = [1, " + Math.min(n, d) + "], got " + k
                    + " for data of shape " + Arrays.toString(x.shape()));
        }
        DMatrixRMaj data = toDouble(x);
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += data.get(i, j) / n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                data.set(i, j, data.get(i, j) - mean[j]);
            }
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(n, d, false, true, true);
        if (!svd.decompose(data)) {
            throw new IllegalStateException("pca: SVD failed for data of shape " + Arrays.toString(x.shape()));
        }
        DMatrixRMaj vt = svd.getV(null, true);
        double[] singular = svd.getSingularValues();
        SingularOps_DDRM.descendingOrder(null, false, singular, svd.numberOfSingularValues(), vt, true);
        float[] components = new float[k * d], variance = new float[k], meanOut = new float[d];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                components[c * d + j] = (float) vt.get(c, j);
            }
            variance[c] = (float) (singular[c] * singular[c] / Math.max(1, n - 1));
        }
        for (int j = 0; j < d; j++) {
            meanOut[j] = (float) mean[j];
        }
        return new Pca(Tensor.wrap(meanOut, d), Tensor.wrap(components, k, d), Tensor.wrap(variance, k));
    }

    /**
     * The least-squares solution {@code w (D, M)} of {@code a · w ≈ b} for {@code a (N, D)} and
     * {@code b (N, M)}, with N ≥ D, by QR: the weights of a linear probe.
     */
    public static Tensor leastSquares(Tensor a, Tensor b) {
        requireMatrix("leastSquares", a);
        requireMatrix("leastSquares", b);
        int n = a.size(0), d = a.size(1);
        if (b.size(0) != n || n < d) {
            throw new IllegalArgumentException("leastSquares: need a (N, D) and b (N, M) with N >= D, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.leastSquares(n, d);
        if (!solver.setA(toDouble(a))) {
            throw new IllegalArgumentException("leastSquares: matrix a of shape " + Arrays.toString(a.shape())
                    + " is rank-deficient; remove collinear columns");
        }
        DMatrixRMaj w = new DMatrixRMaj(d, b.size(1));
        solver.solve(toDouble(b), w);
        float[] out = new float[w.data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) w.data[i];
        }
        return Tensor.wrap(out, d, b.size(1));
    }

    /**
     * A fitted PCA.
     *
     * @param mean       the data mean {@code (D)}
     * @param components principal directions, one per row, unit length, by decreasing variance {@code (k, D)}
     * @param variance   the variance along each direction {@code (k)}
     */
    public record Pca(Tensor mean, Tensor components, Tensor variance) {
        /** Coordinates of {@code x (N, D)} along the components: {@code (x − mean) · componentsᵀ}, shape {@code (N, k)}. */
        public Tensor project(Tensor x) {
            return x.sub(mean).linear(components, null);
        }
    }

    private static DMatrixRMaj toDouble(Tensor t) {
        DMatrixRMaj m = new DMatrixRMaj(t.size(0), t.size(1));
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            m.data[i] = v[i];
        }
        return m;
    }

    private static void requireMatrix(String op, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected a matrix, got shape " + Arrays.toString(t.shape()));
        }
    }
}
