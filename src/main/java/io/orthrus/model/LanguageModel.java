package io.orthrus.model;

import io.orthrus.nn.AttentionMask;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;

/** A model that scores every vocabulary entry at every position: what objectives and generators need. */
public interface LanguageModel {
    /** Logits {@code (B, T, V)} for ids {@code (B, T)} under {@code mask}. */
    Tensor logits(IntTensor ids, AttentionMask mask);

    /** Vocabulary size V. */
    int vocabSize();

    /** The longest sequence the model reads. */
    int contextLength();
}
