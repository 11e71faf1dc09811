package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;
import java.util.Arrays;

/**
 * Loss functions, each a fused op that returns the mean loss as a 0-dimensional tensor and
 * back-propagates in closed form.
 */
public final class Losses {
    /** Target value that {@link #crossEntropy} skips (PyTorch's default ignore index). */
    public static final int IGNORE_INDEX = -100;

    /** Rows per parallel task of the cross-entropy; fixed, so results never depend on the pool. */
    private static final int ROWS_PER_BLOCK = 32;

    private Losses() {}

    /** Cross-entropy over logits {@code (..., V)} and targets {@code (...)}, no ignored targets, no smoothing. */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets) {
        return crossEntropy(logits, targets, IGNORE_INDEX, 0f);
    }

    /**
     * Cross-entropy between {@code softmax(logits)} and the target classes, averaged over the
     * positions whose target is not {@code ignoreIndex} (0 when every position is ignored).
     *
     * <p>With label smoothing ε the target distribution is {@code (1-ε)·onehot + ε/V}, so the loss
     * at a position is {@code (1-ε)·(-log p_y) + ε·mean_c(-log p_c)}, as in PyTorch.
     *
     * @param logits         unnormalised scores, shape {@code (..., V)}
     * @param targets        class ids in {@code [0, V)} or {@code ignoreIndex}, shape {@code (...)}
     * @param ignoreIndex    target value to skip
     * @param labelSmoothing ε in {@code [0, 1]}
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets, int ignoreIndex, float labelSmoothing) {
        int[] shape = logits.shape();
        if (shape.length < 1) {
            throw new IllegalArgumentException("crossEntropy: logits must have a class dimension, got a scalar");
        }
        int v = shape[shape.length - 1];
        int rows = logits.numel() / Math.max(1, v);
        int[] expected = Arrays.copyOf(shape, shape.length - 1);
        if (!Arrays.equals(targets.shape(), expected) && !(targets.shape().length == 1 && targets.numel() == rows)) {
            throw new IllegalArgumentException("crossEntropy: targets of shape " + Arrays.toString(targets.shape())
                    + " do not match logits of shape " + Arrays.toString(shape) + "; expected targets of shape "
                    + Arrays.toString(expected));
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        int[] t = targets.data();
        for (int r = 0; r < rows; r++) {
            if (t[r] != ignoreIndex && (t[r] < 0 || t[r] >= v)) {
                throw new IllegalArgumentException("crossEntropy: target " + t[r] + " at position " + r
                        + " is out of range [0, " + v + ") and is not the ignore index " + ignoreIndex);
            }
        }
        float[] x = logits.data();
        float[] probs = Workspace.uninitialized(x.length); // softmax of each counted row, kept for backward
        double[] rowLoss = new double[rows];
        MathKernel math = Kernels.math();
        // Rows are independent: each is a task's own, and the losses are added in row order below.
        Parallel.shared().forRange(rows, ROWS_PER_BLOCK, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (t[r] == ignoreIndex) {
                    continue;
                }
                int base = r * v;
                float max = Float.NEGATIVE_INFINITY;
                double sumOfLogits = 0;
                for (int c = 0; c < v; c++) {
                    max = Math.max(max, x[base + c]);
                    sumOfLogits += x[base + c];
                }
                float total = math.expShiftedSum(x, base, probs, base, v, max); // probs ← e^(x − max)
                float inv = 1f / total;
                for (int c = 0; c < v; c++) {
                    probs[base + c] *= inv;
                }
                double logSum = max + Math.log(total);
                double meanNll = logSum - sumOfLogits / v; // mean over classes of −log p_c
                rowLoss[r] = (1 - labelSmoothing) * (logSum - x[base + t[r]]) + labelSmoothing * meanNll;
            }
        });
        int counted = 0;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            if (t[r] != ignoreIndex) {
                counted++;
                sum += rowLoss[r];
            }
        }
        float scale = counted == 0 ? 0f : 1f / counted;
        float loss = (float) (sum * scale);
        return Tensor.fromOp("crossEntropy", new float[] {loss}, new int[0],
                g -> crossEntropyBackward(logits, t, probs, ignoreIndex, labelSmoothing, g[0] * scale), logits);
    }

    /**
     * Backward of {@link #crossEntropy}: {@code ∂loss/∂logits = factor·(softmax − target distribution)}
     * on each counted row, 0 on ignored rows; {@code factor} is the upstream gradient over the
     * number of counted rows, {@code probs} the softmax forward kept.
     */
    private static void crossEntropyBackward(Tensor logits, int[] t, float[] probs, int ignoreIndex, float labelSmoothing,
                                             float factor) {
        int v = logits.size(-1), rows = logits.numel() / Math.max(1, v);
        float[] newGx = logits.gradBufferToOverwrite(); // every element is written, ignored rows with 0
        boolean store = newGx != null;
        float[] gx = store ? newGx : logits.gradBuffer();
        float offTarget = labelSmoothing / v;
        Parallel.shared().forRange(rows, ROWS_PER_BLOCK, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * v;
                if (t[r] == ignoreIndex) {
                    if (store) {
                        Arrays.fill(gx, base, base + v, 0f);
                    }
                    continue;
                }
                for (int c = 0; c < v; c++) {
                    float target = offTarget + (c == t[r] ? 1 - labelSmoothing : 0f);
                    float d = factor * (probs[base + c] - target);
                    gx[base + c] = store ? d : gx[base + c] + d;
                }
            }
        });
    }

    /** Mean squared error {@code mean((prediction - target)²)}; both must have the same shape. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        requireSameShape("mse", prediction, target);
        float[] p = prediction.data(), y = target.data();
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double diff = p[i] - y[i];
            total += diff * diff;
        }
        float scale = 1f / Math.max(1, p.length);
        return Tensor.fromOp("mse", new float[] {(float) (total * scale)}, new int[0], g -> {
            float[] gp = prediction.gradBuffer(), gy = target.gradBuffer();
            for (int i = 0; i < p.length; i++) {
                float d = 2f * scale * g[0] * (p[i] - y[i]);
                if (gp != null) {
                    gp[i] += d;
                }
                if (gy != null) {
                    gy[i] -= d;
                }
            }
        }, prediction, target);
    }

    /**
     * Binary cross-entropy between {@code sigmoid(logits)} and targets in [0, 1], averaged; computed
     * in the stable form {@code max(x, 0) - x·y + log(1 + e^-|x|)}, so large logits do not overflow.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        requireSameShape("binaryCrossEntropyWithLogits", logits, targets);
        float[] x = logits.data(), y = targets.data();
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            total += Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
        }
        float scale = 1f / Math.max(1, x.length);
        return Tensor.fromOp("binaryCrossEntropyWithLogits", new float[] {(float) (total * scale)}, new int[0], g -> {
            float[] gx = logits.gradBuffer(), gy = targets.gradBuffer();
            for (int i = 0; i < x.length; i++) {
                if (gx != null) {
                    gx[i] += g[0] * scale * (Elementwise.sigmoid(x[i]) - y[i]);
                }
                if (gy != null) {
                    gy[i] -= g[0] * scale * x[i];
                }
            }
        }, logits, targets);
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": prediction shape " + Arrays.toString(a.shape())
                    + " and target shape " + Arrays.toString(b.shape()) + " must be equal");
        }
    }
}
