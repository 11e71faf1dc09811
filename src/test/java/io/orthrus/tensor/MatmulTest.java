package io.orthrus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** Matmul through the chosen kernel against EJML's double-precision product. */
class MatmulTest {
    /** Relative to Σ|aᵢ·bᵢ| of each output element, as for the kernels. */
    private static final double RELATIVE_TOLERANCE = 1e-5;

    private static DMatrixRMaj toDouble(Tensor t, int offset, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < rows * cols; i++) {
            m.data[i] = t.data()[offset + i];
        }
        return m;
    }

    @Test
    void twoDimensionalProductMatchesEjmlInDouble() {
        Rng rng = new Rng(17);
        int m = 37, k = 129, n = 70;
        Tensor a = Tensor.randn(rng, m, k), b = Tensor.randn(rng, k, n);
        Tensor c = a.matmul(b);
        DMatrixRMaj expected = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(toDouble(a, 0, m, k), toDouble(b, 0, k, n), expected);
        DMatrixRMaj absA = toDouble(a, 0, m, k), absB = toDouble(b, 0, k, n), scale = new DMatrixRMaj(m, n);
        CommonOps_DDRM.abs(absA);
        CommonOps_DDRM.abs(absB);
        CommonOps_DDRM.mult(absA, absB, scale);
        for (int i = 0; i < m * n; i++) {
            assertEquals(expected.data[i], c.data()[i], RELATIVE_TOLERANCE * scale.data[i], "element " + i);
        }
    }

    @Test
    void batchedProductBroadcastsTheBatchDimensions() {
        Rng rng = new Rng(18);
        Tensor a = Tensor.randn(rng, 2, 1, 3, 4);
        Tensor b = Tensor.randn(rng, 5, 4, 2);
        Tensor c = a.matmul(b); // (2, 5, 3, 2)
        assertArrayEquals(new int[] {2, 5, 3, 2}, c.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                Tensor ai = a.narrow(0, i, 1).reshape(3, 4);
                Tensor bj = b.narrow(0, j, 1).reshape(4, 2);
                Tensor cij = c.narrow(0, i, 1).narrow(1, j, 1).reshape(3, 2);
                assertArrayEquals(ai.matmul(bj).toArray(), cij.toArray(), 0f);
            }
        }
    }
}
