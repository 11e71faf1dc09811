package io.orthrus.infer;

import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.KvCache;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Writes text with a {@link Gpt}: greedy or sampled (temperature, top-k, top-p), seeded, with a
 * KV cache and a callback per token.
 *
 * <p>With the cache, the prompt is run once and each new token costs one position of attention
 * over the cached keys and values. The model reads at most {@code contextLength} tokens: when the
 * sequence outgrows them, its window moves forward by {@link GenerationConfig#windowShift()}
 * positions (half the context by default), every position changes, and the window is run again
 * to refill the cache. Cached and uncached generation see the same windows and pick the same
 * tokens.
 *
 * <p>A right-to-left model takes an ending and writes what comes before it; the returned text
 * is in reading order.
 */
public final class Generator {
    private final Gpt model;
    private final Tokenizer tokenizer;

    /** A generator for {@code model}, with {@code tokenizer} for the text methods. */
    public Generator(Gpt model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** The generated text that follows {@code prompt} (precedes it, for a right-to-left model). */
    public String generate(String prompt, GenerationConfig config) {
        return generate(prompt, config, piece -> { });
    }

    /**
     * As {@link #generate(String, GenerationConfig)}, passing the new text to {@code onText} as it comes:
     * the text the new tokens add after the prompt's (a space a token begins with is kept; the bytes of a
     * character split over several tokens wait for its last one); a special stop token that ends the text
     * ({@code </s>}, {@code <|eot_id|>}) is not part of it, another (a period) is. Generation stops when the
     * text contains one of the config's stop strings, and the text ends before it (text that may be the start
     * of a stop string waits). The pieces joined are the text returned.
     * With a {@link io.orthrus.tokenize.PrefixedTokenizer} (Llama's), the prompt comes after its {@code <s>}.
     */
    public String generate(String prompt, GenerationConfig config, Consumer<String> onText) {
        return generateText(Inference.decoderInput(tokenizer, prompt), config, onText);
    }

    /**
     * As {@link #generate(String, GenerationConfig, Consumer)}, from a prompt already in ids, taken as
     * they are (such as a chat template's text, encoded: the template writes its own special tokens).
     */
    public String generateText(int[] promptIds, GenerationConfig config, Consumer<String> onText) {
        if (model.direction() == Direction.RIGHT_TO_LEFT) {
            int[] ids = generate(promptIds, config, id -> onText.accept(tokenizer.decode(new int[] {id})));
            return tokenizer.decode(ids);
        }
        TextStream stream = new TextStream(tokenizer, promptIds, config.stopStrings(), onText);
        generate(promptIds, config, id -> {
            if (!(config.stopsAt(id) && tokenizer.isSpecial(id))) { // an end token such as </s> is not text
                stream.add(id);
            }
        }, stream::stopped);
        return stream.finish();
    }

    /**
     * The text new tokens add after a prompt, as it grows: the decoding of prompt and new tokens less the
     * prompt's, so a decoder that drops the first space of a text (SentencePiece's) keeps the spaces
     * between prompt and continuation. Text that ends in U+FFFD (a character whose bytes are not all
     * there yet) is held back until a later token completes it or the stream ends.
     */
    private static final class TextStream {
        private final Tokenizer tokenizer;
        private final int promptLength;
        private final String promptText;
        private final Consumer<String> onText;
        private final java.util.List<String> stops;
        private int[] ids;
        private int size;
        private int emitted;
        private int cut = -1; // where a stop string begins, once one has come

        TextStream(Tokenizer tokenizer, int[] prompt, java.util.List<String> stops, Consumer<String> onText) {
            this.tokenizer = tokenizer;
            this.promptLength = prompt.length;
            this.promptText = tokenizer.decode(prompt);
            this.stops = stops;
            this.onText = onText;
            this.ids = Arrays.copyOf(prompt, prompt.length + 16);
            this.size = prompt.length;
        }

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[size++] = id;
            String text = text();
            for (String stop : stops) {
                int at = text.indexOf(stop, Math.max(0, emitted - stop.length()));
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                }
            }
            if (cut >= 0) {
                emit(text, cut);
                return;
            }
            int end = text.length();
            while (end > emitted && text.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            emit(text, end - stopPrefix(text, end));
        }

        /** Whether a stop string has come. */
        boolean stopped() {
            return cut >= 0;
        }

        /** The length of the longest end of {@code text[0, end)} that a stop string begins with (it may yet come). */
        private int stopPrefix(String text, int end) {
            int longest = 0;
            for (String stop : stops) {
                for (int n = Math.min(stop.length() - 1, end - emitted); n > longest; n--) {
                    if (text.startsWith(stop.substring(0, n), end - n)) {
                        longest = n;
                        break;
                    }
                }
            }
            return longest;
        }

        String finish() {
            String text = text();
            if (cut >= 0) {
                text = text.substring(0, cut);
            }
            emit(text, text.length());
            return text;
        }

        private void emit(String text, int end) {
            if (end > emitted) {
                onText.accept(text.substring(emitted, end));
                emitted = end;
            }
        }

        private String text() {
            String all = tokenizer.decode(Arrays.copyOf(ids, size));
            return all.startsWith(promptText) ? all.substring(promptText.length())
                    : tokenizer.decode(Arrays.copyOfRange(ids, promptLength, size));
        }
    }

    /**
     * The ids generated after {@code prompt} (in reading order: for a right-to-left model they come
     * before the prompt), calling {@code onToken} with each new id in the order generated.
     */
    public int[] generate(int[] prompt, GenerationConfig config, IntConsumer onToken) {
        return generate(prompt, config, onToken, () -> false);
    }

    /** As {@link #generate(int[], GenerationConfig, IntConsumer)}, stopping too once {@code stop} says so after a token. */
    int[] generate(int[] prompt, GenerationConfig config, IntConsumer onToken, java.util.function.BooleanSupplier stop) {
        int context = model.contextLength();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("Generator: the prompt is empty; give at least one token to start from");
        }
        if (prompt.length > context) {
            throw new IllegalArgumentException("Generator: the prompt has " + prompt.length + " tokens but the model's context"
                    + " holds " + context + "; shorten the prompt to its last " + context + " tokens");
        }
        if ((long) prompt.length + config.maxNewTokens() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Generator: " + config.maxNewTokens() + " new tokens after a prompt of "
                    + prompt.length + " make more than the " + (Integer.MAX_VALUE - 8) + " a sequence can hold; ask for at"
                    + " most " + (Integer.MAX_VALUE - 8 - prompt.length));
        }
        boolean backwards = model.direction() == Direction.RIGHT_TO_LEFT;
        int[] start = backwards ? reversed(prompt) : prompt;
        int[] sequence = model.evaluating(() -> continueSequence(start, config, onToken, stop));
        int[] generated = Arrays.copyOfRange(sequence, prompt.length, sequence.length);
        return backwards ? reversed(generated) : generated;
    }

    /** {@code start} followed by the tokens generated after it, in the model's reading order. */
    private int[] continueSequence(int[] start, GenerationConfig config, IntConsumer onToken,
                                   java.util.function.BooleanSupplier stop) {
        int context = model.contextLength();
        int shift = config.windowShift() == 0 ? Math.max(1, context / 2) : Math.min(config.windowShift(), context);
        Rng rng = new Rng(config.seed());
        long limit = (long) start.length + config.maxNewTokens();
        // Grown as tokens come: a generous maximum that a stop token cuts short is not allocated up front.
        int[] sequence = Arrays.copyOf(start, (int) Math.min(limit, start.length + 4096L));
        int length = start.length;
        int windowStart = 0;
        KvCache cache = config.useCache() ? model.newCache() : null;
        float[] logits = run(sequence, windowStart, length, cache);
        for (int n = 0; n < config.maxNewTokens(); n++) {
            int next = pick(logits, config, rng, sequence, length);
            if (length == sequence.length) {
                sequence = Arrays.copyOf(sequence, (int) Math.min(limit, 2L * length));
            }
            sequence[length++] = next;
            onToken.accept(next);
            if (config.stopsAt(next) || stop.getAsBoolean() || n == config.maxNewTokens() - 1) {
                break;
            }
            if (length - windowStart > context) { // the window moves: nothing cached is valid any more
                windowStart = Math.max(windowStart + shift, length - context);
                if (cache != null) {
                    cache.clear();
                }
                logits = run(sequence, windowStart, length, cache);
            } else if (cache != null) {
                logits = lastRow(model.forward(IntTensor.wrap(new int[] {next}, 1, 1), cache));
            } else {
                logits = run(sequence, windowStart, length, null);
            }
        }
        return Arrays.copyOf(sequence, length);
    }

    /** Logits of the token after {@code sequence[from, to)}, filling {@code cache} (if any) with that window. */
    private float[] run(int[] sequence, int from, int to, KvCache cache) {
        IntTensor input = IntTensor.wrap(Arrays.copyOfRange(sequence, from, to), 1, to - from);
        return lastRow(cache == null ? model.forward(input) : model.forward(input, cache));
    }

    static float[] lastRow(Tensor logits) { // (1, T, V) -> (V)
        int v = logits.size(-1), t = logits.size(1);
        return Arrays.copyOfRange(logits.data(), (t - 1) * v, t * v);
    }

    /** Chooses the next id from the logits of the last position (no repetition penalty: no history). */
    static int pick(float[] logits, GenerationConfig config, Rng rng) {
        return pick(logits, config, rng, new int[0], 0);
    }

    /**
     * Chooses the next id from the logits of the last position (changed in place) after the tokens
     * {@code sequence[0, length)}, which the repetition penalty counts.
     */
    static int pick(float[] logits, GenerationConfig config, Rng rng, int[] sequence, int length) {
        requireUsable(logits);
        if (config.repetitionPenalty() != 1f) { // each distinct token once, as transformers' scatter does
            float penalty = config.repetitionPenalty();
            boolean[] done = new boolean[logits.length];
            for (int i = 0; i < length; i++) {
                int id = sequence[i];
                if (id >= 0 && id < logits.length && !done[id]) {
                    done[id] = true;
                    logits[id] = logits[id] < 0 ? logits[id] * penalty : logits[id] / penalty;
                }
            }
        }
        if (config.temperature() == 0f) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        int v = logits.length;
        if (config.topK() == 0 && config.topP() >= 1f && config.minP() == 0f) {
            return sampleAll(logits, config.temperature(), rng);
        }
        int[] order = byDescendingLogit(logits);
        int keep = config.topK() > 0 ? Math.min(config.topK(), v) : v;
        double max = logits[order[0]];
        double[] probs = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp((logits[order[i]] - max) / config.temperature());
            total += probs[i];
        }
        if (config.topP() < 1f) { // smallest prefix whose probability reaches p
            double cumulative = 0;
            int nucleus = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += probs[i] / total;
                if (cumulative >= config.topP()) {
                    nucleus = i + 1;
                    break;
                }
            }
            keep = nucleus;
        }
        if (config.minP() > 0f) { // the likeliest token's probability is probs[0] / total: keep those ≥ minP of it
            int kept = 1;
            while (kept < keep && probs[kept] >= config.minP() * probs[0]) {
                kept++;
            }
            keep = kept;
        }
        total = 0;
        for (int i = 0; i < keep; i++) {
            total += probs[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= probs[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /**
     * Throws unless every logit is a number below +∞ (−∞ is a token ruled out): a NaN would make
     * greedy decoding pick token 0 forever and sampling draw from nothing, so it is refused as
     * PyTorch's {@code multinomial} refuses such probabilities.
     */
    static void requireUsable(float[] logits) {
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i]) || logits[i] == Float.POSITIVE_INFINITY) {
                throw new IllegalStateException("Generator: the model's logit for token " + i + " is " + logits[i]
                        + ", so there is no distribution to pick from; the weights or the input are broken");
            }
        }
    }

    /**
     * Token ids ordered from the largest logit to the smallest, ties by id: each (logit, id) pair
     * is packed into one long whose natural order is that order, so a primitive sort does it
     * without boxing (vocabularies reach 50,000 entries).
     */
    static int[] byDescendingLogit(float[] logits) {
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int ascending = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // integer order = float order
            keys[i] = ((long) ~ascending << 32) | i; // ~ reverses the order: largest logit first
        }
        java.util.Arrays.sort(keys);
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Samples from softmax(logits / temperature) over the whole vocabulary, in id order (no sort needed). */
    private static int sampleAll(float[] logits, float temperature, Rng rng) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp((logits[i] - max) / temperature);
            total += weights[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < logits.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return logits.length - 1;
    }

    private static int[] reversed(int[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[ids.length - 1 - i];
        }
        return out;
    }
}
