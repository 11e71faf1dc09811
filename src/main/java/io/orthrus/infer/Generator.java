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
     * ({@code </s>}, {@code <|eot_id|>}) is not part of it, another (a period) is. The pieces joined are the
     * text returned.
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
        TextStream stream = new TextStream(tokenizer, promptIds, onText);
        generate(promptIds, config, id -> {
            if (!(config.stopsAt(id) && tokenizer.isSpecial(id))) { // an end token such as </s> is not text
                stream.add(id);
            }
        });
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
        private int[] ids;
        private int size;
        private int emitted;

        TextStream(Tokenizer tokenizer, int[] prompt, Consumer<String> onText) {
            this.tokenizer = tokenizer;
            this.promptLength = prompt.length;
            this.promptText = tokenizer.decode(prompt);
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
            int end = text.length();
            while (end > emitted && text.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            emit(text, end);
        }

        String finish() {
            String text = text();
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
        int[] sequence = model.evaluating(() -> continueSequence(start, config, onToken));
        int[] generated = Arrays.copyOfRange(sequence, prompt.length, sequence.length);
        return backwards ? reversed(generated) : generated;
    }

    /** {@code start} followed by the tokens generated after it, in the model's reading order. */
    private int[] continueSequence(int[] start, GenerationConfig config, IntConsumer onToken) {
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
            int next = pick(logits, config, rng);
            if (length == sequence.length) {
                sequence = Arrays.copyOf(sequence, (int) Math.min(limit, 2L * length));
            }
            sequence[length++] = next;
            onToken.accept(next);
            if (config.stopsAt(next) || n == config.maxNewTokens() - 1) {
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

    /** Chooses the next id from the logits of the last position. */
    static int pick(float[] logits, GenerationConfig config, Rng rng) {
        requireUsable(logits);
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
        if (config.topK() == 0 && config.topP() >= 1f) {
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
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += probs[i];
            }
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
