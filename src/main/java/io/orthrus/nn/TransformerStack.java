package io.orthrus.nn;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The body shared by every model: {@code layers} blocks and, for pre-norm stacks, a final
 * norm. It knows nothing of tokens or objectives: the caller brings embeddings and the
 * {@link AttentionMask} (causal for GPT, bidirectional for BERT, prefix for a prefix LM). Built
 * with a memory width, it is the decoder of an encoder-decoder model: every block also attends
 * to the encoder's output.
 */
public final class TransformerStack extends Module {
    private final ModuleList<TransformerBlock> blocks;
    private final Norm finalNorm;

    /** A stack of {@code config}'s shape. */
    public TransformerStack(TransformerConfig config, Rng rng) {
        this(config, 0, rng);
    }

    /** A stack of {@code config}'s shape whose blocks, when {@code memoryWidth > 0}, cross-attend to a memory that wide. */
    public TransformerStack(TransformerConfig config, int memoryWidth, Rng rng) {
        List<TransformerBlock> list = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            list.add(new TransformerBlock(config, memoryWidth, rng));
        }
        this.blocks = registerModule("blocks", new ModuleList<>(list));
        this.finalNorm = config.norm() == TransformerConfig.NormPlacement.PRE
                ? registerModule("lnF", TransformerBlock.norm(config)) : null;
    }

    /** {@code (B, T, C) -> (B, T, C)} under {@code mask}; with a cache, {@code x} holds only the new positions. */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache) {
        return forward(x, mask, cache, null, null);
    }

    /**
     * As {@link #forward(Tensor, AttentionMask, KvCache)}, every block also attending to
     * {@code memory (B, S, Cm)} under {@code memoryMask}: for a stack built with a memory width.
     */
    public Tensor forward(Tensor x, AttentionMask mask, KvCache cache, Tensor memory, AttentionMask memoryMask) {
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x, mask, cache, i, memory, memoryMask); // (B, T, C)
        }
        if (cache != null) {
            cache.advance(x.size(1));
        }
        return finalNorm == null ? x : finalNorm.forward(x); // (B, T, C)
    }

    /** {@code (B, T, C) -> (B, T, C)} without a cache. */
    public Tensor forward(Tensor x, AttentionMask mask) {
        return forward(x, mask, null);
    }

    /** The blocks. */
    public ModuleList<TransformerBlock> blocks() {
        return blocks;
    }
}
