package io.orthrus.tools;

import io.orthrus.data.TextDataset;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingListener;
import io.orthrus.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * One side of a {@link LockstepAb} run, loaded once per build under test: trains the GPT recipe
 * of {@code GptBench} and, after every step, records its time, hands the baton to the other side
 * and waits for it back. Its signature uses only JDK types, so that the two class loaders share
 * nothing of the library.
 */
public final class LockstepTrainer {
    private LockstepTrainer() {}

    /**
     * Trains {@code shape = {steps, layers, heads, width, context, batch}} on {@code corpus},
     * starting once {@code mine} is released; writes each step's milliseconds to {@code millis}.
     */
    public static void run(String corpus, int[] shape, Semaphore mine, Semaphore other, double[] millis)
            throws Exception {
        try {
            String text = Files.readString(Path.of(corpus));
            CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
            int steps = shape[0], width = shape[3], batch = shape[5];
            TransformerConfig config = TransformerConfig.nanoGptCpu(tokenizer.vocabSize()).withLayers(shape[1])
                    .withWidth(width, shape[2], 4 * width).withContextLength(shape[4]);
            TextDataset data = TextDataset.of(text, tokenizer, 0.9);
            Rng rng = new Rng(1337);
            Gpt model = new Gpt(config, rng.split());
            Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(),
                    TrainingOptions.nanoGpt(steps).withEvaluation(0, 1));
            int[] done = {0};
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(StepMetrics metrics) {
                    millis[done[0]++] = metrics.millis();
                    other.release();
                    mine.acquireUninterruptibly();
                }
            });
            mine.acquireUninterruptibly();
            int window = config.contextLength() + 1;
            trainer.fit(data.trainWindows(window, batch, rng.split()), data.validationWindows(window, batch, rng.split()));
        } finally {
            other.release(); // never leave the other side waiting, even on failure
        }
    }
}
