package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import java.util.Map;

/**
 * Batches for masked-LM pre-training: random windows of a token stream, each wrapped as
 * {@code [CLS] window [SEP]} with segment 0 and no padding. Windows are drawn as by
 * {@link WindowSampler} (uniform start positions from a seeded generator).
 */
public final class EncodedWindows implements BatchSource<TokenBatch> {
    private final WindowSampler windows;
    private final int clsId;
    private final int sepId;

    private EncodedWindows(WindowSampler windows, int clsId, int sepId) {
        this.windows = windows;
        this.clsId = clsId;
        this.sepId = sepId;
    }

    /**
     * Batches of {@code batchSize} sequences of {@code length} ids ({@code length − 2} tokens of
     * {@code tokens} between {@code [CLS]} and {@code [SEP]}).
     */
    public static EncodedWindows over(int[] tokens, int length, int batchSize, int clsId, int sepId, Rng rng) {
        if (length < 3) {
            throw new IllegalArgumentException("EncodedWindows: length must be at least 3 ([CLS], a token, [SEP]), got "
                    + length);
        }
        return new EncodedWindows(WindowSampler.over(tokens, length - 2, batchSize, rng), clsId, sepId);
    }

    @Override
    public Map<String, Rng> generators() {
        return windows.generators();
    }

    @Override
    public TokenBatch next() {
        IntTensor inner = windows.next(); // (B, T - 2)
        int b = inner.shape()[0], w = inner.shape()[1], t = w + 2;
        int[] ids = new int[b * t], mask = new int[b * t];
        for (int row = 0; row < b; row++) {
            ids[row * t] = clsId;
            System.arraycopy(inner.data(), row * w, ids, row * t + 1, w);
            ids[row * t + t - 1] = sepId;
        }
        java.util.Arrays.fill(mask, 1);
        return new TokenBatch(IntTensor.wrap(ids, b, t), IntTensor.wrap(new int[b * t], b, t), IntTensor.wrap(mask, b, t));
    }
}
