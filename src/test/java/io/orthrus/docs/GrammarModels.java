package io.orthrus.docs;

import io.orthrus.data.SpecialTokens;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.infer.Seq2SeqGenerator;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Activation;
import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Denoising;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Word-level models of the grammar for the AR-vs-AE experiments: ids 0..76 are the words, 77 the
 * mask, 78–80 the encoder-decoder's pad, start and end. A GPT-shaped stack reads 16 words.
 */
final class GrammarModels {
    static final Grammar GRAMMAR = Grammar.english();
    static final List<String> WORDS = GRAMMAR.vocabulary();
    static final int V = WORDS.size();
    static final int MASK = V;
    static final SpecialTokens SPECIALS = new SpecialTokens(V + 1, V + 2, V + 3);
    static final int PERIOD = WORDS.indexOf(".");

    private GrammarModels() {}

    static int[] ids(List<String> words) {
        return words.stream().mapToInt(WORDS::indexOf).toArray();
    }

    static String text(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append(s.length() == 0 ? "" : " ").append(id < V ? WORDS.get(id) : id == MASK ? "[MASK]" : "<" + id + ">");
        }
        return s.toString();
    }

    /** Rows of whole sentences (as many as fit in {@code length} words, at least one), right-padded with the pad id. */
    static io.orthrus.data.BatchSource<IntTensor> sentenceRows(int batch, int length, Rng rng) {
        return () -> {
            int[] ids = new int[batch * length];
            Arrays.fill(ids, SPECIALS.pad());
            for (int row = 0; row < batch; row++) {
                int at = 0;
                while (true) {
                    int[] sentence = ids(List.of(GRAMMAR.sentence(rng).split(" ")));
                    if (sentence.length > length - at) {
                        if (at > 0) {
                            break;
                        }
                        continue; // a sentence longer than a row: draw another
                    }
                    System.arraycopy(sentence, 0, ids, row * length + at, sentence.length);
                    at += sentence.length;
                    if (rng.nextDouble() < 0.5) {
                        break;
                    }
                }
            }
            return IntTensor.wrap(ids, batch, length);
        };
    }

    /** An encoder-decoder (2 + 2 layers, width 64) trained with BART's text infilling on rows of whole sentences. */
    static EncoderDecoder trainBart(int steps) {
        TransformerConfig shape = new TransformerConfig(V + 4, 24, 64, 4, 2, 256, Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.PRE, false, true);
        EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(shape), new Rng(4));
        TrainingOptions options = new TrainingOptions(steps, 3e-3, 3e-4, Math.min(50, steps / 10), 0.01, 0.9, 0.98, 1.0,
                1, 0, 2);
        new Trainer<>(model, Denoising.textInfilling(SPECIALS, MASK, 5), options).fit(
                sentenceRows(32, 16, new Rng(5)), sentenceRows(32, 16, new Rng(6)));
        return model;
    }

    /** The most likely word (never the mask) at {@code row} of logits {@code (1, T, V')}. */
    static int bestWord(float[] logits, int row, int vocab) {
        return best(logits, row, vocab, V);
    }

    /** The most likely of ids {@code 0 .. words-1} at {@code row} of logits with {@code vocab} columns. */
    static int best(float[] logits, int row, int vocab, int words) {
        int best = 0;
        for (int w = 1; w < words; w++) {
            if (logits[row * vocab + w] > logits[row * vocab + best]) {
                best = w;
            }
        }
        return best;
    }

    /** One of ids {@code 0 .. words-1} sampled from softmax(logits) at {@code row}. */
    static int sample(float[] logits, int row, int vocab, int words, Rng rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int w = 0; w < words; w++) {
            max = Math.max(max, logits[row * vocab + w]);
        }
        double[] p = new double[words];
        double total = 0;
        for (int w = 0; w < words; w++) {
            p[w] = Math.exp(logits[row * vocab + w] - max);
            total += p[w];
        }
        double u = rng.nextDouble() * total;
        for (int w = 0; w < words; w++) {
            u -= p[w];
            if (u < 0) {
                return w;
            }
        }
        return words - 1;
    }

    /** The AR model's word after ". " + {@code left}. */
    static int arFill(Gpt ar, int[] left) {
        int[] prompt = new int[left.length + 1];
        prompt[0] = PERIOD;
        System.arraycopy(left, 0, prompt, 1, left.length);
        try (var g = NoGrad.enter()) {
            float[] logits = ar.forward(IntTensor.of(prompt, 1, prompt.length)).toArray();
            return bestWord(logits, prompt.length - 1, ar.vocabSize());
        }
    }

    /** The bidirectional model's word at {@code position} of ". " + {@code sentence}, which is masked there. */
    static int mlmFill(Gpt mlm, int[] sentence, int position) {
        int[] input = new int[sentence.length + 1];
        input[0] = PERIOD;
        System.arraycopy(sentence, 0, input, 1, sentence.length);
        input[position + 1] = MASK;
        try (var g = NoGrad.enter()) {
            float[] logits = mlm.logits(IntTensor.of(input, 1, input.length), AttentionMask.bidirectional()).toArray();
            return bestWord(logits, position + 1, mlm.vocabSize());
        }
    }

    /** The encoder-decoder's rewrite of {@code sentence} with one mask for {@code [from, to)}. */
    static int[] bartInfill(EncoderDecoder bart, int[] sentence, int from, int to, GenerationConfig config) {
        int[] source = new int[sentence.length - (to - from) + 1];
        System.arraycopy(sentence, 0, source, 0, from);
        source[from] = MASK;
        System.arraycopy(sentence, to, source, from + 1, sentence.length - to);
        return new Seq2SeqGenerator(bart, SPECIALS).generate(source, config);
    }

    /** A sentence sampled left to right by the AR model after ".", up to the next "." (at most 15 words). */
    static int[] arGenerate(Gpt ar, long seed) {
        List<Integer> out = new ArrayList<>();
        new Generator(ar, null).generate(new int[] {PERIOD}, GenerationConfig.sampling(15, 1f, seed).withStopToken(PERIOD),
                out::add);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A sentence written left to right by the bidirectional model: ". [MASK]", fill the mask by
     * sampling, append a new mask, until it writes "." (at most 15 words).
     */
    static int[] mlmGenerate(Gpt mlm, Rng rng) {
        int[] input = {PERIOD, MASK};
        try (var g = NoGrad.enter()) {
            while (true) {
                float[] logits = mlm.logits(IntTensor.of(input, 1, input.length), AttentionMask.bidirectional()).toArray();
                int word = sample(logits, input.length - 1, mlm.vocabSize(), V, rng);
                input[input.length - 1] = word;
                if (word == PERIOD || input.length == 16) {
                    return Arrays.copyOfRange(input, 1, input.length);
                }
                input = Arrays.copyOf(input, input.length + 1);
                input[input.length - 1] = MASK;
            }
        }
    }

    /** The encoder-decoder's text for the source "[MASK]" (the whole text is missing), sampled, up to its first ".". */
    static int[] bartGenerate(EncoderDecoder bart, long seed) {
        int[] out = new Seq2SeqGenerator(bart, SPECIALS).generate(new int[] {MASK}, GenerationConfig.sampling(20, 1f, seed));
        for (int i = 0; i < out.length; i++) {
            if (out[i] == PERIOD) {
                return Arrays.copyOf(out, i + 1);
            }
        }
        return out;
    }

    static boolean grammatical(int[] ids) {
        return GRAMMAR.check(text(ids)) == Grammar.Verdict.GRAMMATICAL;
    }
}
