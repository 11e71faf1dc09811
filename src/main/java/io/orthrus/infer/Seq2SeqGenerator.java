package io.orthrus.infer;

import io.orthrus.data.SpecialTokens;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.nn.KvCache;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the output of an {@link EncoderDecoder} for a source: greedy or sampled decoding
 * (temperature, top-k, top-p; {@link GenerationConfig}) and beam search ({@link BeamSearch}).
 *
 * <p>The source is encoded once. Decoding starts from the start token and stops at the end
 * token, which is not part of the returned ids. With the KV cache (the default), each new token
 * runs one decoder position: the decoder's own keys and values are appended to the cache, and
 * every layer's keys and values of the encoder output are projected at the first step and kept.
 * Without it the decoder re-reads the whole prefix each step; both pick the same tokens.
 */
public final class Seq2SeqGenerator {
    private final EncoderDecoder model;
    private final SpecialTokens specials;
    private final Tokenizer tokenizer;

    /** A generator over ids. */
    public Seq2SeqGenerator(EncoderDecoder model, SpecialTokens specials) {
        this(model, specials, null);
    }

    /** A generator that also reads and writes text with {@code tokenizer} (whose ids must not include the specials). */
    public Seq2SeqGenerator(EncoderDecoder model, SpecialTokens specials, Tokenizer tokenizer) {
        int v = model.targetVocabSize();
        for (int id : new int[] {specials.start(), specials.end()}) {
            if (id >= v) {
                throw new IllegalArgumentException("Seq2SeqGenerator: special id " + id + " is outside the model's target"
                        + " vocabulary of " + v);
            }
        }
        this.model = model;
        this.specials = specials;
        this.tokenizer = tokenizer;
    }

    /** One output and its probability. */
    public record Hypothesis(int[] ids, double logProbability, double score) {
        /** Copies the ids. */
        public Hypothesis {
            ids = ids.clone();
        }

        /** A copy of the ids (the record keeps its own). */
        @Override
        public int[] ids() {
            return ids.clone();
        }
    }

    /** The output text for {@code source} text, greedy or sampled as {@code config} says. */
    public String generate(String source, GenerationConfig config) {
        return text().decode(generate(text().encode(source), config));
    }

    /** The best output text of a beam search for {@code source} text. */
    public String beamSearch(String source, BeamSearch search) {
        return text().decode(beamSearch(text().encode(source), search).get(0).ids());
    }

    private Tokenizer text() {
        if (tokenizer == null) {
            throw new IllegalStateException("Seq2SeqGenerator: built without a tokenizer; pass one to read and write text");
        }
        return tokenizer;
    }

    /**
     * The output ids for {@code source} (without start and end tokens): each next token the most
     * likely (temperature 0) or sampled, until the end token or {@code config.maxNewTokens()}
     * tokens. {@code config.stopTokens()} are not used: the end token stops.
     */
    public int[] generate(int[] source, GenerationConfig config) {
        checkLength(config.maxNewTokens());
        Rng rng = new Rng(config.seed());
        return model.evaluating(() -> {
            Tensor memory = model.encode(sourceIds(source), null); // (1, S, C)
            KvCache cache = config.useCache() ? model.newCache() : null;
            int[] sequence = new int[config.maxNewTokens() + 1];
            sequence[0] = specials.start();
            int length = 1;
            while (length <= config.maxNewTokens()) {
                float[] logits = cache != null
                        ? Generator.lastRow(model.decode(IntTensor.wrap(new int[] {sequence[length - 1]}, 1, 1), memory, null, cache))
                        : Generator.lastRow(model.decode(IntTensor.wrap(Arrays.copyOf(sequence, length), 1, length), memory, null, null));
                int next = Generator.pick(logits, config, rng, sequence, length);
                if (next == specials.end()) {
                    break;
                }
                sequence[length++] = next;
            }
            return Arrays.copyOfRange(sequence, 1, length);
        });
    }

