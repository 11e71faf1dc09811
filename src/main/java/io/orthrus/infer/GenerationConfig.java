package io.orthrus.infer;

/**
 * How to pick each new token.
 *
 * @param maxNewTokens how many tokens to generate at most
 * @param temperature  0 for greedy (always the most likely token); otherwise logits are divided by it before sampling
 * @param topK         sample only among the k most likely tokens (0 = all)
 * @param topP         nucleus sampling: only among the most likely tokens whose probabilities add up to p (1 = all)
 * @param stopTokens   stop after generating any of these ids (empty = never), such as a model's end-of-text tokens
 * @param seed         seed of the sampling generator
 * @param useCache     reuse keys and values across steps (KV cache); false re-runs the whole window each step
 * @param windowShift  once the sequence fills the context, how many positions the model's window moves forward
 *                     at a time (0 = half the context): 1 always shows the model the longest context (as nanoGPT)
 *                     but re-runs the window for every token; larger shifts let the cache work between moves
 */
public record GenerationConfig(int maxNewTokens, float temperature, int topK, float topP, java.util.Set<Integer> stopTokens,
                               long seed, boolean useCache, int windowShift) {
    /** Checks every field; the stop tokens are copied. */
    public GenerationConfig {
        stopTokens = java.util.Set.copyOf(stopTokens);
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
        if (windowShift < 0) {
            throw new IllegalArgumentException("GenerationConfig: windowShift must be >= 0 (0 = half the context), got "
                    + windowShift);
        }
    }

    /** Always the most likely token. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0f, 0, 1f, java.util.Set.of(), 0, true, 0);
    }

    /** Sampling at {@code temperature} from all tokens, seeded. */
    public static GenerationConfig sampling(int maxNewTokens, float temperature, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, 0, 1f, java.util.Set.of(), seed, true, 0);
    }

    /** A copy sampling among the {@code k} most likely tokens. */
    public GenerationConfig withTopK(int k) {
        return new GenerationConfig(maxNewTokens, temperature, k, topP, stopTokens, seed, useCache, windowShift);
    }

    /** A copy with nucleus sampling at {@code p}. */
    public GenerationConfig withTopP(float p) {
        return new GenerationConfig(maxNewTokens, temperature, topK, p, stopTokens, seed, useCache, windowShift);
    }

    /** A copy that stops after {@code token} (and no other). */
    public GenerationConfig withStopToken(int token) {
        return withStopTokens(java.util.Set.of(token));
    }

    /** A copy that stops after any of {@code tokens} (none: only at {@link #maxNewTokens}). */
    public GenerationConfig withStopTokens(java.util.Collection<Integer> tokens) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, java.util.Set.copyOf(tokens), seed, useCache,
                windowShift);
    }

    /** Whether generating {@code id} ends the text. */
    public boolean stopsAt(int id) {
        return stopTokens.contains(id);
    }

    /** A copy with the KV cache on or off. */
    public GenerationConfig withCache(boolean on) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, stopTokens, seed, on, windowShift);
    }

    /** A copy whose window moves {@code positions} at a time once the context is full (0 = half the context). */
    public GenerationConfig withWindowShift(int positions) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, stopTokens, seed, useCache, positions);
    }
}
