package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tokenize.Encoding;
import java.util.List;

/**
 * A padded batch of encoded texts for a bidirectional (BERT-style) model.
 *
 * @param ids           token ids {@code (B, T)}, padded with the pad id
 * @param segments      segment ids {@code (B, T)}, 0 on padding
 * @param attentionMask {@code (B, T)}: 1 on real tokens, 0 on padding (keys that attention must not see)
 */
public record TokenBatch(IntTensor ids, IntTensor segments, IntTensor attentionMask) {
    /** Checks the components, naming what is wrong. */
    public TokenBatch {
        if (ids.shape().length != 2 || !java.util.Arrays.equals(ids.shape(), segments.shape())
                || !java.util.Arrays.equals(ids.shape(), attentionMask.shape())) {
            throw new IllegalArgumentException("TokenBatch: ids, segments and attention mask must all be (B, T), got "
                    + java.util.Arrays.toString(ids.shape()) + ", " + java.util.Arrays.toString(segments.shape())
                    + ", " + java.util.Arrays.toString(attentionMask.shape()));
        }
    }

    /** Pads {@code encodings} with {@code padId} to the length of the longest. */
    public static TokenBatch of(List<Encoding> encodings, int padId) {
        if (encodings.isEmpty()) {
            throw new IllegalArgumentException("TokenBatch.of: no encodings");
        }
        int b = encodings.size();
        int t = encodings.stream().mapToInt(Encoding::length).max().orElse(0);
        int[] ids = new int[b * t], segments = new int[b * t], mask = new int[b * t];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            Encoding e = encodings.get(i);
            System.arraycopy(e.ids(), 0, ids, i * t, e.length());
            System.arraycopy(e.segments(), 0, segments, i * t, e.length());
            java.util.Arrays.fill(mask, i * t, i * t + e.length(), 1);
        }
        return new TokenBatch(IntTensor.wrap(ids, b, t), IntTensor.wrap(segments, b, t), IntTensor.wrap(mask, b, t));
    }

    /** Batch size B. */
    public int size() {
        return ids.shape()[0];
    }

    /** Sequence length T. */
    public int length() {
        return ids.shape()[1];
    }
}
