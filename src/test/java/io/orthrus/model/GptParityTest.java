package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.io.Safetensors;
import io.orthrus.nn.Activation;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Orthrus's GPT against PyTorch, in the spirit of llm.c's test: for fixed weights and inputs the
 * logits, the loss and every parameter gradient must match a float64 PyTorch reference
 * ({@code src/test/python/make_gpt_parity_fixture.py}, fixture committed).
 */
class GptParityTest {
    /** Float32 forward vs the float64 reference; logits are of magnitude up to ~10 (measured: passes at 1e-5 on both kernels). */
    private static final float LOGITS_TOLERANCE = 1e-5f;
    private static final float LOSS_TOLERANCE = 1e-6f;
    /** Per gradient element, relative to the largest gradient of that parameter. */
    private static final float GRADIENT_RELATIVE_TOLERANCE = 1e-5f;

    @Test
    void logitsLossAndEveryGradientMatchPyTorch() throws IOException, URISyntaxException {
        Path fixture = Path.of(getClass().getResource("/fixtures/gpt_parity.safetensors").toURI());
        Map<String, Tensor> f = Safetensors.read(fixture).tensors();
        Gpt gpt = tinyGpt(f, "");
        Map<String, Parameter> params = gpt.namedParameters();
        assertEquals(f.keySet().stream().filter(k -> k.startsWith("grad.")).count(), params.size(),
                "the fixture and the model must have the same parameters");
        IntTensor ids = IntTensor.fromFloats(f.get("input.ids"));
        IntTensor targets = IntTensor.fromFloats(f.get("input.targets"));

        Tensor logits = gpt.forward(ids);
        assertArrayEquals(f.get("output.logits").toArray(), logits.toArray(), LOGITS_TOLERANCE);
        Tensor loss = Losses.crossEntropy(logits, targets);
        assertEquals(f.get("output.loss").item(), loss.item(), LOSS_TOLERANCE);
        loss.backward();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            float[] expected = f.get("grad." + e.getKey()).data(), actual = e.getValue().grad().data();
            float scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], GRADIENT_RELATIVE_TOLERANCE * scale + 1e-7f,
                        "grad of " + e.getKey() + " at " + i);
            }
        }
        assertTrue(loss.item() > 1f, "a meaningful (untrained) loss: " + loss.item());
    }

    /**
     * The fixtures' tiny GPT (vocabulary 11, context 8, width 16, 2 heads, 2 layers, biases, tied
     * head) with every weight taken from {@code fixture} under {@code prefix + name}.
     */
    static Gpt tinyGpt(Map<String, Tensor> fixture, String prefix) {
        TransformerConfig config = new TransformerConfig(11, 8, 16, 2, 2, 64, Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.PRE, true, true);
        Gpt gpt = new Gpt(config, new Rng(0));
        for (Map.Entry<String, Parameter> e : gpt.namedParameters().entrySet()) {
            Tensor reference = fixture.get(prefix + e.getKey());
            assertArrayEquals(reference.shape(), e.getValue().shape(), e.getKey());
            System.arraycopy(reference.data(), 0, e.getValue().data(), 0, reference.numel());
        }
        return gpt;
    }
}
