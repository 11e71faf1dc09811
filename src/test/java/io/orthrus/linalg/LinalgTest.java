package io.orthrus.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.nn.Init;
import io.orthrus.nn.Parameter;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinalgTest {
    private static final float ORTHONORMAL_TOLERANCE = 1e-5f;

    private static void assertIdentity(Tensor gram, float scale) {
        int n = gram.size(0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(i == j ? scale : 0f, gram.get(i, j), ORTHONORMAL_TOLERANCE, "(" + i + "," + j + ")");
            }
        }
    }

    @Test
    void orthogonalHasOrthonormalRowsOrColumns() {
        Tensor wide = Linalg.orthogonal(3, 7, 1f, new Rng(1)); // rows orthonormal
        assertIdentity(wide.matmul(wide.transpose(0, 1)), 1f);
        Tensor tall = Linalg.orthogonal(7, 3, 2f, new Rng(1)); // columns orthonormal, scaled by 2
        assertIdentity(tall.transpose(0, 1).matmul(tall), 4f);
        Parameter w = new Parameter(5, 5);
        Init.orthogonal(w, 1f, new Rng(2));
        assertIdentity(w.matmul(w.transpose(0, 1)), 1f);
    }

    @Test
    void pcaFindsTheDirectionOfALine() {
        Rng rng = new Rng(3);
        int n = 200;
        float[] points = new float[n * 3];
        for (int i = 0; i < n; i++) { // along (1, 2, 2)/3 with small noise, centred at (5, 0, -1)
            float t = (float) rng.nextGaussian() * 3f;
            points[i * 3] = 5f + t / 3f + 0.01f * (float) rng.nextGaussian();
            points[i * 3 + 1] = 2f * t / 3f + 0.01f * (float) rng.nextGaussian();
            points[i * 3 + 2] = -1f + 2f * t / 3f + 0.01f * (float) rng.nextGaussian();
        }
        Linalg.Pca pca = Linalg.pca(Tensor.of(points, n, 3), 2);
        Tensor first = pca.components().narrow(0, 0, 1).reshape(3);
        float sign = Math.signum(first.get(0));
        assertArrayEquals(new float[] {1f / 3, 2f / 3, 2f / 3}, first.mul(sign).toArray(), 0.01f);
        assertTrue(pca.variance().get(0) > 100 * pca.variance().get(1));
        assertArrayEquals(new float[] {5f, 0f, -1f}, pca.mean().toArray(), 0.5f);
        assertArrayEquals(new int[] {n, 2}, pca.project(Tensor.of(points, n, 3)).shape());
    }

    @Test
    void leastSquaresRecoversKnownWeights() {
        Rng rng = new Rng(4);
        Tensor a = Tensor.randn(rng, 50, 3);
        Tensor w = Tensor.of(new float[] {1, -2, 0.5f, 3, 0, 1}, 3, 2);
        Tensor b = a.matmul(w);
        assertArrayEquals(w.toArray(), Linalg.leastSquares(a, b).toArray(), 1e-4f);
        assertThrows(IllegalArgumentException.class, () -> Linalg.leastSquares(Tensor.zeros(2, 3), Tensor.zeros(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> Linalg.pca(Tensor.zeros(4, 3), 4));
    }
}
