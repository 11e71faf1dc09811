package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.Kernels;
import java.util.Arrays;

/**
 * The LSTM recurrence as one op over a whole sequence, with back-propagation through time
 * written out: a fused replacement for the dozen primitive ops per time step that
 * {@code nn.Lstm} would otherwise record (checked against that composite in the tests).
 */
public final class Recurrent {
    private Recurrent() {}

    /**
     * Hidden states {@code (B, T, H)} of an LSTM from a zero state.
     *
     * <pre>
     * [i f g o] = gates_t + h_{t−1} Wᵀ                 (B, 4H)
     * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g),  h_t = σ(o) ⊙ tanh(c_t)
     * </pre>
     *
     * @param gates        the input part of the gate pre-activations, x_t W_ihᵀ + b, {@code (B, T, 4H)}
     * @param hiddenWeight W_hh {@code (4H, H)}
     */
    public static Tensor lstm(Tensor gates, Tensor hiddenWeight) {
        int[] sg = gates.shape(), sw = hiddenWeight.shape();
        if (sg.length != 3 || sg[2] % 4 != 0 || sw.length != 2 || sw[0] != sg[2] || sw[1] * 4 != sg[2]) {
            throw new IllegalArgumentException("lstm: expected gates (B, T, 4H) and a hidden weight (4H, H), got "
                    + Arrays.toString(sg) + " and " + Arrays.toString(sw));
        }
        int b = sg[0], t = sg[1], h4 = sg[2], h = h4 / 4;
        Gemm gemm = Kernels.gemm();
        float[] x = gates.data(), w = hiddenWeight.data();
        // Time-major buffers, so that each step's (B, ·) block is contiguous for the GEMM.
        float[] act = Workspace.zeroed(t * b * h4); // σ(i), σ(f), tanh(g), σ(o), kept for backward
        float[] cells = Workspace.zeroed(t * b * h), tanhCells = Workspace.zeroed(t * b * h);
        float[] hidden = Workspace.zeroed(t * b * h);
        float[] pre = Workspace.zeroed(b * h4), exps = Workspace.zeroed(b * h4), cellExps = Workspace.zeroed(b * h);
        for (int step = 0; step < t; step++) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(x, (r * t + step) * h4, pre, r * h4, h4);
            }
            if (step > 0) { // pre (B×4H) += h_{t−1} (B×H) · Wᵀ
                gemm.gemm(false, true, b, h4, h, hidden, (step - 1) * b * h, w, 0, pre, 0, true);
            }
            // σ(z) = 1 / (1 + e^−z) and tanh(z) = 2 / (1 + e^−2z) − 1, one Math.exp per gate, not MathKernel's
            // (docs/performance.md#lstm-gates-use-mathexp).
            for (int i = 0; i < b * h4; i++) {
                int column = i % h4;
                exps[i] = column >= 2 * h && column < 3 * h ? -2 * pre[i] : -pre[i];
            }
            for (int i = 0; i < b * h4; i++) {
                exps[i] = (float) Math.exp(exps[i]);
            }
            for (int r = 0; r < b; r++) {
                int a = (step * b + r) * h4, s = (step * b + r) * h, p = r * h4;
                for (int j = 0; j < h; j++) {
                    float in = sigmoidFromExp(exps[p + j]), forget = sigmoidFromExp(exps[p + h + j]);
                    float candidate = 2 / (1 + exps[p + 2 * h + j]) - 1, out = sigmoidFromExp(exps[p + 3 * h + j]);
                    act[a + j] = in;
                    act[a + h + j] = forget;
                    act[a + 2 * h + j] = candidate;
                    act[a + 3 * h + j] = out;
                    float previous = step == 0 ? 0f : cells[s - b * h + j];
                    float c = forget * previous + in * candidate;
                    cells[s + j] = c;
                    cellExps[r * h + j] = -2 * c;
                }
            }
            for (int i = 0; i < b * h; i++) {
                cellExps[i] = (float) Math.exp(cellExps[i]);
            }
            for (int r = 0; r < b; r++) {
                int a = (step * b + r) * h4, s = (step * b + r) * h;
                for (int j = 0; j < h; j++) {
                    float tc = 2 / (1 + cellExps[r * h + j]) - 1;
                    tanhCells[s + j] = tc;
                    hidden[s + j] = act[a + 3 * h + j] * tc;
                }
            }
        }
        float[] output = Workspace.zeroed(b * t * h);
        for (int step = 0; step < t; step++) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(hidden, (step * b + r) * h, output, (r * t + step) * h, h);
            }
        }
        return Tensor.fromOp("lstm", output, new int[] {b, t, h},
                g -> lstmBackward(gates, hiddenWeight, g, act, cells, tanhCells, hidden), gates, hiddenWeight);
    }

    /**
     * Back-propagation through time for {@link #lstm}, from the last step to the first, given the
     * output's gradient {@code g} {@code (B, T, H)} and what forward kept (time-major): the gate
     * activations {@code act}, the cells, their tanh and the hidden states.
     */
    private static void lstmBackward(Tensor gates, Tensor hiddenWeight, float[] g, float[] act, float[] cells,
                                     float[] tanhCells, float[] hidden) {
        int b = gates.size(0), t = gates.size(1), h4 = gates.size(2), h = h4 / 4;
        Gemm gemm = Kernels.gemm();
        float[] w = hiddenWeight.data(), gx = gates.gradBuffer(), gw = hiddenWeight.gradBuffer();
        float[] dh = Workspace.zeroed(b * h), dc = Workspace.zeroed(b * h), dGates = Workspace.zeroed(b * h4);
        for (int step = t - 1; step >= 0; step--) {
            for (int r = 0; r < b; r++) {
                int a = (step * b + r) * h4, s = (step * b + r) * h, q = r * h4;
                for (int j = 0; j < h; j++) {
                    float in = act[a + j], forget = act[a + h + j], candidate = act[a + 2 * h + j];
                    float out = act[a + 3 * h + j], tc = tanhCells[s + j];
                    float previous = step == 0 ? 0f : cells[s - b * h + j];
                    float dHidden = g[(r * t + step) * h + j] + dh[r * h + j];
                    float dCell = dc[r * h + j] + dHidden * out * (1 - tc * tc);
                    dGates[q + j] = dCell * candidate * in * (1 - in);
                    dGates[q + h + j] = dCell * previous * forget * (1 - forget);
                    dGates[q + 2 * h + j] = dCell * in * (1 - candidate * candidate);
                    dGates[q + 3 * h + j] = dHidden * tc * out * (1 - out);
                    dc[r * h + j] = dCell * forget;
                }
                if (gx != null) {
                    int base = (r * t + step) * h4;
                    for (int j = 0; j < h4; j++) {
                        gx[base + j] += dGates[q + j];
                    }
                }
            }
            if (step > 0) {
                if (gw != null) { // dW (4H×H) += dGatesᵀ (4H×B) · h_{t−1} (B×H)
                    gemm.gemm(true, false, h4, h, b, dGates, 0, hidden, (step - 1) * b * h, gw, 0, true);
                }
                // dh_{t−1} (B×H) = dGates (B×4H) · W (4H×H)
                gemm.gemm(false, false, b, h, h4, dGates, 0, w, 0, dh, 0, false);
            }
        }
    }

    /**
     * σ(z) from e^−z, with values below 1e-30 (z < −69) flushed to 0, so that a saturated gate
     * never becomes a subnormal float (slow in arithmetic) — a change of less than 1e-30.
     */
    private static float sigmoidFromExp(float expMinusZ) {
        float sigma = 1 / (1 + expMinusZ);
        return sigma < 1e-30f ? 0f : sigma;
    }
}
