package io.orthrus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Llama-family options of the shared stack: RMS norm, SwiGLU, grouped-query attention, head size, rotary base and scaling. */
class ModernBlocksTest {
    /** Every option at once: 4 query heads on 2 key/value heads of 6 channels in width 16, q/k/v biases only. */
    private static TransformerConfig modern() {
        return TransformerConfig.tinyLlama(11).withWidth(16, 4, 20).withHeadSize(6).withKeyValueHeads(2)
                .withQkvBias(true).withContextLength(8)
                .withRope(500_000, new TransformerConfig.RopeScaling(8, 1, 4, 4));
    }

    @Test
    void aModernBlockPassesAGradientCheckThroughEveryOption() {
        TransformerBlock block = new TransformerBlock(modern(), new Rng(3));
        assertNull(block.feedForward().up().bias());
        assertEquals(16, block.feedForward().gate().weight().size(1));
        Tensor x = Tensor.randn(new Rng(4), 2, 5, 16).requiresGrad(true);
        GradCheck.Result r = GradCheck.checkInPlace(() -> block.forward(x, AttentionMask.causal(), null, 0), x,
                block.attention().qkv().weight(), block.attention().qkv().bias(), block.attention().proj().weight(),
                block.feedForward().gate().weight(), block.feedForward().up().weight(),
                block.feedForward().down().weight());
        assertTrue(r.passed(), r.toString());
        // A gate other than SiLU takes the unfused path: activation(gate) ⊙ up.
        TransformerBlock geglu = new TransformerBlock(modern().withActivation(Activation.Kind.GELU), new Rng(5));
        GradCheck.Result g = GradCheck.checkInPlace(() -> geglu.forward(x, AttentionMask.causal(), null, 0), x,
                geglu.feedForward().gate().weight(), geglu.feedForward().up().weight());
        assertTrue(g.passed(), g.toString());
    }

    @Test
    void groupedQueryAttentionEqualsFullAttentionWithTheKeyValueHeadsRepeated() {
        // 4 query heads on 2 key/value heads against 4 query heads on 4 whose heads 0,1 and 2,3 are copies.
        TransformerConfig grouped = TransformerConfig.tinyLlama(11).withWidth(16, 4, 32).withKeyValueHeads(2);
        MultiHeadAttention gqa = new MultiHeadAttention(grouped, new Rng(1));
        MultiHeadAttention mha = new MultiHeadAttention(grouped.withKeyValueHeads(4), new Rng(2));
        int width = 16, hs = 4;
        float[] small = gqa.qkv().weight().data(), full = mha.qkv().weight().data(); // rows: q (16), k, v
        System.arraycopy(small, 0, full, 0, width * width); // the query rows
        for (int part = 0; part < 2; part++) { // keys, then values
            for (int head = 0; head < 4; head++) {
                int from = (width + part * 2 * hs + (head / 2) * hs) * width, to = (width + part * 4 * hs + head * hs) * width;
                System.arraycopy(small, from, full, to, hs * width);
            }
        }
        System.arraycopy(gqa.proj().weight().data(), 0, mha.proj().weight().data(), 0, width * width);
        Tensor x = Tensor.randn(new Rng(3), 2, 6, width);
        for (AttentionMask mask : new AttentionMask[] {AttentionMask.causal(), AttentionMask.bidirectional()}) {
            try (var g = NoGrad.enter()) {
                assertArrayEquals(mha.forward(x, mask, null, 0).toArray(), gqa.forward(x, mask, null, 0).toArray(), 1e-6f,
                        mask.toString());
            }
        }
    }

    @Test
    void aCacheGivesTheSameOutputsAsTheWholeSequenceWithGroupedHeads() {
        TransformerStack stack = new TransformerStack(modern(), new Rng(7));
        Tensor x = Tensor.randn(new Rng(8), 1, 6, 16);
        try (var g = NoGrad.enter()) {
            float[] whole = stack.forward(x, AttentionMask.causal()).toArray();
            KvCache cache = new KvCache(modern().layers());
            float[] first = stack.forward(x.narrow(1, 0, 4), AttentionMask.causal(), cache).toArray();
            float[] rest = stack.forward(x.narrow(1, 4, 2), AttentionMask.causal(), cache).toArray();
            float[] stepped = new float[whole.length];
            System.arraycopy(first, 0, stepped, 0, first.length);
            System.arraycopy(rest, 0, stepped, first.length, rest.length);
            assertArrayEquals(whole, stepped, 1e-5f);
        }
    }

