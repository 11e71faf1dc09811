package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.model.Bert;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity with a BERT in Hugging Face's BertForMaskedLM layout: {@code src/test/resources/hf/bert-tiny},
 * written by {@code make_bert_fixture.py} (random weights, PyTorch reference logits).
 */
class HuggingFaceBertTest {
    @TempDir
    Path dir;

    private static Path fixture() throws Exception {
        return Path.of(HuggingFaceBertTest.class.getResource("/hf/bert-tiny/config.json").toURI()).getParent();
    }

    private static IntTensor matrix(JsonObject json, String field) {
        JsonArray rows = json.getAsJsonArray(field);
        int b = rows.size(), t = rows.get(0).getAsJsonArray().size();
        int[] values = new int[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                values[r * t + i] = rows.get(r).getAsJsonArray().get(i).getAsInt();
            }
        }
        return IntTensor.of(values, b, t);
    }

    @Test
    void maskedLmLogitsMatchThePyTorchReferenceAndTheTokenizerComesAlong() throws Exception {
        BertCheckpoint loaded = HuggingFaceBert.load(fixture());
        Bert model = loaded.model();
        assertEquals(1e-12f, model.config().layerNormEps());
        assertEquals(16, loaded.tokenizer().vocabSize());
        JsonObject reference = JsonParser.parseString(Files.readString(fixture().resolve("reference.json"))).getAsJsonObject();
        IntTensor ids = matrix(reference, "ids"), mask = matrix(reference, "attention_mask");
        float[] actual;
        try (var g = NoGrad.enter()) {
            model.eval();
            actual = model.mlmLogits(model.encode(ids, matrix(reference, "token_types"), mask)).toArray();
        }
        JsonArray expected = reference.getAsJsonArray("logits");
        int v = model.vocabSize(), t = ids.shape()[1];
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            int position = i / v; // padded positions' outputs are not compared: their values do not matter
            if (mask.data()[position] == 1) {
                worst = Math.max(worst, Math.abs(expected.get(i).getAsFloat() - actual[i]));
            }
        }
        assertTrue(worst < 1e-4, "largest logit difference " + worst);
        assertEquals(expected.size(), actual.length);
        assertEquals(2 * t * v, actual.length);
    }

    @Test
    void oldLayerNormNamesAreReadAndUnknownWeightsAreNamed() throws Exception {
        Map<String, Tensor> weights = new LinkedHashMap<>(Safetensors.read(fixture().resolve("model.safetensors")).tensors());
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        Files.copy(fixture().resolve("config.json"), copy.resolve("config.json"));
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        weights.forEach((k, t) -> renamed.put(k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias",
                "LayerNorm.beta"), t));
        renamed.put("bert.pooler.dense.weight", Tensor.zeros(32, 32));
        Safetensors.write(copy.resolve("model.safetensors"), renamed, Map.of());
        HuggingFaceBert.load(copy);
        renamed.put("bert.encoder.layer.0.attention.self.extra", Tensor.zeros(1));
        Safetensors.write(copy.resolve("model.safetensors"), renamed, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceBert.load(copy));
        assertTrue(e.getMessage().contains("attention.self.extra"), e.getMessage());
        renamed.remove("bert.encoder.layer.0.attention.self.extra");
        renamed.remove("bert.encoder.layer.1.attention.self.key.bias");
        Safetensors.write(copy.resolve("model.safetensors"), renamed, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceBert.load(copy));
        assertTrue(e.getMessage().contains("no weight 'bert.encoder.layer.1.attention.self.key.bias'"), e.getMessage());
    }
}
