package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptCheckpointTest {
    @TempDir
    Path dir;

    private final CharTokenizer tokenizer = CharTokenizer.fromCorpus("abcdefghij .,");

    private Gpt model(TransformerConfig.PositionalEncoding positions, Direction direction) {
        return new Gpt(TransformerConfig.tiny(tokenizer.vocabSize()).withPositions(positions).withBias(true), direction,
                new Rng(4));
    }

    @Test
    void aReloadedModelGivesBitIdenticalLogits() throws IOException {
        for (TransformerConfig.PositionalEncoding positions : TransformerConfig.PositionalEncoding.values()) {
            Gpt original = model(positions, Direction.RIGHT_TO_LEFT);
            Path path = dir.resolve("ckpt-" + positions);
            GptCheckpoint.save(path, original, tokenizer);
            GptCheckpoint loaded = GptCheckpoint.load(path);
            assertEquals(original.config(), loaded.model().config());
            assertEquals(Direction.RIGHT_TO_LEFT, loaded.model().direction());
            assertEquals(tokenizer, loaded.tokenizer());
            IntTensor ids = IntTensor.of(tokenizer.encode("abc, def. gh"), 1, 12);
            try (var g = NoGrad.enter()) {
                assertArrayEquals(original.forward(ids).toArray(), loaded.model().forward(ids).toArray(), 0f);
            }
        }
    }

    @Test
    void weightsThatAreNotFiniteAreNeitherSavedNorLoadedAndALoadedModelIsInEvaluationMode() throws IOException {
        Path path = dir.resolve("ckpt");
        Gpt gpt = model(TransformerConfig.PositionalEncoding.LEARNED, Direction.LEFT_TO_RIGHT);
        GptCheckpoint.save(path, gpt, tokenizer);
        assertFalse(GptCheckpoint.load(path).model().isTraining(), "a loaded model is in evaluation mode");

        gpt.namedParameters().get("stack.blocks.1.ff.up.weight").data()[5] = Float.POSITIVE_INFINITY;
        var e = assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.save(dir.resolve("bad"), gpt, tokenizer));
        assertTrue(e.getMessage().contains("stack.blocks.1.ff.up.weight") && e.getMessage().contains("Infinity"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("bad")), "nothing written");

        var weights = new java.util.LinkedHashMap<>(Safetensors.read(path.resolve("model.safetensors")).tensors());
        float[] values = weights.get("wte.weight").toArray();
        values[0] = Float.NaN;
        weights.put("wte.weight", io.orthrus.tensor.Tensor.of(values, weights.get("wte.weight").shape()));
        Safetensors.write(path.resolve("model.safetensors"), weights, java.util.Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.load(path));
        assertTrue(e.getMessage().contains("wte.weight") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void aConfigThatDoesNotMatchTheWeightsIsRejected() throws IOException {
        Path path = dir.resolve("ckpt");
        GptCheckpoint.save(path, model(TransformerConfig.PositionalEncoding.LEARNED, Direction.LEFT_TO_RIGHT), tokenizer);
        Path config = path.resolve(Checkpoints.CONFIG);
        String json = Files.readString(config, StandardCharsets.UTF_8);
        Files.writeString(config, json.replace("\"layers\":2", "\"layers\":3"), StandardCharsets.UTF_8);
        var e = assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.load(path));
        assertTrue(e.getMessage().contains("does not match config.json") && e.getMessage().contains("stack.blocks.2"),
                e.getMessage());
        Files.writeString(config, json.replace("\"width\":32", "\"width\":33"), StandardCharsets.UTF_8);
        var heads = assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.load(path));
        assertTrue(heads.getMessage().contains("divisible"), heads.getMessage());
        Files.writeString(config, json.replace("\"positions\":\"learned\"", "\"positions\":\"wavy\""), StandardCharsets.UTF_8);
        var unknown = assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.load(path));
        assertTrue(unknown.getMessage().contains("'wavy'"), unknown.getMessage());
    }

    @Test
    void aFailedSaveLeavesNothingBehindAndKeepsTheOldCheckpoint() throws IOException {
        Path path = dir.resolve("ckpt");
        Gpt gpt = model(TransformerConfig.PositionalEncoding.LEARNED, Direction.LEFT_TO_RIGHT);
        GptCheckpoint.save(path, gpt, tokenizer);
        CharTokenizer wrong = CharTokenizer.fromCorpus("ab");
        assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.save(path, gpt, wrong));
        assertThrows(IllegalArgumentException.class, () -> GptCheckpoint.save(dir.resolve("other"), gpt, wrong));
        assertFalse(Files.exists(dir.resolve("other")));
        GptCheckpoint.save(path, gpt, tokenizer); // overwriting a checkpoint replaces it whole
        try (var entries = Files.list(dir)) {
            assertEquals(1, entries.count(), "temporary directories were left behind");
        }
        assertEquals(gpt.config(), GptCheckpoint.load(path).model().config());
    }
}
