package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.BatchSource;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.nn.Lstm;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.nn.ScalarMix;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BiLmTest {
    static final Grammar GRAMMAR = Grammar.english();
    static final WordPiece WORDS;

    static {
        List<String> vocabulary = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocabulary.addAll(GRAMMAR.vocabulary());
        WORDS = WordPiece.of(vocabulary, true); // one token per word of the grammar
    }

    @Test
    void lstmAndScalarMixPassGradientChecks() {
        Lstm lstm = new Lstm(3, 2, new Rng(1));
        Tensor x = Tensor.uniform(new Rng(2), -1f, 1f, 2, 4, 3).requiresGrad(true);
        List<Tensor> inputs = new ArrayList<>(lstm.parameters());
        inputs.add(x);
        GradCheck.Result r = GradCheck.checkInPlace(() -> lstm.forward(x).tanh().sum(), inputs.toArray(Tensor[]::new));
        assertTrue(r.passed(), "fused: " + r);
        r = GradCheck.checkInPlace(() -> lstm.forwardComposite(x).tanh().sum(), inputs.toArray(Tensor[]::new));
        assertTrue(r.passed(), "composite: " + r);
        ScalarMix mix = new ScalarMix(3);
        Tensor a = Tensor.uniform(new Rng(3), -1f, 1f, 2, 3).requiresGrad(true), b = Tensor.uniform(new Rng(4), -1f, 1f, 2, 3).requiresGrad(true),
                c = Tensor.uniform(new Rng(5), -1f, 1f, 2, 3).requiresGrad(true);
        try (var g = NoGrad.enter()) {
            assertArrayEquals(a.add(b).add(c).mul(1f / 3).toArray(), mix.forward(List.of(a, b, c)).toArray(), 1e-6f,
                    "starts as the average");
        }
        List<Tensor> mixInputs = new ArrayList<>(mix.parameters());
        mixInputs.addAll(List.of(a, b, c));
        r = GradCheck.checkInPlace(() -> mix.forward(List.of(a, b, c)).mul(a).sum(), mixInputs.toArray(Tensor[]::new));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void fusedLstmMatchesTheCompositeOneInValuesAndGradients() {
        Lstm lstm = new Lstm(5, 7, new Rng(4));
        Tensor x = Tensor.uniform(new Rng(5), -2f, 2f, 3, 9, 5).requiresGrad(true);
        Tensor weights = Tensor.uniform(new Rng(6), -1f, 1f, 3, 9, 7);
        List<float[]> gradients = new ArrayList<>();
        List<float[]> outputs = new ArrayList<>();
        for (boolean fused : new boolean[] {true, false}) {
            lstm.zeroGrad();
            x.zeroGrad();
            Tensor y = fused ? lstm.forward(x) : lstm.forwardComposite(x); // (3, 9, 7)
            outputs.add(y.toArray());
            y.mul(weights).sum().backward();
            gradients.add(x.grad().toArray());
            for (Tensor p : lstm.parameters()) {
                gradients.add(p.grad().toArray());
            }
        }
        assertArrayEquals(outputs.get(1), outputs.get(0), 1e-5f);
        int half = gradients.size() / 2;
        for (int i = 0; i < half; i++) {
            assertArrayEquals(gradients.get(half + i), gradients.get(i), 1e-4f, "gradient " + i);
        }
    }

    @Test
    void eachDirectionSeesOnlyItsSide() {
        BiLm model = new BiLm(10, 4, 2, new Rng(1));
        IntTensor ids = IntTensor.wrap(new int[] {1, 2, 3, 4, 5}, 1, 5);
        IntTensor changed = IntTensor.wrap(new int[] {1, 2, 9, 4, 5}, 1, 5); // position 2 differs
        try (var g = NoGrad.enter()) {
            Tensor[] before = model.logits(ids), after = model.logits(changed);
            for (int t = 0; t < 5; t++) {
                boolean forwardSame = java.util.Arrays.equals(before[0].narrow(1, t, 1).toArray(),
                        after[0].narrow(1, t, 1).toArray());
                boolean backwardSame = java.util.Arrays.equals(before[1].narrow(1, t, 1).toArray(),
                        after[1].narrow(1, t, 1).toArray());
                assertEquals(t < 2, forwardSame, "forward LM at " + t);
                assertEquals(t > 2, backwardSame, "backward LM at " + t);
            }
            assertArrayEquals(new int[] {1, 5, 8}, model.embed(ids).shape());
            assertEquals(3, model.layerRepresentations(ids).size());
        }
        assertThrows(IllegalArgumentException.class, () -> model.logits(IntTensor.wrap(new int[] {10}, 1, 1)));
    }

    @Test
    void transformerStacksServeTheSameObjective() {
        TransformerConfig config = TransformerConfig.tiny(WORDS.vocabSize()).withContextLength(16).withWidth(32, 2, 128)
                .withLayers(2).withDropout(0f);
        TransformerBiLm model = new TransformerBiLm(config, new Rng(1));
        IntTensor ids = IntTensor.wrap(new int[] {5, 6, 7, 8, 9}, 1, 5);
        IntTensor changed = IntTensor.wrap(new int[] {5, 6, 20, 8, 9}, 1, 5);
        try (var g = NoGrad.enter()) {
            Tensor[] before = model.logits(ids), after = model.logits(changed);
            for (int t = 0; t < 5; t++) {
                assertEquals(t < 2, java.util.Arrays.equals(before[0].narrow(1, t, 1).toArray(),
                        after[0].narrow(1, t, 1).toArray()), "forward stack at " + t);
                assertEquals(t > 2, java.util.Arrays.equals(before[1].narrow(1, t, 1).toArray(),
                        after[1].narrow(1, t, 1).toArray()), "backward stack at " + t);
            }
        }
        int[] train = WORDS.encode(GRAMMAR.text(5000, new Rng(1)));
        BatchSource<IntTensor> windows = io.orthrus.data.WindowSampler.over(train, 16, 16, new Rng(2));
        new Trainer<>(model, new BidirectionalLm(), TrainingOptions.nanoGpt(300).withLearningRate(3e-3, 3e-4)
                .withEvaluation(0, 1)).fit(windows, windows);
        List<IntTensor> validation = new ArrayList<>();
        BatchSource<IntTensor> held = io.orthrus.data.WindowSampler.over(WORDS.encode(GRAMMAR.text(500, new Rng(2))),
                16, 16, new Rng(3));
        for (int i = 0; i < 4; i++) {
            validation.add(held.next());
        }
        BidirectionalLm.Evaluation evaluation = new BidirectionalLm().evaluate(model, validation);
        double unigram = unigramEntropy(train);
        assertTrue(evaluation.forward() < unigram - 1 && evaluation.backward() < unigram - 1,
                evaluation + " against a unigram entropy of " + unigram);
        assertArrayEquals(new int[] {1, 5, 64}, model.embed(ids).shape());
        RoleProbe probe = roleProbe(model);
        org.slf4j.LoggerFactory.getLogger(BiLmTest.class).info("transformer {} {}", evaluation, probe);
        assertTrue(probe.contextual() > 0.95, probe.toString());
    }

    static BiLm trainOnGrammar(long seed, int steps) {
        int[] ids = WORDS.encode(GRAMMAR.text(5000, new Rng(1)));
        Rng rng = new Rng(seed);
        BiLm model = new BiLm(WORDS.vocabSize(), 32, 1, rng.split());
        BatchSource<IntTensor> windows = io.orthrus.data.WindowSampler.over(ids, 16, 16, rng.split());
        new Trainer<>(model, new BidirectionalLm(), TrainingOptions.nanoGpt(steps).withLearningRate(1e-2, 1e-3)
                .withEvaluation(0, 1)).fit(windows, windows);
        return model;
    }

    @Test
    void bothDirectionsLearnTheGrammarDeterministically() {
        BiLm model = trainOnGrammar(7, 300);
        List<IntTensor> validation = new ArrayList<>();
        BatchSource<IntTensor> held = io.orthrus.data.WindowSampler.over(WORDS.encode(GRAMMAR.text(500, new Rng(2))),
                16, 16, new Rng(3));
        for (int i = 0; i < 4; i++) {
            validation.add(held.next());
        }
        BidirectionalLm objective = new BidirectionalLm();
        BidirectionalLm.Evaluation evaluation = objective.evaluate(model, validation);
        // A model that ignores the context can do no better than the unigram entropy of the words (3.8 nats here);
        // one nat less means both LMs use their side of the context.
        double unigram = unigramEntropy(WORDS.encode(GRAMMAR.text(5000, new Rng(1))));
        assertTrue(evaluation.forward() < unigram - 1 && evaluation.backward() < unigram - 1,
                evaluation + " against a unigram entropy of " + unigram);
        RoleProbe probe = roleProbe(model);
        org.slf4j.LoggerFactory.getLogger(BiLmTest.class).info("{} {}", evaluation, probe);
        assertTrue(probe.contextual() > 0.95, probe.toString());
        assertTrue(probe.staticVectors() < 0.8, probe.toString());
        assertEquals(objective.evaluate(trainOnGrammar(7, 20), validation),
                objective.evaluate(trainOnGrammar(7, 20), validation), "bit-identical for a fixed seed");
    }

    /** Held-out accuracy of a linear probe telling subject from object nouns, from each kind of vector. */
    record RoleProbe(double contextual, double staticVectors, double majority, int nouns) {}

    private static final java.util.Set<String> NOUNS = java.util.Set.of("dog", "dogs", "cat", "cats", "bird", "birds",
            "horse", "horses", "child", "children", "farmer", "farmers", "teacher", "teachers");

    /**
     * In "det [adj] noun verb [det [adj] noun] [adverb] ." the first noun is the subject and the second the object.
     * A linear classifier reads the role from the biLM's vector of the noun (ELMo's mix of its layers) or from the
     * noun's word2vec vector, which is the same in both roles.
     */
    static RoleProbe roleProbe(BidirectionalLanguageModel model) {
        List<String> sentences = GRAMMAR.withRelativeClauseRate(0).sentences(600, new Rng(5));
        Word2Vec word2vec = Word2Vec.train(GRAMMAR.sentences(5000, new Rng(1)),
                Word2Vec.Options.cbow().withDimensions(32).withWindow(2).withSample(0));
        List<float[]> contextual = new ArrayList<>(), stat = new ArrayList<>();
        List<Integer> roles = new ArrayList<>();
        for (String sentence : sentences) {
            String[] words = sentence.split(" ");
            Tensor vectors = model.embed(IntTensor.wrap(WORDS.encode(sentence), 1, words.length)); // (1, T, 2H)
            int role = 0;
            for (int t = 0; t < words.length; t++) {
                if (NOUNS.contains(words[t])) {
                    contextual.add(vectors.narrow(1, t, 1).toArray());
                    stat.add(word2vec.vector(words[t]));
                    roles.add(role++);
                }
            }
        }
        int split = roles.size() * 2 / 3;
        double majority = roles.subList(split, roles.size()).stream().filter(r -> r == 0).count()
                / (double) (roles.size() - split);
        return new RoleProbe(probeAccuracy(contextual, roles, split), probeAccuracy(stat, roles, split),
                Math.max(majority, 1 - majority), roles.size());
    }

    private static double probeAccuracy(List<float[]> vectors, List<Integer> labels, int split) {
        int d = vectors.get(0).length;
        float[] x = new float[vectors.size() * d];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, x, i * d, d);
        }
        io.orthrus.data.LabeledVectors all = new io.orthrus.data.LabeledVectors(Tensor.wrap(x, vectors.size(), d),
                IntTensor.wrap(labels.stream().mapToInt(Integer::intValue).toArray(), vectors.size()));
        io.orthrus.data.LabeledVectors train = all.slice(0, split), test = all.slice(split, vectors.size());
        VectorClassifier probe = new VectorClassifier(new io.orthrus.nn.Activation(io.orthrus.nn.Activation.Kind.IDENTITY),
                d, 2, new Rng(1));
        new Trainer<>(probe, new io.orthrus.objective.Classification<Tensor, io.orthrus.data.LabeledVectors>(),
                TrainingOptions.nanoGpt(300).withLearningRate(1e-2, 1e-3).withWeightDecay(0).withEvaluation(0, 1))
                .fit(train.batches(64, new Rng(2)), train.batches(64, new Rng(3)));
        int[] predicted = probe.predict(test.inputs());
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == test.labels().data()[i] ? 1 : 0;
        }
        return correct / (double) predicted.length;
    }

    private static double unigramEntropy(int[] ids) {
        double[] counts = new double[WORDS.vocabSize()];
        for (int id : ids) {
            counts[id]++;
        }
        double entropy = 0;
        for (double c : counts) {
            entropy -= c > 0 ? c / ids.length * Math.log(c / ids.length) : 0;
        }
        return entropy;
    }
}
