package io.orthrus.objective;

import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.data.SequencePair;
import io.orthrus.data.SpecialTokens;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Denoising pre-training of an {@link EncoderDecoder}: corrupt a text, let the encoder read the
 * corrupted version and the decoder write what was lost, autoregressively. Two schemes:
 *
 * <ul>
 *   <li>{@link #textInfilling BART's text infilling} (Lewis et al., 2019): spans whose lengths
 *       are drawn from Poisson(λ = 3) cover about 30% of the tokens, and each span becomes a
 *       single mask token (a span of length 0 inserts one), so the model must also work out how
 *       many tokens are missing. The decoder writes the whole original text. Optionally
 *       ({@link #withSentencePermutation}) the sentences are shuffled first.</li>
 *   <li>{@link #spanCorruption T5's span corruption} (Raffel et al., 2019): 15% of the tokens,
 *       in spans of mean length 3, each replaced by its own sentinel; the decoder writes only the
 *       dropped spans, each after its sentinel, and a final sentinel: a shorter target.</li>
 * </ul>
 *
 * <p>A batch is {@code (B, L)} token ids, one text per row: windows of a corpus, as for
 * {@link CausalLm}, or whole sentences right-padded with the pad id (the padding is dropped
 * before corruption, so the model learns texts of their true lengths). In training mode every call draws fresh noise, so each pass over the data
 * sees new corruptions; in evaluation mode the noise depends only on the seed and the row's
 * content, so a fixed validation set gives a steady loss. The loss is {@link Seq2Seq}'s.
 */
public final class Denoising implements Objective<EncoderDecoder, IntTensor> {
    /** The corruption scheme. */
    public enum Scheme {
        /** BART: each span replaced by one mask, the target the whole original text. */
        TEXT_INFILLING,
        /** T5: each span replaced by a numbered sentinel, the target the spans after their sentinels. */
        SPAN_CORRUPTION
    }

    private final Scheme scheme;
    private final SpecialTokens specials;
    private final int noiseId; // BART: the mask id; T5: the first sentinel
    private final int sentinels;
    private final double rate;
    private final double spanLength;
    private final int sentenceEnd; // -1: no sentence permutation
    private final long seed;
    private final Rng trainingNoise;
    private final Seq2Seq seq2seq = new Seq2Seq();

    private Denoising(Scheme scheme, SpecialTokens specials, int noiseId, int sentinels, double rate, double spanLength,
                      int sentenceEnd, long seed) {
        if (noiseId < 0 || sentinels < 0) {
            throw new IllegalArgumentException("Denoising: the mask or first sentinel id must be >= 0, got " + noiseId);
        }
        for (int i = 0; i < Math.max(1, sentinels); i++) {
            int id = noiseId + i;
            if (id == specials.pad() || id == specials.start() || id == specials.end()) {
                throw new IllegalArgumentException("Denoising: " + (scheme == Scheme.TEXT_INFILLING ? "mask" : "sentinel")
                        + " id " + id + " is also one of " + specials);
            }
        }
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("Denoising: the noise rate must be in (0, 1), got " + rate);
        }
        if (!(spanLength > 0) || Double.isInfinite(spanLength)) {
            throw new IllegalArgumentException("Denoising: the span length parameter must be finite and > 0, got " + spanLength);
        }
        this.scheme = scheme;
        this.specials = specials;
        this.noiseId = noiseId;
        this.sentinels = sentinels;
        this.rate = rate;
        this.spanLength = spanLength;
        this.sentenceEnd = sentenceEnd;
        this.seed = seed;
        this.trainingNoise = new Rng(seed);
    }

    /**
     * BART's text infilling: 30% of the tokens in Poisson(3)-long spans, each span one {@code maskId}.
     *
     * @param specials pad, start and end ids of the model
     * @param maskId   the id that stands for a missing span
     * @param seed     seed of the noise
     */
    public static Denoising textInfilling(SpecialTokens specials, int maskId, long seed) {
        return new Denoising(Scheme.TEXT_INFILLING, specials, maskId, 0, 0.3, 3.0, -1, seed);
    }

    /**
     * T5's span corruption: 15% of the tokens in spans of mean length 3, span i replaced by
     * sentinel {@code firstSentinel + i}.
     *
     * @param sentinels how many sentinel ids follow {@code firstSentinel} (T5 has 100); a text needs one
     *                  more than its number of spans
     */
    public static Denoising spanCorruption(SpecialTokens specials, int firstSentinel, int sentinels, long seed) {
        if (sentinels < 2) {
            throw new IllegalArgumentException("Denoising: span corruption needs at least 2 sentinels, got " + sentinels);
        }
        return new Denoising(Scheme.SPAN_CORRUPTION, specials, firstSentinel, sentinels, 0.15, 3.0, -1, seed);
    }

    /** A copy that corrupts {@code rate} of the tokens (BART 0.3, T5 0.15). */
    public Denoising withNoiseRate(double value) {
        return new Denoising(scheme, specials, noiseId, sentinels, value, spanLength, sentenceEnd, seed);
    }

    /** A copy with another span length: λ of the Poisson lengths for infilling, the mean length for span corruption. */
    public Denoising withSpanLength(double value) {
        return new Denoising(scheme, specials, noiseId, sentinels, rate, value, sentenceEnd, seed);
    }

    /**
     * A copy that first shuffles the sentences of each text (BART's sentence permutation); a
     * sentence ends after each {@code sentenceEndId} (such as the id of ".") and at the end of the text.
     */
    public Denoising withSentencePermutation(int sentenceEndId) {
        if (sentenceEndId < 0) {
            throw new IllegalArgumentException("Denoising: the sentence-end id must be >= 0, got " + sentenceEndId);
        }
        return new Denoising(scheme, specials, noiseId, sentinels, rate, spanLength, sentenceEndId, seed);
    }

    @Override
    public Tensor loss(EncoderDecoder model, IntTensor batch) {
        int last = noiseId + Math.max(1, sentinels) - 1, vocab = model.config().encoder().vocabSize();
        if (last >= vocab) {
            throw new IllegalArgumentException("Denoising: " + (scheme == Scheme.TEXT_INFILLING ? "the mask id " + noiseId
                    : "sentinel ids " + noiseId + ".." + last) + " are outside the model's source vocabulary of " + vocab
                    + " ids; reserve them in the vocabulary");
        }
        return seq2seq.loss(model, batch(batch, model.isTraining()));
    }

    /**
     * The sequence-to-sequence batch this objective trains on for {@code batch} {@code (B, L)}:
     * fresh noise when {@code training}, otherwise noise fixed by the seed and each row's content.
     */
    public Seq2SeqBatch batch(IntTensor batch, boolean training) {
        int[] shape = batch.shape();
        if (shape.length != 2 || shape[1] == 0) {
            throw new IllegalArgumentException("Denoising: expected texts (B, L) with L >= 1, got shape "
                    + Arrays.toString(shape));
        }
        int b = shape[0], length = shape[1];
        List<SequencePair> pairs = new ArrayList<>(b);
        for (int row = 0; row < b; row++) {
            int n = textLength(batch.data(), row, length);
            if (n == 0) {
                throw new IllegalArgumentException("Denoising: row " + row + " of the batch is all padding");
            }
            int[] ids = Arrays.copyOfRange(batch.data(), row * length, row * length + n);
            pairs.add(corrupt(ids, training ? trainingNoise : new Rng(seed ^ MaskedLm.contentHash(ids))));
        }
        return Seq2SeqBatch.of(pairs, specials);
    }

    /** The (corrupted source, target) pair for one text, with noise from {@code rng}. */
    public SequencePair corrupt(int[] ids, Rng rng) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("Denoising: the text is empty");
        }
        return scheme == Scheme.TEXT_INFILLING ? infill(ids, rng) : spanCorrupt(ids, rng);
    }

    private SequencePair infill(int[] ids, Rng rng) {
        int[] text = sentenceEnd >= 0 ? permuteSentences(ids, rng) : ids;
        int n = text.length, budget = (int) Math.round(rate * n);
        List<Integer> spans = new ArrayList<>();
        int covered = 0;
        while (covered < budget) {
            int span = Math.min(poisson(spanLength, rng), budget - covered);
            spans.add(span);
            covered += span;
        }
        int maxSpans = n - budget + 1; // spans are kept apart by at least one kept token
        while (spans.size() > maxSpans) {
            spans.set(spans.size() - 2, spans.get(spans.size() - 2) + spans.remove(spans.size() - 1));
        }
        int k = spans.size();
        int[] gaps = gaps(n - budget, k, rng);
        int[] source = new int[n - budget + k];
        int from = 0, to = 0;
        for (int i = 0; i <= k; i++) {
            System.arraycopy(text, from, source, to, gaps[i]);
            from += gaps[i];
            to += gaps[i];
            if (i < k) {
                source[to++] = noiseId;
                from += spans.get(i);
            }
        }
        return new SequencePair(source, ids);
    }

    private SequencePair spanCorrupt(int[] ids, Rng rng) {
        int n = ids.length;
        if (n < 2) {
            throw new IllegalArgumentException("Denoising: span corruption needs texts of at least 2 tokens, got 1");
        }
        int noise = noiseTokens(n), k = spans(n);
        if (k + 1 > sentinels) {
            throw new IllegalArgumentException("Denoising: a text of " + n + " tokens gets " + k + " spans and needs "
                    + (k + 1) + " sentinels, but only " + sentinels + " were given");
        }
        int[] noiseLengths = composition(noise, k, rng), keptLengths = composition(n - noise, k, rng);
        int[] source = new int[n - noise + k], target = new int[noise + k + 1];
        int from = 0, s = 0, t = 0;
        for (int i = 0; i < k; i++) { // T5 starts with kept tokens: kept₀ noise₀ kept₁ noise₁ …
            System.arraycopy(ids, from, source, s, keptLengths[i]);
            from += keptLengths[i];
            s += keptLengths[i];
            source[s++] = noiseId + i;
            target[t++] = noiseId + i;
            System.arraycopy(ids, from, target, t, noiseLengths[i]);
            from += noiseLengths[i];
            t += noiseLengths[i];
        }
        target[t] = noiseId + k;
        return new SequencePair(source, target);
    }

    /** The text with its sentences (each ending after {@code sentenceEnd}) in a random order. */
    private int[] permuteSentences(int[] ids, Rng rng) {
        List<int[]> sentences = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == sentenceEnd || i == ids.length - 1) {
                sentences.add(Arrays.copyOfRange(ids, start, i + 1));
                start = i + 1;
            }
        }
        for (int i = sentences.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] swap = sentences.get(i);
            sentences.set(i, sentences.get(j));
            sentences.set(j, swap);
        }
        int[] out = new int[ids.length];
        int at = 0;
        for (int[] sentence : sentences) {
            System.arraycopy(sentence, 0, out, at, sentence.length);
            at += sentence.length;
        }
        return out;
    }

    /** Lengths of the k + 1 runs of kept tokens around k spans: the inner runs at least 1, the outer ones at least 0. */
    private static int[] gaps(int kept, int k, Rng rng) {
        if (k == 0) {
            return new int[] {kept};
        }
        // One extra token at each end makes every run positive: a positive split of kept + 2 into
        // k + 1 parts, minus one at both ends, is a uniform choice among the allowed gaps.
        int[] gaps = composition(kept + 2, k + 1, rng);
        gaps[0]--;
        gaps[k]--;
        return gaps;
    }

    /** {@code total} split into {@code parts} positive lengths, uniformly among all such splits. */
    static int[] composition(int total, int parts, Rng rng) {
        if (parts < 1 || total < parts) {
            throw new IllegalArgumentException("composition: cannot split " + total + " into " + parts + " positive parts");
        }
        int[] candidates = new int[total - 1]; // cut after position 1 .. total-1
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = i + 1;
        }
        for (int i = 0; i < parts - 1; i++) { // partial Fisher–Yates: the first parts-1 are a uniform choice
            int j = i + rng.nextInt(candidates.length - i);
            int swap = candidates[i];
            candidates[i] = candidates[j];
            candidates[j] = swap;
        }
        int[] cuts = Arrays.copyOf(candidates, parts - 1);
        Arrays.sort(cuts);
        int[] lengths = new int[parts];
        int previous = 0;
        for (int i = 0; i < parts - 1; i++) {
            lengths[i] = cuts[i] - previous;
            previous = cuts[i];
        }
        lengths[parts - 1] = total - previous;
        return lengths;
    }

    /** Tokens of row {@code row} of a {@code (B, length)} batch before its right padding. */
    private int textLength(int[] data, int row, int length) {
        int n = length;
        while (n > 0 && data[row * length + n - 1] == specials.pad()) {
            n--;
        }
        return n;
    }

    /** Span corruption: how many of {@code n} tokens are dropped (T5: at least 1, at most n - 1). */
    private int noiseTokens(int n) {
        return Math.min(Math.max((int) Math.round(rate * n), 1), n - 1);
    }

    /** Span corruption: in how many spans the dropped tokens of a text of {@code n} tokens lie. */
    private int spans(int n) {
        int noise = noiseTokens(n);
        return Math.max(1, Math.min(Math.min(noise, n - noise), (int) Math.round(noise / spanLength)));
    }

    /** A Poisson(λ) draw (Knuth's product of uniforms; λ is small here). */
    private static int poisson(double lambda, Rng rng) {
        double limit = Math.exp(-lambda), product = rng.nextDouble();
        int k = 0;
        while (product > limit) {
            k++;
            product *= rng.nextDouble();
        }
        return k;
    }

    /** Number of scored target positions: the corruption's target lengths are fixed by the text lengths. */
    @Override
    public int predictions(IntTensor batch) {
        int b = batch.shape()[0], length = batch.shape()[1], total = 0;
        for (int row = 0; row < b; row++) {
            int n = textLength(batch.data(), row, length);
            total += scheme == Scheme.TEXT_INFILLING ? n + 1
                    : noiseTokens(n) + spans(n) + 2; // spans, their sentinels, the final sentinel, the end token
        }
        return total;
    }

    @Override
    public Map<String, Rng> generators() {
        return Map.of("trainingNoise", trainingNoise);
    }

    @Override
    public String name() {
        return String.format(Locale.ROOT, scheme == Scheme.TEXT_INFILLING
                ? "denoising (text infilling, %.0f%%, Poisson λ %.1f%s)" : "denoising (span corruption, %.0f%%, mean span %.1f%s)",
                100 * rate, spanLength, sentenceEnd >= 0 ? ", sentence permutation" : "");
    }
}
