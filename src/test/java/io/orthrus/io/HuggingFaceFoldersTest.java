package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.infer.FillMask;
import io.orthrus.model.Bert;
import io.orthrus.model.Gpt;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.WordPiece;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face folders as {@code transformers} 5 saves them: {@code src/test/resources/hf/bert-pretraining},
 * {@code bert-model}, {@code bert-untied}, {@code gpt2-sharded} and {@code config_fields.json}, written by
 * {@code src/test/python/make_hf_folder_fixtures.py} with the real classes and their eval-mode outputs.
 */
class HuggingFaceFoldersTest {
    /** Float32 outputs of two implementations, rounded to 6 decimals in the reference. */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(HuggingFaceFoldersTest.class.getResource("/hf/" + name + "/config.json").toURI()).getParent();
    }

    private static JsonObject reference(Path folder) throws Exception {
        return JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
    }

    /** The matrix of ids {@code (B, T)} under {@code field} of a reference file (shared by the parity tests of this package). */
    static IntTensor matrix(JsonObject json, String field) {
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

    /** Largest difference to the reference outputs over the positions the attention mask keeps (all when null). */
    private static double worstDifference(JsonObject reference, float[] actual, IntTensor mask) {
        JsonArray expected = reference.getAsJsonArray("outputs");
        assertEquals(expected.size(), actual.length, "output size");
        int perPosition = actual.length / matrix(reference, "ids").numel();
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            if (mask == null || mask.data()[i / perPosition] == 1) {
                worst = Math.max(worst, Math.abs(expected.get(i).getAsDouble() - actual[i]));
            }
        }
        return worst;
    }

    private static float[] mlmLogits(Bert model, JsonObject reference) {
        try (var g = NoGrad.enter()) { // no eval() here: the loader must return the model in evaluation mode
            return model.mlmLogits(model.encode(matrix(reference, "ids"), matrix(reference, "token_types"),
                    matrix(reference, "attention_mask"))).toArray();
        }
    }

    private static void assertTokenizerMatches(WordPiece tokenizer, JsonObject reference) {
        JsonArray texts = reference.getAsJsonArray("texts"), ids = reference.getAsJsonArray("text_ids");
        for (int i = 0; i < texts.size(); i++) {
            int[] expected = ids.get(i).getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
            assertArrayEquals(expected, tokenizer.encode(texts.get(i).getAsString()), texts.get(i).getAsString());
        }
    }

    private Path copy(Path folder) throws Exception {
        Path target = dir.resolve(folder.getFileName().toString() + "-" + System.nanoTime());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private static void editConfig(Path folder, String field, JsonElement value) throws Exception {
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
        config.add(field, value);
        Files.writeString(folder.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void bertForPreTrainingLoadsInEvaluationModeIgnoringTheNextSentenceHeadWithItsCasedTokenizer() throws Exception {
        Path folder = fixture("bert-pretraining");
        assertTrue(Safetensors.read(folder.resolve("model.safetensors")).tensors().containsKey("cls.seq_relationship.weight"));
        assertFalse(Files.exists(folder.resolve("vocab.txt")), "transformers 5 writes tokenizer.json only");
        BertCheckpoint loaded = HuggingFaceBert.load(folder);
        assertFalse(loaded.model().isTraining(), "loaded in evaluation mode");
        assertTrue(loaded.model().hasMaskedLmHead());
        JsonObject reference = reference(folder);
        double worst = worstDifference(reference, mlmLogits(loaded.model(), reference), matrix(reference, "attention_mask"));
        assertTrue(worst < TOLERANCE, "largest logit difference " + worst);
        assertFalse(loaded.tokenizer().lowerCase(), "do_lower_case false in the saved tokenizer");
        assertTokenizerMatches(loaded.tokenizer(), reference);
    }

    @Test
    void aBertModelFolderLoadsTheEncoderAndFillMaskRefusesIt() throws Exception {
        Path folder = fixture("bert-model");
        BertCheckpoint loaded = HuggingFaceBert.load(folder);
        Bert model = loaded.model();
        assertFalse(model.hasMaskedLmHead());
        JsonObject reference = reference(folder);
        IntTensor mask = matrix(reference, "attention_mask");
        float[] hidden;
        try (var g = NoGrad.enter()) {
            hidden = model.encode(matrix(reference, "ids"), matrix(reference, "token_types"), mask).toArray();
        }
        double worst = worstDifference(reference, hidden, mask);
        assertTrue(worst < TOLERANCE, "largest hidden-state difference " + worst);
        assertFalse(loaded.tokenizer().lowerCase(), "do_lower_case false in tokenizer_config.json");
        assertTokenizerMatches(loaded.tokenizer(), reference);
        var e = assertThrows(IllegalStateException.class, () -> new FillMask(model, loaded.tokenizer()));
        assertTrue(e.getMessage().contains("masked-LM head"), e.getMessage());
    }

    @Test
    void anUntiedBertDecoderIsReadAndWrittenBack() throws Exception {
        Path folder = fixture("bert-untied");
        Bert model = HuggingFaceBert.load(folder).model();
        assertFalse(model.config().tiedEmbeddings());
        JsonObject reference = reference(folder);
        double worst = worstDifference(reference, mlmLogits(model, reference), matrix(reference, "attention_mask"));
        assertTrue(worst < TOLERANCE, "largest logit difference " + worst);
        Path out = dir.resolve("untied-out");
        HuggingFaceBert.save(out, model, null);
        assertTrue(Safetensors.read(out.resolve("model.safetensors")).tensors().containsKey("cls.predictions.decoder.weight"));
        Bert again = HuggingFaceBert.load(out).model();
        assertArrayEquals(mlmLogits(model, reference), mlmLogits(again, reference), 0f);
    }

    @Test
    void aShardedGpt2WithAnUntiedHeadLoadsAndSavesBack() throws Exception {
        Path folder = fixture("gpt2-sharded");
        assertFalse(Files.exists(folder.resolve("model.safetensors")));
        Gpt model = HuggingFaceGpt2.load(folder).model();
        assertFalse(model.isTraining(), "loaded in evaluation mode");
        JsonObject reference = reference(folder);
        float[] logits;
        try (var g = NoGrad.enter()) {
            logits = model.forward(matrix(reference, "ids")).toArray();
        }
        double worst = worstDifference(reference, logits, null);
        assertTrue(worst < TOLERANCE, "largest logit difference " + worst);
        Path out = dir.resolve("gpt2-out");
        HuggingFaceGpt2.save(out, model, null);
        assertTrue(Safetensors.read(out.resolve("model.safetensors")).tensors().containsKey("lm_head.weight"));
        try (var g = NoGrad.enter()) {
            assertArrayEquals(logits, HuggingFaceGpt2.load(out).model().forward(matrix(reference, "ids")).toArray(), 0f);
        }
    }

    @Test
    void shardsMustHoldWhatTheIndexSaysAndStayInTheFolder() throws Exception {
        Path folder = copy(fixture("gpt2-sharded"));
        Path index = folder.resolve("model.safetensors.index.json");
        String original = Files.readString(index);
        JsonObject json = JsonParser.parseString(original).getAsJsonObject();
        JsonObject map = json.getAsJsonObject("weight_map");
        String name = map.keySet().iterator().next(), shard = map.get(name).getAsString();
        String other = map.entrySet().stream().map(e -> e.getValue().getAsString()).filter(s -> !s.equals(shard))
                .findFirst().orElseThrow();
        map.addProperty(name, other);
        Files.writeString(index, json.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(folder));
        assertTrue(e.getMessage().contains(name), e.getMessage());

        map.addProperty(name, "../" + shard);
        Files.writeString(index, json.toString());
        e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceGpt2.load(folder));
        assertTrue(e.getMessage().contains("not a file name in the folder"), e.getMessage());
    }

    @Test
    void aPickleOnlyFolderIsRefusedWithHowToConvertIt() throws Exception {
        Path folder = dir.resolve("pickle");
        Files.createDirectories(folder);
        Files.copy(fixture("bert-untied").resolve("config.json"), folder.resolve("config.json"));
        Files.write(folder.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceBert.load(folder));
        assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("pickle")
                && e.getMessage().contains("save_pretrained"), e.getMessage());
    }

    @Test
    void everyConfigFieldTransformersWritesIsKnownAndOptionsNotImplementedAreRefusedByName() throws Exception {
        JsonObject fields = JsonParser.parseString(Files.readString(fixture("bert-model").getParent()
                .resolve("config_fields.json"))).getAsJsonObject();
        Set<String> unknownBert = new TreeSet<>(fields.getAsJsonObject("bert").keySet());
        unknownBert.removeAll(HuggingFaceBert.knownConfigFields());
        assertEquals(Set.of(), unknownBert, "BertConfig fields the loader does not classify");
        Set<String> unknownGpt2 = new TreeSet<>(fields.getAsJsonObject("gpt2").keySet());
        unknownGpt2.removeAll(HuggingFaceGpt2.knownConfigFields());
        assertEquals(Set.of(), unknownGpt2, "GPT2Config fields the loader does not classify");

        assertEachRefusedByName("gpt2-sharded", HuggingFaceGpt2::load, Map.of("scale_attn_weights", "false",
                "scale_attn_by_inverse_layer_idx", "true", "add_cross_attention", "true", "activation_function", "\"swish\""));
        assertEachRefusedByName("bert-untied", HuggingFaceBert::load, Map.of("is_decoder", "true", "add_cross_attention",
                "true", "position_embedding_type", "\"relative_key\"", "type_vocab_size", "3", "chunk_size_feed_forward",
                "4", "tie_word_embeddings", "\"no\""));
    }

    /** What loads a folder. */
    private interface Loader {
        void load(Path folder) throws Exception;
    }

    /** Each field of {@code options} set to its value (JSON) in a copy of fixture {@code name} makes {@code loader} refuse, naming it. */
    private void assertEachRefusedByName(String name, Loader loader, Map<String, String> options) throws Exception {
        for (Map.Entry<String, String> option : options.entrySet()) {
            Path folder = copy(fixture(name));
            editConfig(folder, option.getKey(), JsonParser.parseString(option.getValue()));
            var e = assertThrows(IllegalArgumentException.class, () -> loader.load(folder), option.getKey());
            assertTrue(e.getMessage().contains(option.getKey()), e.getMessage());
        }
    }

    @Test
    void weightsThatAreNotFiniteAreRefusedNamingTheTensor() throws Exception {
        Path folder = copy(fixture("bert-untied"));
        Map<String, Tensor> weights = new LinkedHashMap<>(Safetensors.read(folder.resolve("model.safetensors")).tensors());
        Tensor poisoned = weights.get("bert.encoder.layer.1.output.dense.bias").detach();
        float[] values = poisoned.toArray();
        values[3] = Float.NaN;
        weights.put("bert.encoder.layer.1.output.dense.bias", Tensor.of(values, values.length));
        Safetensors.write(folder.resolve("model.safetensors"), weights, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceBert.load(folder));
        assertTrue(e.getMessage().contains("stack.blocks.1.ff.down.bias") && e.getMessage().contains("NaN"),
                e.getMessage());
    }
}
