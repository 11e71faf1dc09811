package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.SequencePair;
import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.SyntheticTask;
import io.orthrus.infer.BeamSearch;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Seq2SeqGenerator;
import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.CrossAttention;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Seq2Seq;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderDecoderTest {
    private static final int VOCAB = 13;
    private static final SpecialTokens SPECIALS = SpecialTokens.after(10);

    private static EncoderDecoder model(long seed) {
        return new EncoderDecoder(EncoderDecoder.Config.of(Seq2SeqTasks.shape(VOCAB, 16, 2).withContextLength(16)),
                new Rng(seed));
    }

    private static float[] logits(EncoderDecoder model, int[] source, int[] padding, int[] target, int rows) {
        try (var g = NoGrad.enter()) {
            return model.logits(IntTensor.of(source, rows, source.length / rows),
                    padding == null ? null : IntTensor.of(padding, rows, padding.length / rows),
                    IntTensor.of(target, rows, target.length / rows), null).toArray();
        }
    }

    @Test
    void lossAtInitialisationIsCloseToLnV() {
        Rng rng = new Rng(3);
        List<SequencePair> pairs = SyntheticTask.SORT.samples(64, rng).stream()
                .map(e -> e.encode(SyntheticTask.SORT.tokenizer())).toList();
        float loss = new Seq2Seq().loss(model(1), Seq2SeqBatch.of(pairs, SPECIALS)).item();
        assertEquals(Math.log(VOCAB), loss, 0.1, "cross-entropy of a uniform guess over 13 ids is ln 13 = 2.565");
    }

    @Test
    void crossAttentionPassesAGradientCheckWithSourcePadding() {
        TransformerConfig shape = Seq2SeqTasks.shape(VOCAB, 8, 1).withWidth(8, 2, 16).withBias(true);
        CrossAttention cross = new CrossAttention(shape, 6, new Rng(5));
        Tensor x = Tensor.randn(new Rng(6), 2, 3, 8).requiresGrad(true);
        Tensor memory = Tensor.randn(new Rng(7), 2, 4, 6).requiresGrad(true);
        AttentionMask mask = AttentionMask.bidirectional().withKeyPadding(IntTensor.of(new int[] {1, 1, 0, 0, 1, 1, 1, 1}, 2, 4));
        GradCheck.Result r = GradCheck.checkInPlace(() -> cross.forward(x, memory, mask, null, 0), x, memory,
                cross.query().weight(), cross.keyValue().weight(), cross.keyValue().bias(), cross.proj().weight());
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void wholeModelPassesAGradientCheck() {
        EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(
                Seq2SeqTasks.shape(VOCAB, 8, 1).withWidth(8, 2, 16).withContextLength(6)), new Rng(8));
        Seq2SeqBatch batch = Seq2SeqBatch.of(List.of(new SequencePair(new int[] {1, 2, 3}, new int[] {3, 2}),
                new SequencePair(new int[] {4}, new int[] {5, 6, 7})), SPECIALS);
        // At GPT-2's initial scale (0.02) the gradients are so small that float32 rounding of the
        // loss dominates the finite differences; larger weights give the check something to measure.
        Rng rng = new Rng(9);
        model.parameters().forEach(p -> io.orthrus.nn.Init.normal(p, 0.3f, rng));
        var named = model.namedParameters();
        GradCheck.Result r = GradCheck.checkInPlace(() -> new Seq2Seq().loss(model, batch), GradCheck.DEFAULT_EPSILON, 2e-3,
                named.get("wte.weight"), named.get("encWpe.weight"), named.get("encoder.blocks.0.attn.qkv.weight"),
                named.get("decoder.blocks.0.cross.kv.weight"), named.get("decoder.blocks.0.cross.proj.weight"),
                named.get("decWpe.weight"));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void paddedSourcePositionsAreNeverSeen() {
        EncoderDecoder model = model(2);
        int[] target = {SPECIALS.start(), 4, 5};
        float[] alone = logits(model, new int[] {1, 2, 3}, null, target, 1);
        for (int filler : new int[] {SPECIALS.pad(), 7}) {
            float[] padded = logits(model, new int[] {1, 2, 3, filler, filler, 6, 6, 6, 6, 6},
                    new int[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new int[] {target[0], target[1], target[2], 1, 2, 3}, 2);
            assertArrayEquals(alone, java.util.Arrays.copyOf(padded, alone.length), 1e-5f, "filler " + filler);
        }
    }

    @Test
    void theDecoderDoesNotSeeLaterTargetTokens() {
        EncoderDecoder model = model(2);
        int[] source = {1, 2, 3, 4};
        float[] a = logits(model, source, null, new int[] {SPECIALS.start(), 4, 5, 6}, 1);
        float[] b = logits(model, source, null, new int[] {SPECIALS.start(), 4, 9, 9}, 1);
        assertArrayEquals(java.util.Arrays.copyOf(a, 2 * VOCAB), java.util.Arrays.copyOf(b, 2 * VOCAB), 0f);
        assertNotEquals(a[2 * VOCAB + 1], b[2 * VOCAB + 1], "position 2 reads its own input");
        float[] otherSource = logits(model, new int[] {4, 3, 2, 1}, null, new int[] {SPECIALS.start(), 4, 5, 6}, 1);
        assertNotEquals(a[0], otherSource[0], "the first position reads the source");
    }

    @Test
    void learnsToReverseStringsDeterministically() {
        Seq2SeqTasks.Run first = Seq2SeqTasks.train(SyntheticTask.REVERSE, 4000, 100, 300, 64, 2, 3e-3, 11);
        Seq2SeqTasks.Run second = Seq2SeqTasks.train(SyntheticTask.REVERSE, 4000, 100, 30, 64, 2, 3e-3, 11);
        Seq2SeqTasks.Run third = Seq2SeqTasks.train(SyntheticTask.REVERSE, 4000, 100, 30, 64, 2, 3e-3, 11);
        // Untrained: ln 29 = 3.37 nats per token. A decoder that ignored the source could at best
        // learn the letter frequencies and the lengths (about ln 26 = 3.26 per letter); falling
        // below 1 nat needs the source.
        assertTrue(first.training().validationLoss() < 1.0, "validation loss " + first.training().validationLoss());
        assertEquals(second.training().validationLoss(), third.training().validationLoss(), 0.0);
        assertEquals(second.training().finalTrainLoss(), third.training().finalTrainLoss(), 0.0);
    }

    @Test
    void cachedAndUncachedDecodingAndBeamWidthOnePickTheSameTokens() {
        EncoderDecoder model = model(4);
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, SPECIALS);
        for (int[] source : new int[][] {{1, 2, 3}, {9, 8, 7, 6, 5, 4}, {0}}) {
            GenerationConfig greedy = GenerationConfig.greedy(10);
            int[] cached = generator.generate(source, greedy);
            assertArrayEquals(cached, generator.generate(source, greedy.withCache(false)));
            assertArrayEquals(cached, generator.beamSearch(source, BeamSearch.of(1, 10)).get(0).ids());
            GenerationConfig sampled = GenerationConfig.sampling(10, 1f, 5).withTopK(5);
            assertArrayEquals(generator.generate(source, sampled), generator.generate(source, sampled.withCache(false)));
        }
    }

    @Test
    void beamSearchScoresAreTheModelsLogProbabilities() {
        EncoderDecoder model = model(6);
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, SPECIALS);
        int[] source = {3, 1, 4, 1, 5};
        List<Seq2SeqGenerator.Hypothesis> beams = generator.beamSearch(source, BeamSearch.of(4, 6).withLengthPenalty(0.7f));
        assertEquals(4, beams.size());
        for (int i = 0; i < beams.size(); i++) {
            Seq2SeqGenerator.Hypothesis h = beams.get(i);
            if (i > 0) {
                assertTrue(beams.get(i - 1).score() >= h.score(), "sorted best first");
            }
            // Teacher-forced log-probability of the output (with its end token unless it ran out of length).
            int[] ids = h.ids();
            boolean ended = ids.length < 6;
            int steps = ids.length + (ended ? 1 : 0);
            int[] input = new int[steps];
            input[0] = SPECIALS.start();
            System.arraycopy(ids, 0, input, 1, steps - 1);
            float[] logProbs;
            try (var g = NoGrad.enter()) {
                logProbs = model.logits(IntTensor.of(source, 1, source.length), null, IntTensor.of(input, 1, steps), null)
                        .logSoftmax(-1).toArray();
            }
            double expected = 0;
            for (int t = 0; t < steps; t++) {
                int next = t < ids.length ? ids[t] : SPECIALS.end();
                expected += logProbs[t * VOCAB + next];
            }
            assertEquals(expected, h.logProbability(), 1e-4, "hypothesis " + i);
            assertEquals(expected / Math.pow(steps, 0.7), h.score(), 1e-4);
        }
        // A wider beam never finds a less probable best output than greedy decoding (length penalty 0).
        int[] greedy = generator.generate(source, GenerationConfig.greedy(6));
        double best = generator.beamSearch(source, BeamSearch.of(4, 6).withLengthPenalty(0f)).get(0).logProbability();
        double greedyLogP = generator.beamSearch(source, BeamSearch.of(1, 6).withLengthPenalty(0f)).get(0).logProbability();
        assertTrue(best >= greedyLogP - 1e-9, best + " vs greedy " + greedyLogP + " for " + java.util.Arrays.toString(greedy));
    }

    @Test
    void badInputIsRejectedWithTheReason() {
        TransformerConfig shape = Seq2SeqTasks.shape(VOCAB, 16, 1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new EncoderDecoder.Config(shape, shape.withVocabSize(20), true));
        assertTrue(e.getMessage().contains("sharedEmbeddings"), e.getMessage());
        EncoderDecoder model = model(1);
        e = assertThrows(IllegalArgumentException.class, () -> model.encode(IntTensor.of(new int[] {1, 2, 3, 4}, 2, 2),
                IntTensor.of(new int[] {1, 1, 0, 0}, 2, 2)));
        assertTrue(e.getMessage().contains("row 1 of the source is all padding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.encode(IntTensor.of(new int[17], 1, 17), null));
        assertTrue(e.getMessage().contains("the source has 17 positions but its context length is 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.logits(IntTensor.of(new int[] {1}, 1, 1), null,
                IntTensor.of(new int[17], 1, 17), null));
        assertTrue(e.getMessage().contains("the target has 17 positions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.encode(IntTensor.of(new int[] {1, 99}, 1, 2), null));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
        Tensor memory = model.encode(IntTensor.of(new int[] {1, 2}, 1, 2), null);
        e = assertThrows(IllegalArgumentException.class,
                () -> model.decode(IntTensor.of(new int[] {1, 2}, 2, 1), memory, null, null));
        assertTrue(e.getMessage().contains("memory must be"), e.getMessage());
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, SPECIALS);
        e = assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[] {1}, GenerationConfig.greedy(50)));
        assertTrue(e.getMessage().contains("context"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[0], GenerationConfig.greedy(5)));
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqGenerator(model, SpecialTokens.after(VOCAB)));
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.of(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new SpecialTokens(1, 1, 2));
    }
}
