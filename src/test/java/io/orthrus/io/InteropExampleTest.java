package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.WindowSampler;
import io.orthrus.model.Gpt;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/interop.md: a Hugging Face GPT-2 in, fine-tuned, and out again. */
class InteropExampleTest {
    @TempDir
    Path dir;

    @Test
    void bringInFineTuneTakeOut() throws Exception {
        Path fixture = Path.of(InteropExampleTest.class.getResource("/hf/gpt2-tiny/config.json").toURI()).getParent();
        GptCheckpoint in = HuggingFaceGpt2.load(fixture);                // config + weights (+ tokenizer)
        Gpt gpt = in.model();
        int[] corpus = new int[4000];                                   // token ids; here a pattern the model must learn
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = (i * 7) % 64;
        }
        var options = TrainingOptions.nanoGpt(150).withLearningRate(3e-3, 3e-4).withEvaluation(0, 4);
        TrainingResult tuned = new Trainer<>(gpt, CausalLm.leftToRight(), options)
                .fit(WindowSampler.over(corpus, 16, 8, new Rng(1)), WindowSampler.over(corpus, 16, 8, new Rng(2)));
        HuggingFaceGpt2.save(dir.resolve("gpt2-tuned"), gpt, null);        // back to Hugging Face's layout
        Gpt back = HuggingFaceGpt2.load(dir.resolve("gpt2-tuned")).model(); // bit-identical logits

        assertTrue(tuned.validationLoss() < 0.5, "validation loss " + tuned.validationLoss());
        IntTensor ids = IntTensor.of(new int[] {0, 7, 14, 21, 28}, 1, 5);
        try (var g = NoGrad.enter()) {
            gpt.eval();
            back.eval();
            assertArrayEquals(gpt.forward(ids).toArray(), back.forward(ids).toArray(), 0f);
        }
    }
}