    /**
     * The {@code search.width()} best outputs for {@code source} found by beam search, best first
     * (fewer only when {@code maxLength} allows fewer distinct outputs). Outputs that reach
     * {@code maxLength} without ending are ranked with the others.
     */
    public List<Hypothesis> beamSearch(int[] source, BeamSearch search) {
        checkLength(search.maxLength());
        int width = search.width();
        return model.evaluating(() -> {
            Tensor encoded = model.encode(sourceIds(source), null); // (1, S, C)
            Tensor memory = encoded;
            KvCache cache = model.newCache();
            List<Beam> alive = List.of(new Beam(new int[0], 0.0, specials.start()));
            List<Hypothesis> finished = new ArrayList<>();
            for (int step = 0; step < search.maxLength() && !alive.isEmpty(); step++) {
                int n = alive.size(), length = step + 1; // tokens in each candidate, the new one included
                int[] last = new int[n];
                for (int i = 0; i < n; i++) {
                    last[i] = alive.get(i).last;
                }
                Tensor logits = model.decode(IntTensor.wrap(last, n, 1), memory, null, cache); // (n, 1, V)
                float[] logProbs = logits.logSoftmax(-1).data(); // (n, 1, V)
                List<Candidate> candidates = candidates(alive, logProbs, model.targetVocabSize(), 2 * width);
                List<Beam> next = new ArrayList<>(width);
                int[] parents = new int[width];
                for (int rank = 0; rank < candidates.size() && next.size() < width; rank++) {
                    Candidate c = candidates.get(rank);
                    Beam parent = alive.get(c.beam);
                    if (c.token == specials.end()) {
                        if (rank < width) { // an end below the top `width` would not have survived as a beam either
                            finished.add(new Hypothesis(parent.ids, c.logProbability,
                                    normalised(c.logProbability, length, search.lengthPenalty())));
                        }
                    } else {
                        parents[next.size()] = c.beam;
                        int[] ids = Arrays.copyOf(parent.ids, parent.ids.length + 1);
                        ids[ids.length - 1] = c.token;
                        next.add(new Beam(ids, c.logProbability, c.token));
                    }
                }
                alive = next;
                if (finished.size() >= width && done(search, finished, alive, length + 1)) {
                    alive = List.of();
                    break;
                }
                if (!alive.isEmpty()) {
                    int[] rows = Arrays.copyOf(parents, alive.size());
                    cache.selectRows(rows);
                    memory = encoded.indexSelect(0, IntTensor.of(new int[alive.size()], alive.size())); // (n', S, C)
                }
            }
            for (Beam beam : alive) { // reached maxLength without ending
                finished.add(new Hypothesis(beam.ids, beam.logProbability,
                        normalised(beam.logProbability, beam.ids.length, search.lengthPenalty())));
            }
            finished.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
            return List.copyOf(finished.subList(0, Math.min(width, finished.size())));
        });
    }

    private record Beam(int[] ids, double logProbability, int last) {}

    private record Candidate(int beam, int token, double logProbability) {}

    /** The {@code k} best one-token extensions of all beams, best first (ties: lower beam, then lower id). */
    private static List<Candidate> candidates(List<Beam> beams, float[] logProbs, int vocab, int k) {
        List<Candidate> all = new ArrayList<>();
        for (int b = 0; b < beams.size(); b++) {
            for (int token : Inference.topK(logProbs, b * vocab, vocab, k)) {
                all.add(new Candidate(b, token, beams.get(b).logProbability + logProbs[b * vocab + token]));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::logProbability).reversed()
                .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::token));
        return all.subList(0, Math.min(k, all.size()));
    }

    /** Whether the search may stop with {@code width} finished outputs and {@code alive} beams of the next length. */
    private static boolean done(BeamSearch search, List<Hypothesis> finished, List<Beam> alive, int nextLength) {
        if (search.earlyStop() || alive.isEmpty()) {
            return true;
        }
        double worst = finished.stream().map(Hypothesis::score).sorted(Comparator.reverseOrder())
                .skip(search.width() - 1).findFirst().orElse(Double.NEGATIVE_INFINITY);
        double bestAlive = normalised(alive.get(0).logProbability, nextLength, search.lengthPenalty());
        return bestAlive <= worst;
    }

    private static double normalised(double logProbability, int length, float lengthPenalty) {
        return logProbability / Math.pow(Math.max(1, length), lengthPenalty);
    }

    private void checkLength(int maxTokens) {
        int context = model.config().decoder().contextLength();
        if (maxTokens > context) {
            throw new IllegalArgumentException("Seq2SeqGenerator: " + maxTokens + " tokens requested but the decoder's context"
                    + " holds " + context + " positions (the start token and " + (context - 1) + " more); ask for at most "
                    + context);
        }
    }

    private IntTensor sourceIds(int[] source) {
        if (source.length == 0) {
            throw new IllegalArgumentException("Seq2SeqGenerator: the source is empty; give the encoder at least one token");
        }
        return IntTensor.of(source, 1, source.length);
    }
}
