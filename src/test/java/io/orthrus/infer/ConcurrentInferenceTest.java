package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Inference is safe on a model shared by threads, and never changes the model's mode. */
class ConcurrentInferenceTest {
    private static final int THREADS = 8;
    private static final int GENERATIONS_PER_THREAD = 50;
    private static final int VOCABULARY = 40;

    @Test
    void eightThreadsGenerateAsOneDoesFromAModelInTrainingModeWithDropout() throws Exception {
        Gpt model = new Gpt(TransformerConfig.tiny(VOCABULARY).withDropout(0.3f).withContextLength(32), new Rng(5));
        model.train();
        int total = THREADS * GENERATIONS_PER_THREAD;
        int[][] sequential = new int[total][];
        Generator generator = new Generator(model, null);
        for (int i = 0; i < total; i++) {
            sequential[i] = generate(generator, i);
        }
        assertTrue(model.isTraining(), "sequential inference left the model in training mode");

        int[][] concurrent = new int[total][];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int g = 0; g < GENERATIONS_PER_THREAD; g++) {
                        int i = thread * GENERATIONS_PER_THREAD + g;
                        concurrent[i] = generate(generator, i);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < total; i++) {
            assertArrayEquals(sequential[i], concurrent[i], "generation " + i);
        }
        assertTrue(model.isTraining(), "concurrent inference left the model in training mode");
    }

    @Test
    void inferenceOnOneThreadLeavesDropoutOnForATrainingThread() throws Exception {
        Gpt model = new Gpt(TransformerConfig.tiny(VOCABULARY).withDropout(0.3f).withContextLength(32), new Rng(5));
        model.train();
        boolean[] seenTraining = new boolean[1];
        model.evaluating(() -> {
            Thread other = new Thread(() -> seenTraining[0] = model.isTraining());
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        assertTrue(seenTraining[0], "another thread saw evaluation mode while this one ran inference");
    }

    private static int[] generate(Generator generator, int i) {
        int[] prompt = {i % VOCABULARY, (7 * i + 3) % VOCABULARY};
        return generator.generate(prompt, GenerationConfig.sampling(12, 1f, 1000 + i), id -> { });
    }
}
