package io.orthrus.model;

import io.orthrus.nn.Embedding;
import io.orthrus.nn.Init;
import io.orthrus.nn.Module;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;

/** What the GPT-shaped models share: GPT-2's initialisation and the token + position embedding. */
final class Transformers {
    /** Standard deviation of GPT-2's initial weights. */
    static final float INIT_STD = 0.02f;

    private Transformers() {}

    /**
     * GPT-2's initialisation: matrices N(0, 0.02), biases 0, and the projections that end a residual
     * branch ({@code *.proj.weight} of attention and cross-attention, {@code ff.down.weight})
     * N(0, 0.02/√branches), so that the residual stream's variance does not grow with depth.
     */
    static void initialise(Module model, int residualBranches, Rng rng) {
        float residualStd = INIT_STD / (float) Math.sqrt(residualBranches);
        model.namedParameters().forEach((name, p) -> {
            if (p.rank() >= 2) {
                boolean residual = name.endsWith("attn.proj.weight") || name.endsWith("cross.proj.weight")
                        || name.endsWith("ff.down.weight");
                Init.normal(p, residual ? residualStd : INIT_STD, rng);
            } else if (name.endsWith("bias")) {
                Init.zeros(p);
            }
        });
    }

    /**
     * Token embeddings {@code (B, T, C)} of {@code ids (B, T)} at positions {@code offset ..
     * offset + T - 1}, plus a learned ({@code positions}) or fixed ({@code sinusoidal}) position
     * table when the model has one (rotary positions act inside attention instead).
     */
    static Tensor embed(Embedding tokens, Embedding positions, Tensor sinusoidal, IntTensor ids, int offset) {
        int t = ids.shape()[1];
        Tensor x = tokens.forward(ids); // (B, T, C)
        if (positions != null) {
            x = x.add(positions.weight().narrow(0, offset, t)); // (B, T, C) + (T, C)
        } else if (sinusoidal != null) {
            x = x.add(sinusoidal.narrow(0, offset, t)); // (B, T, C) + (T, C)
        }
        return x;
    }
}
