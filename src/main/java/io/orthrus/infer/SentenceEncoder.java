package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Bert;
import io.orthrus.model.Pooling;
import io.orthrus.nn.PackedWeights;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text to vectors with a pretrained sentence encoder, as sentence-transformers' {@code encode}:
 * the texts are tokenized ({@code [CLS] text [SEP]}, truncated to {@link #maxSequenceLength()}
 * tokens: the end of a longer text is dropped, which is not an error), sorted by length and run
 * through the encoder in batches padded to the longest text of each batch, and the token vectors are
 * pooled ({@link Pooling}) and, when the model says so, scaled to unit length.
 *
 * <pre>{@code
 * SentenceEncoder encoder = SentenceEncoder.load(Path.of("all-MiniLM-L6-v2"));
 * float[][] vectors = encoder.encode(List.of("A man is eating food.", "A man is riding a horse."));
 * float[] query = encoder.withPromptName("query").encode("what does the man eat?");
 * }</pre>
 *
 * <p>An encoder is immutable and thread-safe: threads may call {@code encode} on one instance at
 * the same time (the model runs in each thread's own evaluation scope); the {@code with…} methods
 * return new encoders sharing the model. An encoder reads the model's linear weights once, when
 * it is made ({@link PackedWeights}: a copy laid out for the matrix kernel, as much memory again as
 * those weights); to encode with weights trained afterwards, make a new encoder. Whole batches of a
 * long list run on the pool's threads at the same time.
 */
public final class SentenceEncoder {
    /** Texts per batch unless {@link #withBatchSize} says otherwise, as in sentence-transformers. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final Bert model;
    private final EncoderTokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final int maxSequenceLength;
    private final boolean lowerCase;
    private final Map<String, String> prompts;
    private final String prompt;
    private final int batchSize;
    private final PackedWeights packed;

    private SentenceEncoder(Bert model, EncoderTokenizer tokenizer, Pooling pooling, boolean normalize, int maxSequenceLength,
                            boolean lowerCase, Map<String, String> prompts, String prompt, int batchSize,
                            PackedWeights packed) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.normalize = normalize;
        this.maxSequenceLength = maxSequenceLength;
        this.lowerCase = lowerCase;
        this.prompts = Map.copyOf(prompts);
        this.prompt = prompt;
        this.batchSize = batchSize;
        this.packed = packed;
    }

    /**
     * An encoder of {@code model} (switched to evaluation mode by the loaders; {@code encode}
     * never changes its mode) with {@code tokenizer}, pooling and optional normalisation; texts keep
     * at most {@code maxSequenceLength} tokens, at most the model's positions.
     */
    public SentenceEncoder(Bert model, EncoderTokenizer tokenizer, Pooling pooling, boolean normalize, int maxSequenceLength) {
        this(model, tokenizer, pooling, normalize, checkLength(model, maxSequenceLength), false, Map.of(), "",
                DEFAULT_BATCH_SIZE, PackedWeights.of(model));
        Inference.checkVocabulary("SentenceEncoder", model.vocabSize(), tokenizer.vocabSize());
    }

    private static int checkLength(Bert model, int maxSequenceLength) {
        if (maxSequenceLength < 2 || maxSequenceLength > model.contextLength()) {
            throw new IllegalArgumentException("SentenceEncoder: maxSequenceLength must be in [2, " + model.contextLength()
                    + "] (the model's positions), got " + maxSequenceLength);
        }
        return maxSequenceLength;
    }

    /**
     * The encoder of a sentence-transformers folder ({@code modules.json} with Transformer, Pooling
     * and optionally Normalize, in the layout of any sentence-transformers version), or of a plain
     * Hugging Face BERT folder with mean pooling; the folder's default prompt, if it names one, is used.
     */
    public static SentenceEncoder load(Path folder) throws IOException {
        SentenceTransformersFolder read = SentenceTransformersFolder.read(folder);
        Inference.checkVocabulary("SentenceEncoder", read.model().vocabSize(), read.tokenizer().vocabSize());
        String prompt = read.defaultPromptName() == null ? "" : read.prompts().get(read.defaultPromptName());
        return new SentenceEncoder(read.model(), read.tokenizer(), read.pooling(), read.normalize(),
                read.maxSequenceLength(), read.lowerCase(), read.prompts(), prompt, DEFAULT_BATCH_SIZE,
                PackedWeights.of(read.model()));
    }

    /**
     * Writes this encoder as a sentence-transformers folder, which {@code SentenceTransformer(dir)}
     * in Python and {@link #load} read with the same vectors (the prompt set with {@link #withPrompt}
     * is not saved; the model's named prompts are).
     */
    public void save(Path folder) throws IOException {
        if (lowerCase) {
            throw new IllegalStateException("SentenceEncoder.save: this model lower-cases texts outside its tokenizer"
                    + " (do_lower_case); save a copy of its folder instead");
        }
        SentenceTransformersFolder.write(folder, model, tokenizer, pooling, normalize, maxSequenceLength, prompts);
    }

    /** This encoder with {@code size} texts per batch (1 or more). */
    public SentenceEncoder withBatchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("SentenceEncoder: batch size must be >= 1, got " + size);
        }
        return new SentenceEncoder(model, tokenizer, pooling, normalize, maxSequenceLength, lowerCase, prompts, prompt, size,
                packed);
    }

    /** This encoder with vectors scaled to unit length, or not, whatever the model says. */
    public SentenceEncoder withNormalization(boolean unitLength) {
        return new SentenceEncoder(model, tokenizer, pooling, unitLength, maxSequenceLength, lowerCase, prompts, prompt,
                batchSize, packed);
    }

    /** This encoder putting {@code text} before every text, such as {@code "query: "} (E5, BGE); "" for none. */
    public SentenceEncoder withPrompt(String text) {
        return new SentenceEncoder(model, tokenizer, pooling, normalize, maxSequenceLength, lowerCase, prompts,
                text == null ? "" : text, batchSize, packed);
    }

    /** This encoder with the model's prompt {@code name} (see {@link #prompts()}). */
    public SentenceEncoder withPromptName(String name) {
        String text = prompts.get(name);
        if (text == null) {
            throw new IllegalArgumentException("SentenceEncoder: the model has no prompt '" + name + "'; its prompts are "
                    + prompts.keySet());
        }
        return withPrompt(text);
    }

    /** The model's named prompts, such as {@code "query" → "query: "}; empty when it has none. */
    public Map<String, String> prompts() {
        return prompts;
    }

    /** Whether vectors are scaled to unit length. */
    public boolean normalizes() {
        return normalize;
    }

    /** The width of a sentence vector. */
    public int dimension() {
        return pooling.outputWidth(model.config().width());
    }

    /** The most tokens of a text the encoder reads, {@code [CLS]} and {@code [SEP]} included; the rest is dropped. */
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    /** The encoder the vectors come from (shared with every encoder derived from this one), its weights as they were when this encoder was made. */
    public Bert model() {
        return model;
    }

    /** The tokenizer. */
    public EncoderTokenizer tokenizer() {
        return tokenizer;
    }

    /** The pooling of token vectors into a sentence vector. */
    public Pooling pooling() {
        return pooling;
    }

    /** The tokens the encoder reads for {@code texts}: each with its prompt, truncated, {@code [CLS]} and {@code [SEP]} included. */
    public long tokenCount(List<String> texts) {
        long total = 0;
        for (Encoding encoding : tokenize(texts)) {
            total += encoding.length();
        }
        return total;
    }

    /** The vector of one text, of width {@link #dimension()}. */
    public float[] encode(String text) {
        return encode(List.of(text))[0];
    }

    /** One vector per text, in the order given, each of width {@link #dimension()}. */
    public float[][] encode(List<String> texts) {
        List<Encoding> encodings = tokenize(texts);
        int skip = prompt.isEmpty() ? 0 : promptLength();
        return Inference.inBatches(encodings, batchSize, batch -> encodeBatch(batch, skip));
    }

    /** Each text with the prompt before it, lower-cased if the model says so, tokenized and truncated. */
    private List<Encoding> tokenize(List<String> texts) {
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (String text : texts) {
            if (text == null) {
                throw new IllegalArgumentException("SentenceEncoder.encode: text " + encodings.size() + " is null");
            }
            String input = prompt + text;
            encodings.add(tokenizer.encode(lowerCase ? input.toLowerCase(Locale.ROOT) : input, maxSequenceLength));
        }
        return encodings;
    }

    /** Tokens of the prompt a pooling that leaves it out skips: {@code [CLS]} and the prompt's pieces. */
    private int promptLength() {
        String input = lowerCase ? prompt.toLowerCase(Locale.ROOT) : prompt;
        return tokenizer.encode(input, maxSequenceLength).length() - 1; // without the closing [SEP]
    }

    /** Pooled (and normalised) vectors of one batch, padded to its longest text. */
    private float[][] encodeBatch(List<Encoding> batch, int skip) {
        TokenBatch tokens = TokenBatch.of(batch, tokenizer.padId());
        float[] hidden = packed.apply(() -> model.evaluating(() -> model.encode(tokens).data())); // (B, T, C)
        int t = tokens.length(), c = model.config().width();
        float[][] vectors = new float[batch.size()][dimension()];
        for (int b = 0; b < batch.size(); b++) {
            pooling.pool(hidden, t, c, b, batch.get(b).length(), skip, vectors[b], 0);
            if (normalize) {
                normalize(vectors[b]);
            }
        }
        return vectors;
    }

    /** Scales {@code v} to unit length, as {@code torch.nn.functional.normalize} (a zero vector stays zero). */
    private static void normalize(float[] v) {
        double squares = 0;
        for (float x : v) {
            squares += (double) x * x;
        }
        double scale = 1 / Math.max(Math.sqrt(squares), 1e-12);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * scale);
        }
    }

    @Override
    public String toString() {
        return "SentenceEncoder(" + model.config().layers() + " layers, width " + model.config().width() + ", " + pooling
                + (normalize ? ", normalized" : "") + ", max " + maxSequenceLength + " tokens)";
    }
}
