package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.io.HuggingFaceGpt2;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Llama-family shapes on the models of the shared stack: they learn, train deterministically and save. */
class LlamaShapeTest {
    private static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus(GptTest.CORPUS);

    private static TransformerConfig decoder() {
        return TransformerConfig.tinyLlama(TOKENIZER.vocabSize()).withContextLength(16);
    }

    @Test
    void thePresetsHaveThePublishedModelsParameterCounts() {
        // The counts transformers reports for the published models (num_parameters()).
        assertEquals(134_515_008L, TransformerConfig.smolLm2_135m().parameterCount());
        assertEquals(361_821_120L, TransformerConfig.smolLm2_360m().parameterCount());
        assertEquals(494_032_768L, TransformerConfig.qwen25_05b().parameterCount());
        assertEquals(1_100_048_384L, TransformerConfig.tinyLlama_1_1b().parameterCount());
        assertEquals(1_235_814_400L, TransformerConfig.llama32_1b().parameterCount());
        assertEquals(64, TransformerConfig.smolLm2_135m().headSize());
        assertEquals(3, TransformerConfig.smolLm2_135m().kvHeads());
        // nanoGPT with Llama blocks: the same parameters but for the 64 × 128 learned positions.
        assertEquals(TransformerConfig.nanoGptCpu(65).parameterCount() - 64 * 128,
                TransformerConfig.nanoLlamaCpu(65).parameterCount());
    }

    @Test
    void aLlamaShapedGptLearnsTheRepeatedSentenceDeterministically() {
        List<Double> losses = new ArrayList<>();
        TrainingResult result = GptTest.train(new Gpt(decoder(), new Rng(5)), CausalLm.leftToRight(), TOKENIZER, 300,
                losses);
        assertTrue(losses.get(0) > 3.0, "initial loss " + losses.get(0));
        assertTrue(result.validationLoss() < 0.3, "validation loss " + result.validationLoss());
        List<Double> first = new ArrayList<>(), second = new ArrayList<>();
        GptTest.train(new Gpt(decoder(), new Rng(5)), CausalLm.leftToRight(), TOKENIZER, 30, first);
        GptTest.train(new Gpt(decoder(), new Rng(5)), CausalLm.leftToRight(), TOKENIZER, 30, second);
        assertEquals(first, second); // bit-identical for a fixed seed
    }

    @Test
    void aBertWithRmsNormSwiGluRotaryAndGroupedHeadsLearnsTheCopyTask() {
        TransformerConfig config = CopyTask.config().withWidth(64, 4, 128).withKeyValueHeads(2)
                .withNormalization(TransformerConfig.Normalization.RMS_NORM).withGatedFeedForward(true)
                .withActivation(io.orthrus.nn.Activation.Kind.SILU)
                .withPositions(TransformerConfig.PositionalEncoding.ROTARY);
        // Without positions the masked word is one of the other half's four: ln 4 ≈ 1.39 (also what rotary base
        // 500,000 reaches here, too slow a rotation for 16 positions of 16 channels a head).
        CopyTask.Trained trained = CopyTask.train(42, config);
        assertTrue(trained.result().validationLoss() < 0.6, "validation MLM loss " + trained.result().validationLoss());
    }

    @Test
    void aCheckpointKeepsEveryOptionAndOldCheckpointsStillLoad(@TempDir Path dir) throws Exception {
        TransformerConfig config = decoder().withQkvBias(true)
                .withRope(500_000, new TransformerConfig.RopeScaling(8, 1, 4, 8));
        Gpt model = new Gpt(config, new Rng(2));
        GptCheckpoint.save(dir.resolve("llama"), model, TOKENIZER);
        GptCheckpoint loaded = GptCheckpoint.load(dir.resolve("llama"));
        assertEquals(config, loaded.model().config());
        IntTensor ids = IntTensor.wrap(TOKENIZER.encode("the quick brown"), 1, 15);
        try (var g = NoGrad.enter()) {
            assertArrayEquals(model.forward(ids).toArray(), loaded.model().forward(ids).toArray(), 0f);
        }
        // A checkpoint written before the options existed has none of their fields: a classic model.
        Gpt classic = new Gpt(GptTest.config(TOKENIZER.vocabSize()), new Rng(3));
        GptCheckpoint.save(dir.resolve("classic"), classic, TOKENIZER);
        Path configFile = dir.resolve("classic").resolve("config.json");
        JsonObject json = JsonParser.parseString(Files.readString(configFile)).getAsJsonObject();
        for (String field : List.of("normalization", "gated_feed_forward", "kv_heads", "head_size", "rope_theta", "qkv_bias")) {
            json.remove(field);
        }
        Files.writeString(configFile, json.toString());
        assertEquals(classic.config(), GptCheckpoint.load(dir.resolve("classic")).model().config());
    }

    @Test
    void gpt2sLayoutRefusesWhatItCannotHold(@TempDir Path dir) {
        Gpt model = new Gpt(decoder().withPositions(TransformerConfig.PositionalEncoding.LEARNED).withBias(true), new Rng(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HuggingFaceGpt2.save(dir.resolve("out"), model, null));
        assertTrue(e.getMessage().contains("cannot hold RMS norm, a gated feed-forward, 2 key/value heads"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")), "nothing written");
    }
}
