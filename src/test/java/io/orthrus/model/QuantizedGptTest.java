package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TextDataset;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.infer.Scorer;
import io.orthrus.nn.KvCache;
import io.orthrus.nn.Quantization;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.QuantizedMatrix;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A Llama-shaped GPT under bfloat16 and int8 weights: logits close to float32, both product paths agree, perplexity kept. */
class QuantizedGptTest {
    private static Gpt model(int vocab, long seed) {
        TransformerConfig c = TransformerConfig.llama(vocab, 64, 64, 4, 2, 2, 128, 10_000, 1e-5f); // tied head
        Gpt model = new Gpt(c, new Rng(seed));
        model.eval();
        return model;
    }

    private static IntTensor ids(int vocab, int n) {
        int[] ids = new int[n];
        Rng rng = new Rng(4);
        for (int i = 0; i < n; i++) {
            ids[i] = rng.nextInt(vocab);
        }
        return IntTensor.wrap(ids, 1, n);
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float maxAbs(float[] a) {
        float max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    @Test
    void logitsStayCloseToFloat32AndTheTiedHeadIsQuantizedToo() {
        Gpt model = model(50, 1);
        IntTensor ids = ids(50, 20);
        float[] exact;
        try (var g = NoGrad.enter()) {
            exact = model.forward(ids).toArray();
        }
        for (Quantization q : new Quantization[] {Quantization.bf16(model), Quantization.int8(model), Quantization.int8(model, 64)}) {
            float[] approx = q.apply(() -> model.forward(ids).toArray());
            float error = maxDifference(exact, approx) / maxAbs(exact);
            assertTrue(error < (q.format() == QuantizedMatrix.Format.BF16 ? 0.01 : 0.03), q.format() + " " + q.group()
                    + ": relative error " + error);
            assertTrue(error > 0, "the quantized weights were used");
            assertNotNull(q.of(model.tokenEmbedding()), "the tied head");
        }
        Quantization int8 = Quantization.int8(model);
        assertTrue(int8.bytes() < model.parameterCount() * 1.3, int8.bytes() + " bytes for " + model.parameterCount());
    }

    @Test
    void decodingStepsAndWholeSequencesAgree() {
        Gpt model = model(50, 2);
        IntTensor ids = ids(50, 12);
        Quantization q = Quantization.int8(model);
        float[] whole = q.apply(() -> model.forward(ids).toArray()); // 12 rows: blocks of widened weights, the GEMM
        float[] steps = q.apply(() -> { // one row at a time: the int8 kernel
            KvCache cache = model.newCache();
            float[] out = new float[whole.length];
            for (int t = 0; t < 12; t++) {
                Tensor logits = model.forward(IntTensor.wrap(new int[] {ids.data()[t]}, 1, 1), cache);
                System.arraycopy(logits.toArray(), 0, out, t * 50, 50);
            }
            return out;
        });
        assertTrue(maxDifference(whole, steps) < 1e-4f * maxAbs(whole), "difference " + maxDifference(whole, steps));
    }

    @Test
    void int8MovesTheHeldOutPerplexityOfATrainedModelByUnderOnePercent() {
        Grammar grammar = Grammar.english();
        String corpus = grammar.text(600, new Rng(1));
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(corpus);
        TransformerConfig c = TransformerConfig.llama(tokenizer.vocabSize(), 64, 64, 4, 2, 2, 128, 10_000, 1e-5f);
        Gpt model = new Gpt(c, new Rng(3));
        TextDataset data = TextDataset.of(corpus, tokenizer, 0.9);
        Rng rng = new Rng(5);
        new Trainer<>(model, CausalLm.leftToRight(), new TrainingOptions(150, 3e-3, 3e-4, 20, 0.0, 0.9, 0.99, 1.0, 1, 0, 8))
                .fit(data.trainWindows(33, 8, rng), data.validationWindows(33, 8, rng.split()));
        model.eval();
        String heldOut = grammar.text(20, new Rng(99));
        double exact = Scorer.logLikelihood(model, tokenizer, heldOut).perplexity();
        double int8 = Quantization.int8(model).apply(() -> Scorer.logLikelihood(model, tokenizer, heldOut)).perplexity();
        double bf16 = Quantization.bf16(model).apply(() -> Scorer.logLikelihood(model, tokenizer, heldOut)).perplexity();
        assertTrue(exact < 5, "the model learned: perplexity " + exact);
        assertEquals(exact, int8, 0.01 * exact, "int8");
        assertEquals(exact, bf16, 0.01 * exact, "bf16");
        String text = Quantization.int8(model).apply(() -> new Generator(model, tokenizer).generate("the ",
                GenerationConfig.greedy(30)));
        assertEquals(30, text.length());
    }

    @Test
    void aQuantizedWeightHasNoGradient() {
        Gpt model = model(50, 3);
        Quantization q = Quantization.int8(model);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.tokenEmbedding().linear(q.of(model.tokenEmbedding()), null));
        assertTrue(e.getMessage().contains("inside NoGrad"), e.getMessage());
    }
}
