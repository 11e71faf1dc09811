package io.orthrus.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.BatchSource;
import io.orthrus.data.SequencePair;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.nn.Activation;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

public class DenoisingTest {
    private static final SpecialTokens SPECIALS = SpecialTokens.after(1000);
    private static final int MASK = 1003;

    private static int[] distinct(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    @Test
    void textInfillingReplacesPoissonSpansCoveringThirtyPercentWithOneMaskEach() {
        Denoising bart = Denoising.textInfilling(SPECIALS, MASK, 1);
        Rng rng = new Rng(2);
        long spans = 0, covered = 0, zeroLength = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int n = 20 + rng.nextInt(60);
            int[] ids = distinct(n);
            SequencePair pair = bart.corrupt(ids, rng);
            assertArrayEquals(ids, pair.target(), "the decoder writes the whole text");
            int[] source = pair.source();
            int kept = 0, previous = -1, masks = 0;
            for (int i = 0; i < source.length; i++) {
                if (source[i] == MASK) {
                    assertTrue(i == 0 || source[i - 1] != MASK, "two masks side by side in " + Arrays.toString(source));
                    int next = i + 1 < source.length ? source[i + 1] : n;
                    int length = next - previous - 1; // the ids the mask stands for
                    zeroLength += length == 0 ? 1 : 0;
                    covered += length;
                    spans++;
                    masks++;
                } else {
                    assertTrue(source[i] > previous, "kept tokens stay in order");
                    previous = source[i];
                    kept++;
                }
            }
            assertEquals(Math.round(0.3 * n), n - kept, "tokens removed from a text of " + n);
            assertTrue(masks >= 1);
        }
        double meanSpan = covered / (double) spans;
        // Poisson(3) lengths, the last one cut to the budget: the mean is a little below 3, and
        // about e^-3 = 5% of the spans are empty (a mask inserted where nothing is missing).
        assertEquals(2.8, meanSpan, 0.25, "mean span length");
        assertEquals(Math.exp(-3), zeroLength / (double) spans, 0.02, "share of empty spans");
    }

