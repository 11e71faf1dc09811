package io.orthrus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.LabeledText;
import io.orthrus.io.BertCheckpoint;
import io.orthrus.model.Bert;
import io.orthrus.model.BertClassifier;
import io.orthrus.model.CopyTask;
import io.orthrus.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
    /** Label 1: the second half copies the first; label 0: one word of the second half differs. */
    static List<LabeledText> copyOrNot(int n, Rng rng) {
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] half = new String[4];
            for (int w = 0; w < 4; w++) {
                half[w] = CopyTask.WORDS.get(rng.nextInt(CopyTask.WORDS.size()));
            }
            String[] second = half.clone();
            int label = i % 2;
            if (label == 0) {
                int w = rng.nextInt(4);
                String other;
                do {
                    other = CopyTask.WORDS.get(rng.nextInt(CopyTask.WORDS.size()));
                } while (other.equals(half[w]));
                second[w] = other;
            }
            out.add(new LabeledText(String.join(" ", half) + " | " + String.join(" ", second), label));
        }
        return out;
    }

    private static FineTuner.Result fineTune(Bert encoder, long seed) {
        Rng rng = new Rng(seed);
        BertClassifier classifier = new BertClassifier(encoder, 2, rng.split());
        FineTuner tuner = new FineTuner(CopyTask.TOKENIZER, 16, 16,
                TrainingOptions.nanoGpt(300).withLearningRate(5e-4, 5e-5), seed);
        return tuner.fit(classifier, copyOrNot(200, new Rng(100)), copyOrNot(400, new Rng(200)));
    }

    @Test
    void maskedLmPretrainingHelpsWithFewLabels(@TempDir Path dir) throws IOException {
        BertCheckpoint.save(dir.resolve("mlm"), CopyTask.train(5).model(), CopyTask.TOKENIZER);
        FineTuner.Result pretrained = fineTune(BertCheckpoint.load(dir.resolve("mlm")).model(), 9);
        FineTuner.Result scratch = fineTune(new Bert(CopyTask.config(), new Rng(5)), 9);
        // Chance is 0.5. With 200 labels the model trained from scratch stays near chance (it fits the training set
        // without learning to compare the halves); the MLM-pretrained one already attends from each word to its partner.
        assertTrue(pretrained.validationAccuracy() > 0.75, "pretrained: " + pretrained.validationAccuracy());
        assertTrue(pretrained.validationAccuracy() > scratch.validationAccuracy() + 0.2,
                pretrained.validationAccuracy() + " vs scratch " + scratch.validationAccuracy());
    }

    @Test
    void labelsOutsideTheClassesAreRejected() {
        BertClassifier classifier = new BertClassifier(new Bert(CopyTask.config(), new Rng(1)), 2, new Rng(2));
        FineTuner tuner = new FineTuner(CopyTask.TOKENIZER, 16, 4, TrainingOptions.nanoGpt(1), 1);
        List<LabeledText> bad = List.of(new LabeledText("ant bee", 0), new LabeledText("cat dog", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tuner.fit(classifier, bad, bad));
        assertTrue(e.getMessage().contains("example 1 has label 2"), e.getMessage());
        assertEquals(0.5, tuner.accuracy(classifier, List.of(new LabeledText("ant", 0), new LabeledText("ant", 1))));
    }
}
