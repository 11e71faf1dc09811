package io.orthrus.nn;

import io.orthrus.tensor.Recurrent;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.Arrays;

/**
 * One LSTM layer (Hochreiter and Schmidhuber, 1997), read left to right from a zero state:
 *
 * <pre>
 * [i f g o] = x_t W_ihᵀ + b + h_{t−1} W_hhᵀ        (B, 4H)
 * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)           (B, H)
 * h_t = σ(o) ⊙ tanh(c_t)                           (B, H)
 * </pre>
 *
 * The input projection of all steps is one linear map; the recurrence is one fused op with
 * back-propagation through time written out ({@link Recurrent#lstm}), checked against
 * {@link #forwardComposite}, which builds the same computation from primitive ops. Weights are
 * uniform in ±1/√H as PyTorch's {@code nn.LSTM}. To read right to left, reverse the sequence
 * before and after (as {@code model.BiLm} does).
 */
public final class Lstm extends Module {
    private final Linear inputToGates;
    private final Linear hiddenToGates;
    private final int hidden;

    /** A layer from {@code inputs} features to {@code hidden} units. */
    public Lstm(int inputs, int hidden, Rng rng) {
        if (inputs <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("Lstm: sizes must be positive, got inputs=" + inputs + ", hidden=" + hidden);
        }
        this.hidden = hidden;
        this.inputToGates = registerModule("ih", new Linear(inputs, 4 * hidden, true, rng));
        this.hiddenToGates = registerModule("hh", new Linear(hidden, 4 * hidden, false, rng));
        float bound = (float) (1 / Math.sqrt(hidden));
        Init.uniform(inputToGates.weight(), bound, rng);
        Init.uniform(inputToGates.bias(), bound, rng);
        Init.uniform(hiddenToGates.weight(), bound, rng);
    }

    /** Hidden units H. */
    public int hidden() {
        return hidden;
    }

    /** Hidden states {@code (B, T, H)} for inputs {@code (B, T, I)}: the fused recurrence ({@link Recurrent#lstm}). */
    public Tensor forward(Tensor input) {
        checkInput(input);
        return Recurrent.lstm(inputToGates.forward(input), hiddenToGates.weight()); // (B, T, 4H) → (B, T, H)
    }

    /** The same states from primitive ops, one time step at a time: the reference the fused op is tested against. */
    public Tensor forwardComposite(Tensor input) {
        checkInput(input);
        int b = input.size(0), t = input.size(1);
        Tensor projected = inputToGates.forward(input); // (B, T, 4H): the input part of every gate, all steps at once
        Tensor h = null, c = null;
        Tensor[] outputs = new Tensor[t];
        for (int step = 0; step < t; step++) {
            Tensor gates = projected.narrow(1, step, 1).reshape(b, 4 * hidden); // (B, 4H)
            if (h != null) {
                gates = gates.add(hiddenToGates.forward(h)); // (B, 4H)
            }
            Tensor in = gates.narrow(1, 0, hidden).sigmoid(); // (B, H)
            Tensor forget = gates.narrow(1, hidden, hidden).sigmoid(); // (B, H)
            Tensor candidate = gates.narrow(1, 2 * hidden, hidden).tanh(); // (B, H)
            Tensor out = gates.narrow(1, 3 * hidden, hidden).sigmoid(); // (B, H)
            c = c == null ? in.mul(candidate) : forget.mul(c).add(in.mul(candidate)); // (B, H)
            h = out.mul(c.tanh()); // (B, H)
            outputs[step] = h.reshape(b, 1, hidden); // (B, 1, H)
        }
        return Tensor.concat(1, outputs); // (B, T, H)
    }

    private static void checkInput(Tensor input) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("Lstm: expected inputs (B, T, I), got " + Arrays.toString(input.shape()));
        }
    }
}
