package io.orthrus.model;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a sentence vector is made from an encoder's token vectors, as sentence-transformers' Pooling
 * module does it: one or more modes, each giving a vector of the encoder's width, concatenated in
 * order. A sequence's tokens are the positions of its attention mask ({@code [CLS]} and
 * {@code [SEP]} included, padding excluded); with {@link #includePrompt()} false, the first
 * {@code promptLength} positions (the {@code [CLS]} and a prompt such as {@code "query: "}) are left
 * out as well.
 *
 * @param modes         the modes, at least one, in the order their vectors are concatenated
 * @param includePrompt whether a prompt's tokens take part in the pooling
 */
public record Pooling(List<Mode> modes, boolean includePrompt) {
    /** One way to pool; the names are sentence-transformers'. */
    public enum Mode {
        /** The first token's vector ({@code [CLS]}; with the prompt left out, the first token after it). */
        CLS("cls"),
        /** The mean of the token vectors. */
        MEAN("mean"),
        /** The element-wise maximum of the token vectors. */
        MAX("max"),
        /** The sum of the token vectors over the square root of their number. */
        MEAN_SQRT_LEN("mean_sqrt_len_tokens"),
        /** The mean weighted by position: the i-th position (from 1) weighs i. */
        WEIGHTED_MEAN("weightedmean"),
        /** The last token's vector ({@code [SEP]} for a BERT; for decoders, the one that saw everything). */
        LAST_TOKEN("lasttoken");

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        /** The name sentence-transformers' {@code pooling_mode} uses, such as {@code "mean"}. */
        public String configName() {
            return configName;
        }

        /** The mode of a {@code pooling_mode} name. */
        public static Mode named(String name) {
            for (Mode mode : values()) {
                if (mode.configName.equals(name)) {
                    return mode;
                }
            }
            List<String> names = new ArrayList<>();
            for (Mode mode : values()) {
                names.add(mode.configName);
            }
            throw new IllegalArgumentException("unknown pooling mode '" + name + "'; the modes are " + names);
        }
    }

    /** Checks that there is a mode and copies the list. */
    public Pooling {
        if (modes == null || modes.isEmpty()) {
            throw new IllegalArgumentException("Pooling: at least one mode is needed");
        }
        modes = List.copyOf(modes);
    }

    /** Pooling by {@code modes}, prompt included. */
    public static Pooling of(Mode... modes) {
        return new Pooling(Arrays.asList(modes), true);
    }

    /** A copy that includes the prompt's tokens or leaves them out. */
    public Pooling withIncludePrompt(boolean include) {
        return new Pooling(modes, include);
    }

    /** The width of a pooled vector for token vectors of width {@code width}. */
    public int outputWidth(int width) {
        return modes.size() * width;
    }

    /**
     * The sentence vectors {@code (B, D)} of token vectors {@code hidden} {@code (B, T, C)}, with
     * {@code D = }{@link #outputWidth}(C), differentiable with respect to {@code hidden}: what
     * training pools with. A sequence's tokens are the positions where {@code attentionMask}
     * {@code (B, T)} is 1, which must be a prefix of each row (right padding); every token takes
     * part (training inputs carry no prompt to leave out).
     */
    public Tensor apply(Tensor hidden, IntTensor attentionMask) {
        int[] shape = hidden.shape();
        if (shape.length != 3 || !Arrays.equals(attentionMask.shape(), new int[] {shape[0], shape[1]})) {
            throw new IllegalArgumentException("Pooling: hidden states must be (B, T, C) and the mask (B, T), got "
                    + Arrays.toString(shape) + " and " + Arrays.toString(attentionMask.shape()));
        }
        int b = shape[0], t = shape[1];
        int[] lengths = new int[b];
        int[] mask = attentionMask.data();
        for (int row = 0; row < b; row++) {
            while (lengths[row] < t && mask[row * t + lengths[row]] != 0) {
                lengths[row]++;
            }
            for (int i = lengths[row]; i < t; i++) {
                if (mask[row * t + i] != 0) {
                    throw new IllegalArgumentException("Pooling: row " + row + " of the attention mask has a token after"
                            + " padding; pad on the right");
                }
            }
            if (lengths[row] == 0) {
                throw new IllegalArgumentException("Pooling: row " + row + " of the attention mask has no token");
            }
        }
        Tensor[] pooled = new Tensor[modes.size()];
        for (int m = 0; m < pooled.length; m++) {
            Mode mode = modes.get(m);
            if (mode == Mode.MAX) {
                float[] fill = new float[b * t]; // -1e9 on padding, as sentence-transformers fills it
                for (int row = 0; row < b; row++) {
                    Arrays.fill(fill, row * t + lengths[row], (row + 1) * t, -1e9f);
                }
                pooled[m] = hidden.add(Tensor.wrap(fill, b, t, 1)).max(1, false); // (B, C)
            } else {
                pooled[m] = hidden.mul(Tensor.wrap(weights(mode, lengths, t), b, t, 1)).sum(1, false); // (B, C)
            }
        }
        return pooled.length == 1 ? pooled[0] : Tensor.concat(1, pooled);
    }

    /** Each position's weight in a weighted-sum mode, {@code (B, T)} row-major; 0 on padding. */
    private static float[] weights(Mode mode, int[] lengths, int t) {
        float[] w = new float[lengths.length * t];
        for (int row = 0; row < lengths.length; row++) {
            int n = lengths[row], at = row * t;
            switch (mode) {
                case CLS -> w[at] = 1f;
                case LAST_TOKEN -> w[at + n - 1] = 1f;
                case MEAN -> Arrays.fill(w, at, at + n, 1f / n);
                case MEAN_SQRT_LEN -> Arrays.fill(w, at, at + n, (float) (1 / Math.sqrt(n)));
                case WEIGHTED_MEAN -> {
                    double total = n * (n + 1) / 2.0;
                    for (int i = 0; i < n; i++) {
                        w[at + i] = (float) ((i + 1) / total);
                    }
                }
                case MAX -> throw new IllegalStateException("MAX is not a weighted sum");
            }
        }
        return w;
    }

    /**
     * Pools one sequence of a batch: {@code hidden} holds the token vectors of B sequences,
     * {@code (B, T, C)} row-major; this sequence's are rows {@code [row·T, row·T + length)}, and its
     * first {@code skip} positions are left out (the prompt, when it is not included). Writes
     * {@link #outputWidth}(C) values to {@code out} at {@code offset}.
     */
    public void pool(float[] hidden, int t, int c, int row, int length, int skip, float[] out, int offset) {
        int first = includePrompt ? 0 : Math.min(skip, length);
        int base = row * t * c;
        int at = offset;
        for (Mode mode : modes) {
            switch (mode) {
                case CLS -> copy(hidden, base, first < length ? first : 0, c, true, out, at); // as an argmax over an empty mask
                case LAST_TOKEN -> copy(hidden, base, length - 1, c, first < length, out, at);
                case MAX -> max(hidden, base, first, length, c, out, at);
                case MEAN, MEAN_SQRT_LEN -> {
                    double count = Math.max(length - first, 1e-9);
                    sum(hidden, base, first, length, c, out, at, false);
                    double divisor = mode == Mode.MEAN ? count : Math.sqrt(count);
                    for (int j = 0; j < c; j++) {
                        out[at + j] = (float) (out[at + j] / divisor);
                    }
                }
                case WEIGHTED_MEAN -> {
                    double weights = 0;
                    for (int i = first; i < length; i++) {
                        weights += i + 1;
                    }
                    sum(hidden, base, first, length, c, out, at, true);
                    double divisor = Math.max(weights, 1e-9);
                    for (int j = 0; j < c; j++) {
                        out[at + j] = (float) (out[at + j] / divisor);
                    }
                }
            }
            at += c;
        }
    }

    private static void copy(float[] hidden, int base, int position, int c, boolean present, float[] out, int at) {
        if (present) {
            System.arraycopy(hidden, base + position * c, out, at, c);
        } else {
            Arrays.fill(out, at, at + c, 0f);
        }
    }

    private static void max(float[] hidden, int base, int first, int length, int c, float[] out, int at) {
        Arrays.fill(out, at, at + c, Float.NEGATIVE_INFINITY);
        for (int i = first; i < length; i++) {
            for (int j = 0; j < c; j++) {
                out[at + j] = Math.max(out[at + j], hidden[base + i * c + j]);
            }
        }
    }

    /** Σ over positions [first, length) of the token vectors, each weighted by its 1-based position when asked. */
    private static void sum(float[] hidden, int base, int first, int length, int c, float[] out, int at, boolean weighted) {
        double[] total = new double[c];
        for (int i = first; i < length; i++) {
            double weight = weighted ? i + 1 : 1;
            for (int j = 0; j < c; j++) {
                total[j] += weight * hidden[base + i * c + j];
            }
        }
        for (int j = 0; j < c; j++) {
            out[at + j] = (float) total[j];
        }
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        modes.forEach(m -> names.add(m.configName()));
        return "Pooling" + names + (includePrompt ? "" : " (prompt left out)");
    }
}
