package io.orthrus.model;

import io.orthrus.data.SequencePair;
import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.SyntheticTask;
import io.orthrus.infer.BeamSearch;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Seq2SeqGenerator;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Seq2Seq;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Trains an encoder-decoder on a {@link SyntheticTask} and measures exact match on held-out examples. */
public final class Seq2SeqTasks {
    private Seq2SeqTasks() {}

    /** What one run gives. */
    public record Run(EncoderDecoder model, TrainingResult training, List<SyntheticTask.Example> heldOut,
                      CharTokenizer tokenizer, SpecialTokens specials) {
        public Seq2SeqGenerator generator() {
            return new Seq2SeqGenerator(model, specials, tokenizer);
        }

        /** Fraction of held-out examples whose output equals the answer exactly. */
        public double exactMatch(boolean beam, int width) {
            return exactMatch(beam ? BeamSearch.of(width, 24) : null);
        }

        /** Exact match with {@code search}, or greedy decoding when it is null. */
        public double exactMatch(BeamSearch search) {
            Seq2SeqGenerator generator = generator();
            int right = 0;
            for (SyntheticTask.Example e : heldOut) {
                String out = search != null ? generator.beamSearch(e.source(), search)
                        : generator.generate(e.source(), GenerationConfig.greedy(24));
                right += out.equals(e.target()) ? 1 : 0;
            }
            return right / (double) heldOut.size();
        }
    }

    public static TransformerConfig shape(int vocab, int width, int layers) {
        return new TransformerConfig(vocab, 24, width, 4, layers, 4 * width, io.orthrus.nn.Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.PRE, false, true);
    }

    public static Run train(SyntheticTask task, int trainSize, int heldOutSize, int steps, int width, int layers,
                            double lr, long seed) {
        CharTokenizer tokenizer = task.tokenizer();
        SpecialTokens specials = SpecialTokens.after(tokenizer.vocabSize());
        Rng rng = new Rng(seed);
        List<SyntheticTask.Example> train = task.samples(trainSize, rng);
        Set<String> seen = new HashSet<>();
        train.forEach(e -> seen.add(e.source()));
        List<SyntheticTask.Example> heldOut = new ArrayList<>();
        while (heldOut.size() < heldOutSize) {
            SyntheticTask.Example e = task.sample(rng);
            if (seen.add(e.source())) {
                heldOut.add(e);
            }
        }
        List<SequencePair> pairs = train.stream().map(e -> e.encode(tokenizer)).toList();
        List<SequencePair> validation = heldOut.stream().map(e -> e.encode(tokenizer)).toList();
        EncoderDecoder model = new EncoderDecoder(
                EncoderDecoder.Config.of(shape(tokenizer.vocabSize() + 3, width, layers)), new Rng(seed + 1));
        TrainingOptions options = new TrainingOptions(steps, lr, lr / 10, Math.min(100, steps / 10), 0.01, 0.9, 0.98, 1.0,
                1, 0, 4);
        TrainingResult result = new Trainer<>(model, new Seq2Seq(), options).fit(
                Seq2SeqBatch.sampler(pairs, 32, specials, rng.split()),
                Seq2SeqBatch.sampler(validation, 64, specials, new Rng(seed + 2)));
        return new Run(model, result, heldOut, tokenizer, specials);
    }
}
