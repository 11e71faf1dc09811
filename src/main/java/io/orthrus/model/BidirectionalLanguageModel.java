package io.orthrus.model;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;

/**
 * A pair of language models reading in opposite directions, position-aligned: what
 * {@code objective.BidirectionalLm} trains. {@link BiLm} (ELMo's LSTMs) and
 * {@link TransformerBiLm} (two causal Transformer stacks) are the two kinds.
 */
public interface BidirectionalLanguageModel {
    /**
     * Logits {@code (B, T, V)} for ids {@code (B, T)}: [0] the next token at each position, from
     * the tokens up to it; [1] the previous token, from the tokens from it on.
     */
    Tensor[] logits(IntTensor ids);

    /** Contextual vectors {@code (B, T, D)} of the tokens, in evaluation mode without gradients. */
    Tensor embed(IntTensor ids);

    /** Vocabulary size V. */
    int vocabSize();
}
