package io.orthrus.infer;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * How to pick each new token, as transformers' {@code generate} picks it: the repetition penalty on the
 * logits of tokens already in the sequence, then the temperature, then top-k, top-p and min-p keep the
 * likeliest tokens, and one is drawn (or the most likely taken, at temperature 0).
 *
 * @param maxNewTokens      how many tokens to generate at most
 * @param temperature       0 for greedy (always the most likely token); otherwise logits are divided by it before sampling
 * @param topK              sample only among the k most likely tokens (0 = all)
 * @param topP              nucleus sampling: only among the most likely tokens whose probabilities add up to p (1 = all)
 * @param minP              only among tokens at least {@code minP} times as likely as the likeliest (0 = all)
 * @param repetitionPenalty a token already in the sequence (prompt included) has its logit divided by this when
 *                          positive and multiplied when negative (CTRL's penalty; 1 = none)
 * @param stopTokens        stop after generating any of these ids (empty = never), such as a model's end-of-text tokens
 * @param stopStrings       the text methods stop when the text contains any of these, and cut it before it
 * @param seed              seed of the sampling generator
 * @param useCache          reuse keys and values across steps (KV cache); false re-runs the whole window each step
 * @param windowShift       once the sequence fills the context, how many positions the model's window moves forward
 *                          at a time (0 = half the context): 1 always shows the model the longest context (as nanoGPT)
 *                          but re-runs the window for every token; larger shifts let the cache work between moves
 */
public record GenerationConfig(int maxNewTokens, float temperature, int topK, float topP, float minP,
                               float repetitionPenalty, Set<Integer> stopTokens, List<String> stopStrings, long seed,
                               boolean useCache, int windowShift) {
    /** Checks every field; the stop tokens and strings are copied. */
    public GenerationConfig {
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("GenerationConfig: maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("GenerationConfig: temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("GenerationConfig: topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("GenerationConfig: topP must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("GenerationConfig: minP must be in [0, 1] (0 = off), got " + minP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("GenerationConfig: repetitionPenalty must be finite and > 0 (1 = off), got "
                    + repetitionPenalty);
        }
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("GenerationConfig: a stop string is empty");
        }
        if (windowShift < 0) {
            throw new IllegalArgumentException("GenerationConfig: windowShift must be >= 0 (0 = half the context), got "
                    + windowShift);
        }
    }

    /** Always the most likely token. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0f, 0, 1f, 0f, 1f, Set.of(), List.of(), 0, true, 0);
    }

    /** Sampling at {@code temperature} from all tokens, seeded. */
    public static GenerationConfig sampling(int maxNewTokens, float temperature, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, 0, 1f, 0f, 1f, Set.of(), List.of(), seed, true, 0);
    }

    /** A copy sampling among the {@code k} most likely tokens. */
    public GenerationConfig withTopK(int k) {
        return edit(d -> d.topK = k);
    }

    /** A copy with nucleus sampling at {@code p}. */
    public GenerationConfig withTopP(float p) {
        return edit(d -> d.topP = p);
    }

    /** A copy sampling only among tokens at least {@code p} times as likely as the likeliest. */
    public GenerationConfig withMinP(float p) {
        return edit(d -> d.minP = p);
    }

    /** A copy that penalises tokens already in the sequence by {@code penalty} (1.1–1.3 are usual; 1 = none). */
    public GenerationConfig withRepetitionPenalty(float penalty) {
        return edit(d -> d.repetitionPenalty = penalty);
    }

    /** A copy that stops after {@code token} (and no other). */
    public GenerationConfig withStopToken(int token) {
        return withStopTokens(Set.of(token));
    }

    /** A copy that stops after any of {@code tokens} (none: only at {@link #maxNewTokens}). */
    public GenerationConfig withStopTokens(Collection<Integer> tokens) {
        return edit(d -> d.stopTokens = Set.copyOf(tokens));
    }

    /** A copy whose text methods stop at any of {@code strings}, the text cut before it. */
    public GenerationConfig withStopStrings(Collection<String> strings) {
        return edit(d -> d.stopStrings = List.copyOf(strings));
    }

    /** Whether generating {@code id} ends the text. */
    public boolean stopsAt(int id) {
        return stopTokens.contains(id);
    }

    /** A copy with the KV cache on or off. */
    public GenerationConfig withCache(boolean on) {
        return edit(d -> d.useCache = on);
    }

    /** A copy whose window moves {@code positions} at a time once the context is full (0 = half the context). */
    public GenerationConfig withWindowShift(int positions) {
        return edit(d -> d.windowShift = positions);
    }

    private GenerationConfig edit(java.util.function.Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return new GenerationConfig(d.maxNewTokens, d.temperature, d.topK, d.topP, d.minP, d.repetitionPenalty, d.stopTokens,
                d.stopStrings, d.seed, d.useCache, d.windowShift);
    }

    /** The fields of a config being copied with a change (the record's constructor checks the result). */
    private static final class Draft {
        int maxNewTokens;
        float temperature;
        int topK;
        float topP;
        float minP;
        float repetitionPenalty;
        Set<Integer> stopTokens;
        List<String> stopStrings;
        long seed;
        boolean useCache;
        int windowShift;

        Draft(GenerationConfig c) {
            maxNewTokens = c.maxNewTokens;
            temperature = c.temperature;
            topK = c.topK;
            topP = c.topP;
            minP = c.minP;
            repetitionPenalty = c.repetitionPenalty;
            stopTokens = c.stopTokens;
            stopStrings = c.stopStrings;
            seed = c.seed;
            useCache = c.useCache;
            windowShift = c.windowShift;
        }
    }
}