    @Test
    void sentencePermutationShufflesWholeSentences() {
        int stop = 99;
        int[] ids = {1, 2, stop, 3, 4, 5, stop, 6, stop, 7, 8};
        Denoising permute = Denoising.textInfilling(SPECIALS, MASK, 1).withNoiseRate(0.01).withSentencePermutation(stop);
        Rng rng = new Rng(3);
        java.util.Set<String> orders = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            SequencePair pair = permute.corrupt(ids, rng);
            assertArrayEquals(ids, pair.target());
            String source = Arrays.toString(pair.source());
            for (String sentence : new String[] {"1, 2, 99", "3, 4, 5, 99", "6, 99", "7, 8"}) {
                assertTrue(source.contains(sentence), sentence + " not whole in " + source);
            }
            orders.add(source);
        }
        assertEquals(24, orders.size(), "all 4! orders of four sentences appear");
    }

    @Test
    void spanCorruptionDropsSpansBehindNumberedSentinels() {
        int first = 1010;
        Denoising t5 = Denoising.spanCorruption(SPECIALS, first, 100, 1);
        Rng rng = new Rng(4);
        long noise = 0, spans = 0;
        for (int trial = 0; trial < 1000; trial++) {
            int n = 20 + rng.nextInt(100);
            int[] ids = distinct(n);
            SequencePair pair = t5.corrupt(ids, rng);
            int[] source = pair.source(), target = pair.target();
            // Put the text back together: each sentinel in the source is replaced by what follows it in the target.
            List<Integer> rebuilt = new ArrayList<>();
            int sentinel = 0;
            for (int id : source) {
                if (id >= first) {
                    assertEquals(first + sentinel, id, "sentinels are numbered in order");
                    int at = indexOf(target, id);
                    for (int j = at + 1; j < target.length && target[j] < first; j++) {
                        rebuilt.add(target[j]);
                        noise++;
                    }
                    sentinel++;
                } else {
                    rebuilt.add(id);
                }
            }
            spans += sentinel;
            assertEquals(first + sentinel, target[target.length - 1], "the target ends with one more sentinel");
            assertArrayEquals(ids, rebuilt.stream().mapToInt(Integer::intValue).toArray());
            assertEquals(Math.round(0.15 * n), source.length - sentinel == n ? 0 : n - (source.length - sentinel));
        }
        assertEquals(3.0, noise / (double) spans, 0.3, "mean span length");
    }

    private static int indexOf(int[] a, int value) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == value) {
                return i;
            }
        }
        throw new AssertionError(value + " not in " + Arrays.toString(a));
    }

    @Test
    void evaluationNoiseIsFixedByContentAndTrainingNoiseIsFresh() {
        Denoising bart = Denoising.textInfilling(SPECIALS, MASK, 7);
        IntTensor batch = IntTensor.of(distinct(40), 2, 20);
        assertArrayEquals(bart.batch(batch, false).source().data(), bart.batch(batch, false).source().data());
        assertNotEquals(Arrays.toString(bart.batch(batch, true).source().data()),
                Arrays.toString(bart.batch(batch, true).source().data()));
        assertEquals(2 * 21, bart.predictions(batch));
        Denoising t5 = Denoising.spanCorruption(SPECIALS, 1010, 10, 7);
        assertEquals(t5.batch(batch, false).predictions(), t5.predictions(batch));
        int[] padded = distinct(40);
        java.util.Arrays.fill(padded, 32, 40, SPECIALS.pad()); // the second row holds 12 tokens
        IntTensor shortRows = IntTensor.of(padded, 2, 20);
        assertEquals(20, bart.batch(shortRows, false).decoderInput().shape()[1] - 1, "the longest text sets the length");
        assertArrayEquals(java.util.Arrays.copyOfRange(padded, 20, 32),
                java.util.Arrays.copyOfRange(bart.batch(shortRows, false).targets().data(), 21, 33),
                "padding is not part of the text");
        assertEquals(21 + 13, bart.predictions(shortRows));
        assertEquals(t5.batch(shortRows, false).predictions(), t5.predictions(shortRows));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Denoising.textInfilling(SPECIALS, SPECIALS.end(), 1));
        assertThrows(IllegalArgumentException.class, () -> Denoising.textInfilling(SPECIALS, MASK, 1).withNoiseRate(1.0));
        assertThrows(IllegalArgumentException.class, () -> Denoising.spanCorruption(SPECIALS, 1010, 1, 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Denoising.spanCorruption(SPECIALS, 1010, 3, 1).corrupt(distinct(100), new Rng(1)));
        assertTrue(e.getMessage().contains("sentinels"), e.getMessage());
        EncoderDecoder small = new EncoderDecoder(EncoderDecoder.Config.of(new TransformerConfig(20, 24, 16, 2, 1, 32,
                Activation.Kind.GELU_EXACT, 0f, TransformerConfig.PositionalEncoding.LEARNED,
                TransformerConfig.NormPlacement.PRE, false, true)), new Rng(1));
        e = assertThrows(IllegalArgumentException.class, () -> Denoising.spanCorruption(SpecialTokens.after(10), 13, 10, 1)
                .loss(small, IntTensor.of(distinct(12), 1, 12)));
        assertTrue(e.getMessage().contains("sentinel ids 13..22 are outside the model's source vocabulary of 20"), e.getMessage());
    }

    /** Grammar sentences as a stream of word ids, cut into windows of {@code length}. */
    public static BatchSource<IntTensor> grammarWindows(int batch, int length, Rng rng) {
        Grammar grammar = Grammar.english();
        List<String> words = grammar.vocabulary();
        return () -> {
            int[] ids = new int[batch * length];
            for (int row = 0; row < batch; row++) {
                List<Integer> stream = new ArrayList<>();
                while (stream.size() < length) {
                    for (String w : grammar.sentence(rng).split(" ")) {
                        stream.add(words.indexOf(w));
                    }
                }
                for (int i = 0; i < length; i++) {
                    ids[row * length + i] = stream.get(i);
                }
            }
            return IntTensor.wrap(ids, batch, length);
        };
    }

    @Test
    void anEncoderDecoderLearnsToInfillGrammarText() {
        // The control hides the text: at 99% noise the source is a mask or two, so the decoder can
        // only learn the grammar's word statistics (measured: 2.06 nats per word after 400 steps).
        // Reading the corrupted text, 70% of the words can be copied (measured: 1.71).
        double infilling = train(0.3), sourceHidden = train(0.99);
        assertTrue(infilling < sourceHidden - 0.2, "infilling " + infilling + " vs source hidden " + sourceHidden);
        assertTrue(infilling < Math.log(Grammar.english().vocabulary().size() + 4) - 2, "ln V = 4.39 at initialisation");
    }

    private static double train(double rate) {
        int v = Grammar.english().vocabulary().size();
        SpecialTokens specials = SpecialTokens.after(v);
        Denoising bart = Denoising.textInfilling(specials, v + 3, 5).withNoiseRate(rate);
        TransformerConfig shape = new TransformerConfig(v + 4, 24, 48, 4, 1, 192, Activation.Kind.GELU_EXACT, 0f,
                TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.PRE, false, true);
        EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(shape), new Rng(6));
        TrainingOptions options = new TrainingOptions(400, 3e-3, 3e-4, 20, 0.01, 0.9, 0.98, 1.0, 1, 0, 8);
        TrainingResult result = new Trainer<>(model, bart, options)
                .fit(grammarWindows(16, 16, new Rng(7)), grammarWindows(32, 16, new Rng(8)));
        return result.validationLoss();
    }
}
