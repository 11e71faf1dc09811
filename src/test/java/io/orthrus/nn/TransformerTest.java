package io.orthrus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransformerTest {
    private static final float SAME = 1e-6f;

    private static TransformerConfig small(TransformerConfig.PositionalEncoding positions) {
        return TransformerConfig.tiny(11).withWidth(8, 2, 16).withContextLength(6).withPositions(positions);
    }

    /** Output of one attention layer for input x, as a plain array. */
    private static float[] attend(MultiHeadAttention attn, Tensor x, AttentionMask mask) {
        try (var g = NoGrad.enter()) {
            return attn.forward(x, mask, null, 0).toArray();
        }
    }

    /** True when output position {@code i} changed between two outputs of shape (1, T, C). */
    private static boolean changedAt(float[] a, float[] b, int i, int c) {
        for (int j = 0; j < c; j++) {
            if (Math.abs(a[i * c + j] - b[i * c + j]) > SAME) {
                return true;
            }
        }
        return false;
    }

    @Test
    void invalidConfigsNameTheField() {
        var heads = assertThrows(IllegalArgumentException.class, () -> TransformerConfig.tiny(10).withWidth(30, 4, 64));
        assertTrue(heads.getMessage().contains("width 30") && heads.getMessage().contains("heads 4"), heads.getMessage());
        var layers = assertThrows(IllegalArgumentException.class, () -> TransformerConfig.tiny(10).withLayers(0));
        assertTrue(layers.getMessage().contains("layers"), layers.getMessage());
        var vocab = assertThrows(IllegalArgumentException.class, () -> TransformerConfig.tiny(0));
        assertTrue(vocab.getMessage().contains("vocabSize"), vocab.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TransformerConfig.tiny(10).withDropout(1f));
        assertThrows(IllegalArgumentException.class, () -> TransformerConfig.tiny(10).withWidth(6, 2, 8)
                .withPositions(TransformerConfig.PositionalEncoding.ROTARY)); // head size 3 is odd
        assertEquals(32, TransformerConfig.nanoGptCpu(65).headSize());
    }

    @Test
    void causalMaskHidesTheFuture() {
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(1));
        Tensor x = Tensor.randn(new Rng(2), 1, 6, 8);
        Tensor changed = Tensor.of(x.toArray(), 1, 6, 8);
        changed.set(5f, 0, 4, 3); // change position 4 only
        float[] before = attend(attn, x, AttentionMask.causal()), after = attend(attn, changed, AttentionMask.causal());
        for (int i = 0; i < 4; i++) {
            assertFalse(changedAt(before, after, i, 8), "position " + i + " saw the future");
        }
        assertTrue(changedAt(before, after, 4, 8) && changedAt(before, after, 5, 8));
    }

    @Test
    void bidirectionalMaskSeesBothSides() {
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(1));
        Tensor x = Tensor.randn(new Rng(2), 1, 6, 8);
        Tensor changed = Tensor.of(x.toArray(), 1, 6, 8);
        changed.set(5f, 0, 4, 3);
        float[] before = attend(attn, x, AttentionMask.bidirectional());
        float[] after = attend(attn, changed, AttentionMask.bidirectional());
        for (int i = 0; i < 6; i++) {
            assertTrue(changedAt(before, after, i, 8), "position " + i + " did not see position 4");
        }
    }

    @Test
    void prefixMaskIsBidirectionalInThePrefixAndCausalAfter() {
        AttentionMask mask = AttentionMask.prefix(3);
        assertTrue(mask.allows(0, 0, 2)); // inside the prefix: sees ahead
        assertFalse(mask.allows(0, 3, 4)); // after it: causal
        assertTrue(mask.allows(0, 4, 1));
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(1));
        Tensor x = Tensor.randn(new Rng(2), 1, 6, 8);
        Tensor changed = Tensor.of(x.toArray(), 1, 6, 8);
        changed.set(5f, 0, 2, 3); // last prefix position
        float[] before = attend(attn, x, mask), after = attend(attn, changed, mask);
        assertTrue(changedAt(before, after, 0, 8), "prefix position 0 must see prefix position 2");
        Tensor late = Tensor.of(x.toArray(), 1, 6, 8);
        late.set(5f, 0, 4, 3);
        float[] afterLate = attend(attn, late, mask);
        assertFalse(changedAt(before, afterLate, 3, 8), "position 3 must not see position 4");
    }

    @Test
    void paddedKeysAreNeverSeen() {
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(1));
        AttentionMask mask = AttentionMask.bidirectional()
                .withKeyPadding(IntTensor.of(new int[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, 2, 6));
        Tensor x = Tensor.randn(new Rng(2), 2, 6, 8);
        Tensor changed = Tensor.of(x.toArray(), 2, 6, 8);
        changed.set(9f, 0, 5, 0); // a padding position of row 0
        float[] before = attend(attn, x, mask), after = attend(attn, changed, mask);
        for (int i = 0; i < 4; i++) {
            assertFalse(changedAt(before, after, i, 8), "real token " + i + " saw padding");
        }
        assertThrows(IllegalArgumentException.class,
                () -> AttentionMask.causal().withKeyPadding(IntTensor.of(new int[] {2, 1}, 1, 2)));
    }

    @Test
    void attentionPassesAGradientCheckForEveryPositionalEncoding() {
        for (TransformerConfig.PositionalEncoding positions : TransformerConfig.PositionalEncoding.values()) {
            MultiHeadAttention attn = new MultiHeadAttention(small(positions).withBias(true), new Rng(3));
            Tensor x = Tensor.randn(new Rng(4), 2, 5, 8).requiresGrad(true);
            GradCheck.Result r = GradCheck.checkInPlace(() -> attn.forward(x, AttentionMask.causal(), null, 0),
                    x, attn.qkv().weight(), attn.qkv().bias(), attn.proj().weight());
            assertTrue(r.passed(), positions + ": " + r);
        }
    }

    @Test
    void fusedAttentionMatchesTheCompositeInValueAndGradient() {
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(3));
        assertFusedMatchesComposite(attn, 5, 1e-5f, AttentionMask.causal(), AttentionMask.bidirectional(),
                AttentionMask.prefix(2).withKeyPadding(IntTensor.of(new int[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1}, 2, 5)));
    }

    @Test
    void fusedGroupedQueryRotaryAttentionMatchesTheComposite() {
        // 4 query heads on 2 and on 1 key/value heads of 6 channels in width 16, q/k/v biases, Llama 3 rope scaling.
        TransformerConfig modern = TransformerConfig.tinyLlama(11).withWidth(16, 4, 20).withHeadSize(6)
                .withKeyValueHeads(2).withQkvBias(true).withContextLength(70)
                .withRope(500_000, new TransformerConfig.RopeScaling(8, 1, 4, 4));
        int[] padding = new int[2 * 70];
        java.util.Arrays.fill(padding, 1);
        java.util.Arrays.fill(padding, 70 + 45, 2 * 70, 0);
        for (TransformerConfig config : new TransformerConfig[] {modern, modern.withKeyValueHeads(1),
            modern.withKeyValueHeads(4)}) {
            MultiHeadAttention attn = new MultiHeadAttention(config, new Rng(7));
            assertFusedMatchesComposite(attn, 5, 1e-5f, AttentionMask.causal(), AttentionMask.bidirectional());
            assertFusedMatchesComposite(attn, 70, 1e-4f, AttentionMask.causal(),
                    AttentionMask.prefix(40).withKeyPadding(IntTensor.of(padding, 2, 70)));
        }
    }

    @Test
    void fusedGroupedQueryRotaryAttentionPassesAGradientCheck() {
        // 4 query heads on 2 key/value heads of 4 channels, rotary, T = 70: blocks of 64 and 6 queries.
        float[] frequencies = Rotary.frequencies(4, 100, null);
        Tensor qkv = Tensor.randn(new Rng(11), 1, 70, (4 + 2 * 2) * 4);
        Tensor causal = AttentionMask.causal().blocked(1, 70, 70, 0);
        GradCheck.Result r = GradCheck.check(
                in -> io.orthrus.tensor.Attention.selfAttention(in[0], 4, 2, 4, frequencies, causal), qkv);
        assertTrue(r.passed(), r.toString());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> io.orthrus.tensor.Attention.selfAttention(qkv, 3, 2, 4, null, causal));
        assertTrue(e.getMessage().startsWith("selfAttention: expected qkv (B, T, (3 + 2·2)·4)"), e.getMessage());
    }

    /** Fused and composite attention over a (2, t, width) input agree in value, input gradient and weight gradient. */
    private static void assertFusedMatchesComposite(MultiHeadAttention attn, int t, float gradTolerance,
                                                    AttentionMask... masks) {
        int width = attn.proj().weight().size(0);
        for (AttentionMask mask : masks) {
            Tensor x = Tensor.randn(new Rng(4), 2, t, width).requiresGrad(true);
            Tensor upstream = Tensor.randn(new Rng(5), 2, t, width);
            Tensor fused = attn.fusedForward(x, mask);
            fused.backward(upstream);
            float[] fusedGrad = x.grad().toArray(), fusedWeightGrad = attn.qkv().weight().grad().toArray();
            x.zeroGrad();
            attn.zeroGrad();
            Tensor composite = attn.compositeForward(x, mask, null, 0);
            composite.backward(upstream);
            assertArrayEquals(composite.toArray(), fused.toArray(), 1e-5f, mask.toString());
            assertArrayEquals(x.grad().toArray(), fusedGrad, gradTolerance, mask.toString());
            assertArrayEquals(attn.qkv().weight().grad().toArray(), fusedWeightGrad, gradTolerance, mask.toString());
            attn.zeroGrad();
        }
    }

    @Test
    void fusedAttentionSkipsMaskedKeysBlockByBlockAndStillMatchesTheComposite() {
        // T = 70: two blocks of queries (64 and 6), and the first reads only a prefix of the keys under a causal mask.
        MultiHeadAttention attn = new MultiHeadAttention(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(6));
        int[] padding = new int[2 * 70];
        java.util.Arrays.fill(padding, 1);
        java.util.Arrays.fill(padding, 70 + 45, 2 * 70, 0); // the second row's last 25 positions are padding
        assertFusedMatchesComposite(attn, 70, 1e-4f, AttentionMask.causal(), AttentionMask.bidirectional(),
                AttentionMask.prefix(40).withKeyPadding(IntTensor.of(padding, 2, 70)),
                AttentionMask.causal().withKeyPadding(IntTensor.of(padding, 2, 70)));
    }

    @Test
    void fusedAttentionOverSeveralBlocksPassesAGradientCheck() {
        Tensor qkv = Tensor.randn(new Rng(9), 1, 70, 6); // blocks of 64 and 6 queries
        Tensor causal = AttentionMask.causal().blocked(1, 70, 70, 0);
        GradCheck.Result r = GradCheck.check(in -> io.orthrus.tensor.Attention.selfAttention(in[0], 1, causal), qkv);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void aQueryThatSeesNoKeyAttendsToNothing() {
        // Every key of the second batch row is blocked: its outputs are 0 and its gradient is 0, not NaN.
        float[] blocked = new float[2 * 40 * 40];
        java.util.Arrays.fill(blocked, 40 * 40, blocked.length, 1f);
        Tensor mask = Tensor.of(blocked, 2, 1, 40, 40);
        Tensor qkv = Tensor.randn(new Rng(10), 2, 40, 12).requiresGrad(true);
        Tensor out = io.orthrus.tensor.Attention.selfAttention(qkv, 2, mask);
        out.sum().backward();
        float[] values = out.toArray(), grad = qkv.grad().toArray();
        for (int i = 40 * 4; i < values.length; i++) {
            assertEquals(0f, values[i], 0f, "output " + i);
        }
        for (int i = 40 * 12; i < grad.length; i++) {
            assertEquals(0f, grad[i], 0f, "gradient " + i);
        }
        assertTrue(Float.isFinite(values[0]) && values[0] != 0f);
    }

    @Test
    void fusedAttentionPassesAGradientCheck() {
        Tensor qkv = Tensor.randn(new Rng(8), 2, 4, 12);
        Tensor causal = AttentionMask.causal().blocked(2, 4, 4, 0);
        GradCheck.Result r = GradCheck.check(in -> io.orthrus.tensor.Attention.selfAttention(in[0], 2, causal), qkv);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void blocksPassAGradientCheckInBothNormPlacements() {
        for (TransformerConfig.NormPlacement norm : TransformerConfig.NormPlacement.values()) {
            TransformerBlock block = new TransformerBlock(small(TransformerConfig.PositionalEncoding.LEARNED)
                    .withNorm(norm).withBias(true), new Rng(3));
            Tensor x = Tensor.randn(new Rng(4), 1, 4, 8).requiresGrad(true);
            GradCheck.Result r = GradCheck.checkInPlace(() -> block.forward(x, AttentionMask.prefix(2), null, 0),
                    x, block.feedForward().up().weight(), block.attention().proj().bias());
            assertTrue(r.passed(), norm + ": " + r);
        }
    }

    @Test
    void rotaryIsAnOrthogonalMapWithAGradientCheck() {
        Tensor x = Tensor.randn(new Rng(5), 1, 2, 4, 6);
        Tensor y = Rotary.apply(x, 3);
        assertEquals(x.pow(2f).sum().item(), y.pow(2f).sum().item(), 1e-4f); // rotations keep norms
        GradCheck.Result r = GradCheck.check(in -> Rotary.apply(in[0], 2), x);
        assertTrue(r.passed(), r.toString());
        // Relative positions: q·k depends on the distance only.
        Tensor q = Tensor.randn(new Rng(6), 1, 1, 1, 6), k = Tensor.randn(new Rng(7), 1, 1, 1, 6);
        float near = Rotary.apply(q, 5).mul(Rotary.apply(k, 3)).sum().item();
        float far = Rotary.apply(q, 12).mul(Rotary.apply(k, 10)).sum().item();
        assertEquals(near, far, 1e-4f);
    }

    @Test
    void stackNamesItsParametersAndKeepsShape() {
        TransformerStack stack = new TransformerStack(small(TransformerConfig.PositionalEncoding.LEARNED), new Rng(1));
        assertTrue(stack.namedParameters().containsKey("blocks.1.attn.qkv.weight"));
        assertTrue(stack.namedParameters().containsKey("blocks.0.ff.down.weight"));
        assertTrue(stack.namedParameters().containsKey("lnF.weight"));
        Tensor y = stack.forward(Tensor.randn(new Rng(2), 3, 5, 8), AttentionMask.causal());
        assertArrayEquals(new int[] {3, 5, 8}, y.shape());
        TransformerStack post = new TransformerStack(small(TransformerConfig.PositionalEncoding.LEARNED)
                .withNorm(TransformerConfig.NormPlacement.POST), new Rng(1));
        assertFalse(post.namedParameters().containsKey("lnF.weight"));
    }
}