    @Test
    void rotaryPositionsEqualTransformersForEveryBaseAndLlama3Scaling() throws Exception {
        JsonObject fixture = JsonParser.parseString(Files.readString(Path.of(
                ModernBlocksTest.class.getResource("/rope.json").toURI()))).getAsJsonObject();
        int[] shape = {1, 2, 5, 16};
        int offset = fixture.get("offset").getAsInt();
        Tensor q = Tensor.of(floats(fixture.getAsJsonArray("q")), shape);
        Tensor k = Tensor.of(floats(fixture.getAsJsonArray("k")), shape);
        for (var entry : fixture.getAsJsonObject("cases").entrySet()) {
            JsonObject c = entry.getValue().getAsJsonObject();
            TransformerConfig.RopeScaling scaling = null;
            if (c.get("rope_scaling").isJsonObject()) {
                JsonObject s = c.getAsJsonObject("rope_scaling");
                scaling = new TransformerConfig.RopeScaling(s.get("factor").getAsDouble(),
                        s.get("low_freq_factor").getAsDouble(), s.get("high_freq_factor").getAsDouble(),
                        s.get("original_max_position_embeddings").getAsInt());
            }
            float[] frequencies = Rotary.frequencies(16, c.get("rope_theta").getAsDouble(), scaling);
            assertArrayEquals(floats(c.getAsJsonArray("inv_freq")), frequencies, 0f, entry.getKey() + " frequencies");
            assertArrayEquals(floats(c.getAsJsonArray("q_rotated")), Rotary.apply(q, offset, frequencies).toArray(), 1e-6f,
                    entry.getKey() + " q");
            assertArrayEquals(floats(c.getAsJsonArray("k_rotated")), Rotary.apply(k, offset, frequencies).toArray(), 1e-6f,
                    entry.getKey() + " k");
        }
        GradCheck.Result r = GradCheck.check(in -> Rotary.apply(in[0], 2, Rotary.frequencies(16, 500_000,
                new TransformerConfig.RopeScaling(8, 1, 4, 4))), q);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void impossibleOptionsNameTheField() {
        TransformerConfig base = TransformerConfig.tinyLlama(11);
        assertMessage("kvHeads 3 does not divide heads 4", () -> base.withKeyValueHeads(3));
        assertMessage("even head size", () -> base.withHeadSize(5));
        assertMessage("ropeScaling needs rotary positions", () -> base.withPositions(
                TransformerConfig.PositionalEncoding.LEARNED).withRope(10_000, new TransformerConfig.RopeScaling(8, 1, 4, 8)));
        assertMessage("low_freq_factor < high_freq_factor", () -> new TransformerConfig.RopeScaling(8, 4, 1, 8));
        assertMessage("ropeTheta", () -> base.withRope(0.5, null));
        assertEquals("RMS norm, a gated feed-forward, 2 key/value heads for 4 heads", base.beyondClassicBlocks());
        assertEquals("", TransformerConfig.gpt2Small().beyondClassicBlocks());
    }

    @Test
    void theParameterCountIsExactForEveryOption() {
        for (TransformerConfig c : new TransformerConfig[] {modern(), modern().withBias(true), TransformerConfig.tinyLlama(11),
            TransformerConfig.tinyLlama(11).withTiedEmbeddings(true).withGatedFeedForward(false)
                    .withNormalization(TransformerConfig.Normalization.LAYER_NORM)}) {
            TransformerStack stack = new TransformerStack(c, new Rng(1));
            long embeddings = (long) c.vocabSize() * c.width() * (c.tiedEmbeddings() ? 1 : 2);
            assertEquals(c.parameterCount(), stack.parameterCount() + embeddings, c.toString());
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static float[] floats(JsonArray array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsFloat();
        }
        return out;
    }
}
