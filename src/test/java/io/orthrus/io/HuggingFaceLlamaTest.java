package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Llama, Qwen2 and Mistral folders written by transformers ({@code src/test/python/make_llama_fixtures.py}): the
 * logits and 30 greedy tokens of transformers' eager float32 model.
 */
class HuggingFaceLlamaTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(HuggingFaceLlamaTest.class.getResource("/llama/" + name + "/config.json").toURI()).getParent();
    }

    private static JsonObject expected(Path folder) throws IOException {
        return JsonParser.parseString(Files.readString(folder.resolve("expected.json"))).getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "mistral"})
    void logitsAndGreedyTokensEqualTransformers(String name) throws Exception {
        Path folder = fixture(name);
        JsonObject expected = expected(folder);
        Gpt model = HuggingFaceLlama.loadModel(folder);
        assertLogitsEqual(model, expected, 1e-4f, name);
        int[] generated = new Generator(model, null).generate(ints(expected.getAsJsonArray("prompt")),
                GenerationConfig.greedy(30), id -> { });
        assertArrayEquals(ints(expected.getAsJsonArray("generated")), generated, name + " greedy tokens");
    }

    @Test
    void theEndTokensComeFromGenerationConfigAndStopGeneration(@TempDir Path dir) throws Exception {
        assertEquals(java.util.List.of(2), HuggingFaceLlama.endTokens(fixture("qwen2")));
        Path copy = dir.resolve("llama3-like");
        Files.createDirectories(copy);
        Files.writeString(copy.resolve("generation_config.json"), "{\"eos_token_id\": [5, 7, 9], \"bos_token_id\": 1}");
        assertEquals(java.util.List.of(5, 7, 9), HuggingFaceLlama.endTokens(copy));
        Files.writeString(copy.resolve("generation_config.json"), "{\"eos_token_id\": \"</s>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceLlama.endTokens(copy));
        assertTrue(e.getMessage().contains("generation_config.json: eos_token_id must be a token id"), e.getMessage());
        // The Qwen2 fixture's greedy continuation reaches its end token 2 at once: generation stops there.
        JsonObject expected = expected(fixture("qwen2"));
        Gpt model = HuggingFaceLlama.loadModel(fixture("qwen2"));
        int[] stopped = new Generator(model, null).generate(ints(expected.getAsJsonArray("prompt")),
                GenerationConfig.greedy(30).withStopTokens(HuggingFaceLlama.endTokens(fixture("qwen2"))), id -> { });
        int[] all = ints(expected.getAsJsonArray("generated"));
        int end = 0;
        while (all[end] != 2) {
            end++;
        }
        assertArrayEquals(java.util.Arrays.copyOf(all, end + 1), stopped);
    }

    @Test
    void eachFamilysOptionsAreRead() throws Exception {
        TransformerConfig llama = HuggingFaceLlama.loadModel(fixture("llama")).config();
        assertEquals(new TransformerConfig.RopeScaling(8, 1, 4, 16), llama.ropeScaling());
        assertEquals(500_000, llama.ropeTheta());
        assertEquals(2, llama.kvHeads());
        assertFalse(llama.tiedEmbeddings());
        TransformerConfig qwen2 = HuggingFaceLlama.loadModel(fixture("qwen2")).config();
        assertTrue(qwen2.qkvBias() && !qwen2.bias() && qwen2.tiedEmbeddings());
        assertEquals(1e-6f, qwen2.layerNormEps());
        TransformerConfig mistral = HuggingFaceLlama.loadModel(fixture("mistral")).config();
        assertEquals(1, mistral.kvHeads());
        assertNull(mistral.ropeScaling());
        assertEquals(64, mistral.contextLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void aSavedModelLoadsBackWithTheSameLogits(String name, @TempDir Path dir) throws Exception {
        Path folder = fixture(name);
        Gpt model = HuggingFaceLlama.loadModel(folder);
        HuggingFaceLlama.save(dir.resolve("out"), model);
        Gpt again = HuggingFaceLlama.loadModel(dir.resolve("out"));
        assertEquals(model.config(), again.config());
        assertLogitsEqual(again, expected(folder), 1e-4f, name + " saved and loaded");
    }

    @Test
    void unsupportedOptionsAndWeightsAreRefusedByName(@TempDir Path dir) throws Exception {
        assertRefused(dir, "llama", c -> c.getAsJsonObject("rope_parameters").addProperty("rope_type", "yarn"),
                "rope type 'yarn' is not supported");
        assertRefused(dir, "llama", c -> c.addProperty("attention_bias", true), "attention_bias = true is not supported");
        assertRefused(dir, "llama", c -> c.addProperty("hidden_act", "gelu"), "hidden_act = \"gelu\" is not supported");
        assertRefused(dir, "llama", c -> c.addProperty("model_type", "gemma"), "model_type 'gemma' is not one of");
        assertRefused(dir, "llama", c -> c.addProperty("num_key_value_heads", 3), "kvHeads 3 does not divide heads 4");
        assertRefused(dir, "llama", c -> c.addProperty("num_hidden_layers", 1), "does not have: [layers.1.");
        assertRefused(dir, "qwen2", c -> c.addProperty("intermediate_size", 48), "mlp.gate_proj.weight has shape [64, 32] but config.json implies [48, 32]");
        Gpt classic = new Gpt(TransformerConfig.tiny(11), new Rng(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HuggingFaceLlama.save(dir.resolve("gpt2"), classic));
        assertTrue(e.getMessage().contains("cannot hold layer norms, a feed-forward other than SwiGLU, learned positions"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("gpt2")));
    }

    private static void assertRefused(Path dir, String name, java.util.function.Consumer<JsonObject> change, String message)
            throws Exception {
        Path copy = dir.resolve(name + "-" + Math.abs(message.hashCode()));
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(fixture(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        JsonObject config = JsonParser.parseString(Files.readString(copy.resolve("config.json"))).getAsJsonObject();
        change.accept(config);
        Files.writeString(copy.resolve("config.json"), config.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceLlama.loadModel(copy));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("config.json") || e.getMessage().contains("safetensors"), e.getMessage());
    }

    private static void assertLogitsEqual(Gpt model, JsonObject expected, float tolerance, String what) {
        JsonArray shape = expected.getAsJsonArray("shape");
        IntTensor ids = IntTensor.wrap(ints(expected.getAsJsonArray("ids")), shape.get(0).getAsInt(), shape.get(1).getAsInt());
        float[] logits = model.evaluating(() -> model.forward(ids).toArray());
        JsonArray reference = expected.getAsJsonArray("logits");
        assertEquals(reference.size(), logits.length, what);
        float worst = 0;
        for (int i = 0; i < logits.length; i++) {
            worst = Math.max(worst, Math.abs(logits[i] - reference.get(i).getAsFloat()));
        }
        assertTrue(worst <= tolerance, what + ": largest logit difference " + worst);
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
