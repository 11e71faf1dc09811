package io.orthrus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TextDataset;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's GPT example, verbatim: train on a string, save, load, generate. */
class ReadmeGptExampleTest {
    @TempDir
    Path dir;

    @Test
    void trainSaveLoadGenerate() throws Exception {
        Path checkpoint = dir.resolve("tiny-gpt");
        String text = "to be or not to be, that is the question. ".repeat(50);
        var tokenizer = CharTokenizer.fromCorpus(text);
        var data = TextDataset.of(text, tokenizer, 0.9);
        var gpt = new Gpt(TransformerConfig.tiny(tokenizer.vocabSize()), new Rng(1));
        var trainer = new Trainer<>(gpt, CausalLm.leftToRight(), TrainingOptions.nanoGpt(200).withLearningRate(3e-3, 3e-4));
        var result = trainer.fit(data.trainWindows(33, 8, new Rng(2)), data.validationWindows(33, 8, new Rng(3)));
        GptCheckpoint.save(checkpoint, gpt, tokenizer);
        var loaded = GptCheckpoint.load(checkpoint);
        String next = new Generator(loaded.model(), loaded.tokenizer()).generate("to be or ", GenerationConfig.greedy(20));

        assertTrue(result.validationLoss() < 0.3, "validation loss " + result.validationLoss());
        assertEquals("not to be, that is t", next);
    }
}
