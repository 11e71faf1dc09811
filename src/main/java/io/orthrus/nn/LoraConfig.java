package io.orthrus.nn;

import java.util.List;

/**
 * The settings of one LoRA adapter (Hu et al., 2021), as PEFT's {@code LoraConfig} names them: the rank
 * {@code r} of the update {@code ΔW = (alpha/r)·B·A} ({@code A (r × in)}, {@code B (out × r)}), its
 * {@code alpha}, dropout on the adapter's input, rsLoRA's scaling {@code alpha/√r} instead of
 * {@code alpha/r}, and the layers it adapts.
 *
 * @param rank    r, at least 1
 * @param alpha   the scaling numerator, finite and positive
 * @param dropout the probability of zeroing an input of the adapter while training, in [0, 1)
 * @param rsLora  whether the scale is {@code alpha/√r} (rank-stabilised LoRA) rather than {@code alpha/r}
 * @param targets PEFT's {@code target_modules}: names of the linear layers to adapt, each matching a layer
 *                whose name is it or ends with {@code "." + it}, in Orthrus's names ({@code qkv}, {@code proj},
 *                {@code gate}, {@code up}, {@code down}, {@code attn.proj}, …) or Hugging Face's
 *                ({@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj}, {@code gate_proj},
 *                {@code up_proj}, {@code down_proj}; GPT-2's {@code c_attn}, {@code c_proj}, {@code c_fc};
 *                BERT's {@code query}, {@code key}, {@code value}); empty for every linear layer of the
 *                Transformer blocks
 */
public record LoraConfig(int rank, double alpha, double dropout, boolean rsLora, List<String> targets) {
    /** Checks the values; copies the targets. */
    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoraConfig: rank r must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoraConfig: alpha must be finite and positive, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoraConfig: dropout must be in [0, 1), got " + dropout);
        }
        targets = List.copyOf(targets);
        for (String target : targets) {
            if (target.isBlank()) {
                throw new IllegalArgumentException("LoraConfig: a target module name is empty");
            }
        }
    }

    /** Rank {@code r} with {@code alpha = 2r} (a common choice), no dropout, every linear layer of the blocks. */
    public static LoraConfig rank(int rank) {
        return new LoraConfig(rank, 2.0 * rank, 0, false, List.of());
    }

    /** A copy with {@code alpha}. */
    public LoraConfig withAlpha(double alpha) {
        return new LoraConfig(rank, alpha, dropout, rsLora, targets);
    }

    /** A copy with dropout {@code p} on the adapter's input. */
    public LoraConfig withDropout(double p) {
        return new LoraConfig(rank, alpha, p, rsLora, targets);
    }

    /** A copy with rank-stabilised scaling ({@code alpha/√r}) on or off. */
    public LoraConfig withRsLora(boolean on) {
        return new LoraConfig(rank, alpha, dropout, on, targets);
    }

    /** A copy adapting the layers named {@code targets} (see the record's description); none = every block layer. */
    public LoraConfig withTargets(String... targets) {
        return new LoraConfig(rank, alpha, dropout, rsLora, List.of(targets));
    }

    /** The factor the update is multiplied by: {@code alpha/r}, or {@code alpha/√r} with rsLoRA. */
    public double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }
}
