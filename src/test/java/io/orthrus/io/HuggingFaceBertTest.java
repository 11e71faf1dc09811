package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
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
 * written by {@code src/test/python/make_hf_bert_fixture.py} (random weights, PyTorch reference logits).
 */
class HuggingFaceBertTest {
    @TempDir
    Path dir;

    private static Path fixture() throws Exception {
        return Path.of(HuggingFaceBertTest.class.getResource("/hf/bert-tiny/config.json").toURI()).getParent();
    }


    @Test
    void maskedLmLogitsMatchThePyTorchReferenceAndTheTokenizerComesAlong() throws Exception {
        BertCheckpoint loaded = HuggingFaceBert.load(fixture());
        Bert model = loaded.model();
        assertEquals(1e-12f, model.config().layerNormEps());
        assertEquals(16, loaded.tokenizer().vocabSize());
        JsonObject reference = JsonParser.parseString(Files.readString(fixture().resolve("reference.json"))).getAsJsonObject();
        IntTensor ids = HuggingFaceFoldersTest.matrix(reference, "ids"), mask = HuggingFaceFoldersTest.matrix(reference, "attention_mask");
        float[] actual;
        try (var g = NoGrad.enter()) {
            model.eval();
            actual = model.mlmLogits(model.encode(ids, HuggingFaceFoldersTest.matrix(reference, "token_types"), mask)).toArray();
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
        // Fill-mask parity: at each [MASK] the most likely token is the reference's.
        int[] idArray = ids.data();
        for (int position = 0; position < idArray.length; position++) {
            if (idArray[position] == loaded.tokenizer().maskId()) {
                int best = 0, bestRef = 0;
                for (int k = 1; k < v; k++) {
                    best = actual[position * v + k] > actual[position * v + best] ? k : best;
                    bestRef = expected.get(position * v + k).getAsFloat() > expected.get(position * v + bestRef).getAsFloat()
                            ? k : bestRef;
                }
                assertEquals(bestRef, best, "fill-mask at position " + position);
            }
        }
        assertEquals(expected.size(), actual.length);
        assertEquals(2 * t * v, actual.length);
    }

    @Test
    void exportedModelsLoadBackBitIdentically() throws Exception {
        BertCheckpoint loaded = HuggingFaceBert.load(fixture());
        Path out = dir.resolve("exported");
        HuggingFaceBert.save(out, loaded.model(), loaded.tokenizer());
        BertCheckpoint again = HuggingFaceBert.load(out);
        IntTensor ids = IntTensor.of(new int[] {2, 5, 4, 8, 12, 3}, 1, 6);
        try (var g = NoGrad.enter()) {
            loaded.model().eval();
            again.model().eval();
            assertArrayEquals(loaded.model().mlmLogits(loaded.model().encode(ids, null, null)).toArray(),
                    again.model().mlmLogits(again.model().encode(ids, null, null)).toArray(), 0f);
        }
        assertEquals(loaded.tokenizer().vocabSize(), again.tokenizer().vocabSize());
        java.util.Set<String> original = new java.util.TreeSet<>();
        for (String k : Safetensors.read(fixture().resolve("model.safetensors")).tensors().keySet()) {
            original.add(k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias"));
        }
        assertEquals(original, new java.util.TreeSet<>(Safetensors.read(out.resolve("model.safetensors")).tensors().keySet()));
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
        assertTrue(e.getMessage().contains("no weight 'encoder.layer.1.attention.self.key.bias'"), e.getMessage());
    }
}
