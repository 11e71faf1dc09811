package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A padded batch for an encoder-decoder model trained with teacher forcing. For a target
 * {@code y1 … yn} the decoder reads {@code start y1 … yn} and must predict {@code y1 … yn end}.
 *
 * @param source        encoder input {@code (B, S)}, right-padded with the pad id
 * @param sourcePadding {@code (B, S)}: 1 on real tokens, 0 on padding
 * @param decoderInput  {@code (B, T)}: the start id, then the target, right-padded with the pad id
 * @param targets       {@code (B, T)}: the target, then the end id, then {@link Losses#IGNORE_INDEX} on padding.
 *                      Right padding needs no mask on the decoder side: a causal position never sees the
 *                      padding after it, and padded positions are not scored.
 */
public record Seq2SeqBatch(IntTensor source, IntTensor sourcePadding, IntTensor decoderInput, IntTensor targets) {
    /** Checks the shapes. */
    public Seq2SeqBatch {
        if (source.shape().length != 2 || !Arrays.equals(source.shape(), sourcePadding.shape())
                || decoderInput.shape().length != 2 || !Arrays.equals(decoderInput.shape(), targets.shape())
                || source.shape()[0] != decoderInput.shape()[0]) {
            throw new IllegalArgumentException("Seq2SeqBatch: expected source and its padding (B, S), decoder input and"
                    + " targets (B, T), got " + Arrays.toString(source.shape()) + ", " + Arrays.toString(sourcePadding.shape())
                    + ", " + Arrays.toString(decoderInput.shape()) + ", " + Arrays.toString(targets.shape()));
        }
    }

    /** The batch of {@code pairs}, padded to the longest source and the longest target. */
    public static Seq2SeqBatch of(List<SequencePair> pairs, SpecialTokens specials) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("Seq2SeqBatch.of: no pairs");
        }
        int b = pairs.size();
        int s = pairs.stream().mapToInt(p -> p.source().length).max().orElse(0);
        int t = 1 + pairs.stream().mapToInt(p -> p.target().length).max().orElse(0);
        int[] source = new int[b * s], padding = new int[b * s], input = new int[b * t], targets = new int[b * t];
        Arrays.fill(source, specials.pad());
        Arrays.fill(input, specials.pad());
        Arrays.fill(targets, Losses.IGNORE_INDEX);
        for (int row = 0; row < b; row++) {
            int[] src = pairs.get(row).source(), tgt = pairs.get(row).target();
            System.arraycopy(src, 0, source, row * s, src.length);
            Arrays.fill(padding, row * s, row * s + src.length, 1);
            input[row * t] = specials.start();
            System.arraycopy(tgt, 0, input, row * t + 1, tgt.length);
            System.arraycopy(tgt, 0, targets, row * t, tgt.length);
            targets[row * t + tgt.length] = specials.end();
        }
        return new Seq2SeqBatch(IntTensor.wrap(source, b, s), IntTensor.wrap(padding, b, s),
                IntTensor.wrap(input, b, t), IntTensor.wrap(targets, b, t));
    }

    /** Endless batches of {@code batchSize} pairs drawn uniformly with replacement from {@code pairs}. */
    public static BatchSource<Seq2SeqBatch> sampler(List<SequencePair> pairs, int batchSize, SpecialTokens specials,
                                                    Rng rng) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("Seq2SeqBatch.sampler: no pairs to draw from");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Seq2SeqBatch.sampler: batch size must be positive, got " + batchSize);
        }
        List<SequencePair> copy = List.copyOf(pairs);
        return new BatchSource<>() {
            @Override
            public Seq2SeqBatch next() {
                List<SequencePair> batch = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    batch.add(copy.get(rng.nextInt(copy.size())));
                }
                return of(batch, specials);
            }

            @Override
            public Map<String, Rng> generators() {
                return Map.of("pairs", rng);
            }
        };
    }

    /** Number of scored target positions (end tokens included, padding not). */
    public int predictions() {
        int n = 0;
        for (int id : targets.data()) {
            if (id != Losses.IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }
}
