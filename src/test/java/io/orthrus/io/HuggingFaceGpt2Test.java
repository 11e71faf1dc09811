package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.model.Gpt;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity with a GPT-2 in Hugging Face's layout: {@code src/test/resources/hf/gpt2-tiny}, written by
 * {@code src/test/python/make_hf_gpt2_fixture.py} (random weights, PyTorch reference logits).
 */
class HuggingFaceGpt2Test {
    @TempDir
    Path dir;

    private static Path fixture() throws URISyntaxException {
        return Path.of(HuggingFaceGpt2Test.class.getResource("/hf/gpt2-tiny/config.json").toURI()).getParent();
    }

    private static float[] logits(Gpt model, IntTensor ids) {
        try (var g = NoGrad.enter()) {
            model.eval();
            return model.forward(ids).toArray();
        }
    }


    @Test
    void logitsMatchThePyTorchReference() throws Exception {
        GptCheckpoint loaded = HuggingFaceGpt2.load(fixture());
        assertNull(loaded.tokenizer(), "the fixture has no tokenizer files");
        JsonObject reference = JsonParser.parseString(Files.readString(fixture().resolve("reference.json"))).getAsJsonObject();
        float[] expected = reference.getAsJsonArray("logits").asList().stream().map(JsonElement::getAsFloat)
                .collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
                    float[] a = new float[l.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = l.get(i);
                    }
                    return a;
                }));
        float[] actual = logits(loaded.model(), HuggingFaceFoldersTest.matrix(reference, "ids"));
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst < 1e-4, "largest logit difference " + worst);
    }

    @Test
    void savedModelsLoadBackIdenticallyInTheSameLayout() throws Exception {
        Gpt model = HuggingFaceGpt2.load(fixture()).model();
        Path out = dir.resolve("exported");
        HuggingFaceGpt2.save(out, model, null);
        Gpt again = HuggingFaceGpt2.load(out).model();
        IntTensor ids = IntTensor.of(new int[] {1, 5, 9, 63, 0, 7}, 1, 6);
        assertArrayEquals(logits(model, ids), logits(again, ids), 0f);
        Set<String> original = new TreeSet<>(Safetensors.read(fixture().resolve("model.safetensors")).tensors().keySet());
        original.removeIf(k -> k.endsWith(".attn.bias") || k.endsWith(".attn.masked_bias"));
        assertEquals(original, new TreeSet<>(Safetensors.read(out.resolve("model.safetensors")).tensors().keySet()));
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals("gpt2", config.get("model_type").getAsString());
        assertEquals(32, config.get("n_embd").getAsInt());
    }

    @Test
    void theTokenizerTravelsWithTheModelAndMustMatchItsVocabulary() throws Exception {
        io.orthrus.tokenize.ByteLevelBpe bpe = io.orthrus.tokenize.ByteLevelBpe.train(
                "the dog that the farmers feed barks . ".repeat(50), 300, 2);
        Gpt model = new Gpt(io.orthrus.nn.TransformerConfig.tiny(bpe.vocabSize()).withBias(true), new io.orthrus.tensor.Rng(3));
        Path out = dir.resolve("with-tokenizer");
        HuggingFaceGpt2.save(out, model, bpe);
        GptCheckpoint back = HuggingFaceGpt2.load(out);
        assertArrayEquals(bpe.encode("the farmers bark"), back.tokenizer().encode("the farmers bark"));
        Files.writeString(out.resolve("config.json"), Files.readString(out.resolve("config.json"))
                .replace("\"vocab_size\":" + bpe.vocabSize(), "\"vocab_size\":64"), StandardCharsets.UTF_8);
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(out));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void namesWithoutThePrefixAreAcceptedAndUnknownOrMissingWeightsAreNamed() throws Exception {
        Map<String, Tensor> weights = new LinkedHashMap<>(Safetensors.read(fixture().resolve("model.safetensors")).tensors());
        Map<String, Tensor> bare = new LinkedHashMap<>();
        weights.forEach((k, v) -> bare.put(k.replace("transformer.", ""), v));
        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        Files.copy(fixture().resolve("config.json"), plain.resolve("config.json"));
        Safetensors.write(plain.resolve("model.safetensors"), bare, Map.of());
        HuggingFaceGpt2.load(plain);

        bare.put("h.0.attn.extra", Tensor.zeros(2));
        Safetensors.write(plain.resolve("model.safetensors"), bare, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(plain));
        assertTrue(e.getMessage().contains("h.0.attn.extra"), e.getMessage());

        bare.remove("h.0.attn.extra");
        bare.remove("h.1.mlp.c_fc.bias");
        Safetensors.write(plain.resolve("model.safetensors"), bare, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(plain));
        assertTrue(e.getMessage().contains("no weight 'h.1.mlp.c_fc.bias'"), e.getMessage());

        Files.writeString(plain.resolve("config.json"), Files.readString(fixture().resolve("config.json"))
                .replace("\"n_embd\": 32", "\"n_embd\": 48").replace("\"n_head\": 4", "\"n_head\": 4"), StandardCharsets.UTF_8);
        bare.put("h.1.mlp.c_fc.bias", Tensor.zeros(128));
        Safetensors.write(plain.resolve("model.safetensors"), bare, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(plain));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());

        Files.writeString(plain.resolve("config.json"), "{\"model_type\": \"bert\"}", StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(plain));
        assertTrue(e.getMessage().contains("is not gpt2"), e.getMessage());
    }
}
