package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Lora;
import io.orthrus.nn.LoraConfig;
import io.orthrus.nn.Parameter;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PEFT's adapter folders in and out. In: adapters made by the real peft library
 * ({@code src/test/python/make_peft_fixtures.py}: a Llama with rsLoRA on q, v, o and down, a Qwen2 on all seven
 * projections, a GPT-2 on c_attn and c_proj, B drawn at random) give PeftModel's logits within 1e-4. Out: adapters
 * written here ({@link #main}) load in {@code PeftModel.from_pretrained} with the logits Orthrus gives.
 */
class PeftAdapterTest {
    @TempDir
    Path dir;

    /** The test resource folder {@code path}, found by the file {@code marker} in it. */
    private static Path resource(String path, String marker) throws URISyntaxException {
        return Path.of(PeftAdapterTest.class.getResource("/" + path + "/" + marker).toURI()).getParent();
    }

    private static Path adapter(String path) throws URISyntaxException {
        return resource(path, PeftAdapter.CONFIG);
    }

    private static Gpt base(String folder) throws IOException, URISyntaxException {
        Path path = resource(folder, "config.json");
        return folder.startsWith("hf/") ? HuggingFaceGpt2.load(path).model() : HuggingFaceLlama.loadModel(path);
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** The model's logits for the fixture's ids, against the fixture's logits. */
    private static void assertLogits(Gpt model, JsonObject expected, String what) {
        JsonArray idArray = expected.getAsJsonArray("ids"), shape = expected.getAsJsonArray("shape");
        int[] ids = new int[idArray.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = idArray.get(i).getAsInt();
        }
        float[] logits;
        try (var g = NoGrad.enter()) {
            logits = model.forward(IntTensor.of(ids, shape.get(0).getAsInt(), shape.get(1).getAsInt())).toArray();
        }
        JsonArray reference = expected.getAsJsonArray("logits");
        assertEquals(reference.size(), logits.length);
        float worst = 0;
        for (int i = 0; i < logits.length; i++) {
            worst = Math.max(worst, Math.abs(logits[i] - reference.get(i).getAsFloat()));
        }
        assertTrue(worst < 1e-4, what + ": logits differ by " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "gpt2"})
    void anAdapterMadeByPeftGivesPeftsLogits(String name) throws Exception {
        Path folder = adapter("peft/" + name + "/adapter");
        JsonObject expected = json(folder.getParent().resolve("expected.json"));
        Gpt model = base(expected.get("base").getAsString());
        float[] before = model.tokenEmbedding().toArray();
        Lora lora = PeftAdapter.load(folder, model);
        assertEquals(Lora.DEFAULT, lora.active());
        assertLogits(model, expected, name);
        assertArrayEquals(before, model.tokenEmbedding().toArray(), 0f);
        // Written back, the same files: same names, shapes and values, and the settings PEFT reads.
        PeftAdapter.save(dir.resolve(name), model, lora, Lora.DEFAULT, "base");
        Map<String, io.orthrus.tensor.Tensor> original = Safetensors.read(folder.resolve(PeftAdapter.WEIGHTS)).tensors();
        Map<String, io.orthrus.tensor.Tensor> written = Safetensors.read(dir.resolve(name).resolve(PeftAdapter.WEIGHTS))
                .tensors();
        assertEquals(new java.util.TreeSet<>(original.keySet()), new java.util.TreeSet<>(written.keySet()));
        original.forEach((key, t) -> assertArrayEquals(t.data(), written.get(key).data(), 0f, key));
        JsonObject config = json(dir.resolve(name).resolve(PeftAdapter.CONFIG)), peft = json(folder.resolve(PeftAdapter.CONFIG));
        for (String field : new String[] {"r", "lora_alpha"}) {
            assertEquals(peft.get(field).getAsDouble(), config.get(field).getAsDouble(), field);
        }
        for (String field : new String[] {"use_rslora", "fan_in_fan_out"}) {
            assertEquals(peft.get(field).getAsBoolean(), config.get(field).getAsBoolean(), field);
        }
        assertEquals(names(peft.getAsJsonArray("target_modules")), names(config.getAsJsonArray("target_modules")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void anAdapterWrittenHereGivesTheSameLogitsInPeft(String name) throws Exception {
        Path folder = adapter("peft-written/" + name + "/adapter");
        Gpt model = base(name.equals("gpt2") ? "hf/gpt2-tiny" : "llama/llama");
        PeftAdapter.load(folder, model);
        assertLogits(model, json(folder.getParent().resolve("reference.json")), name + " in PEFT");
    }

    @Test
    void badAdaptersAreRefusedBeforeTheModelChanges() throws Exception {
        Path source = adapter("peft/llama/adapter");
        Gpt model = base("llama/llama");
        long trainable = model.trainableParameterCount();
        copy(source, dir.resolve("rank"));
        edit(dir.resolve("rank"), "\"r\": 4", "\"r\": 5");
        var rank = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.load(dir.resolve("rank"), model));
        assertTrue(rank.getMessage().contains("q_proj.lora_A.weight has shape [4, 32], but the base model's layer needs [5, 32]"),
                rank.getMessage());
        copy(source, dir.resolve("target"));
        edit(dir.resolve("target"), "\"q_proj\"", "\"query_key_value\"");
        var target = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.load(dir.resolve("target"), model));
        assertTrue(target.getMessage().contains("target_modules: Lora: target 'query_key_value' matches no linear layer"),
                target.getMessage());
        copy(source, dir.resolve("dora"));
        edit(dir.resolve("dora"), "\"use_dora\": false", "\"use_dora\": true");
        var dora = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.load(dir.resolve("dora"), model));
        assertTrue(dora.getMessage().contains("use_dora"), dora.getMessage());
        copy(source, dir.resolve("regex"));
        JsonObject regexConfig = json(dir.resolve("regex").resolve(PeftAdapter.CONFIG));
        regexConfig.addProperty("target_modules", ".*proj");
        Files.writeString(dir.resolve("regex").resolve(PeftAdapter.CONFIG), regexConfig.toString());
        var regex = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.load(dir.resolve("regex"), model));
        assertTrue(regex.getMessage().contains("a regular expression, '.*proj', is not implemented"), regex.getMessage());
        copy(source, dir.resolve("unknown"));
        edit(dir.resolve("unknown"), "\"use_dora\": false", "\"use_dora\": false, \"use_fancy_lora\": true");
        var unknown = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.load(dir.resolve("unknown"), model));
        assertTrue(unknown.getMessage().endsWith("adapter_config.json: field 'use_fancy_lora' is true, a setting Orthrus"
                + " does not know; it may change what the adapter does"), unknown.getMessage());
        Gpt otherBase = base("llama/mistral"); // one key/value head where the Qwen2 has two
        var shapes = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapter.load(adapter("peft/qwen2/adapter"), otherBase));
        assertTrue(shapes.getMessage().contains("is the adapter made for another base model?"), shapes.getMessage());
        assertEquals(trainable, model.trainableParameterCount(), "nothing was attached or frozen");
        assertFalse(model.namedParameters().keySet().stream().anyMatch(k -> k.contains("lora_")));
        Lora fused = Lora.attach(model, LoraConfig.rank(2).withTargets("qkv"), new Rng(1));
        var whole = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapter.save(dir.resolve("fused"), model, fused, Lora.DEFAULT, null));
        assertTrue(whole.getMessage().contains("target them, not the fused stack.blocks.0.attn.qkv"), whole.getMessage());
        assertFalse(Files.exists(dir.resolve("fused")));
        Gpt gpt2 = base("hf/gpt2-tiny");
        Lora half = Lora.attach(gpt2, LoraConfig.rank(2).withTargets("ff.down"), new Rng(1)); // the MLP's c_proj only
        var ambiguous = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapter.save(dir.resolve("half"), gpt2, half, Lora.DEFAULT, null));
        assertTrue(ambiguous.getMessage().contains("target_modules [c_proj] would adapt 4 layers of this model where the"
                + " adapter has 2"), ambiguous.getMessage());
    }

    private static java.util.Set<String> names(JsonArray array) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        array.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String file : new String[] {PeftAdapter.CONFIG, PeftAdapter.WEIGHTS}) {
            Files.copy(from.resolve(file), to.resolve(file));
        }
    }

    private static void edit(Path folder, String from, String to) throws IOException {
        Path config = folder.resolve(PeftAdapter.CONFIG);
        String text = Files.readString(config);
        assertTrue(text.contains(from), from);
        Files.writeString(config, text.replace(from, to));
    }

    /**
     * Writes src/test/resources/peft-written: for the test Llama and GPT-2, an adapter attached here with random B;
     * then make_peft_fixtures.py --check-written adds PEFT's logits for them.
     */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/peft-written");
        write(root.resolve("llama"), HuggingFaceLlama.loadModel(Path.of("src/test/resources/llama/llama")),
                LoraConfig.rank(3).withAlpha(7).withTargets("q_proj", "k_proj", "gate_proj", "o_proj"));
        write(root.resolve("gpt2"), HuggingFaceGpt2.load(Path.of("src/test/resources/hf/gpt2-tiny")).model(),
                LoraConfig.rank(2).withAlpha(4).withTargets("c_attn", "c_fc"));
    }

    private static void write(Path folder, Gpt model, LoraConfig config) throws IOException {
        Lora lora = Lora.attach(model, config, new Rng(5));
        Rng rng = new Rng(6);
        for (Map.Entry<String, Parameter> e : lora.parameters(Lora.DEFAULT).entrySet()) {
            float[] v = e.getValue().data();
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getKey().endsWith(".B") ? 0.3f * (float) rng.nextGaussian() : v[i];
            }
        }
        PeftAdapter.save(folder.resolve("adapter"), model, lora, Lora.DEFAULT, "base");
    }
}
