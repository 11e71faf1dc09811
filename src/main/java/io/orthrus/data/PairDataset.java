package io.orthrus.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.files.TextFiles;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text pairs to train and evaluate sentence encoders and cross-encoders on, in one of two kinds:
 * <b>related pairs</b> (an anchor, a positive that means the same or answers it, optionally a hard
 * negative that looks alike but does not) for in-batch-negatives training, or <b>scored pairs</b>
 * (two texts and a similarity score) for regression. A JSONL file holds one kind, one object per
 * line: {@code {"anchor": …, "positive": …}} with an optional {@code "negative"}, or
 * {@code {"a": …, "b": …, "score": …}}; blank lines are skipped.
 */
public final class PairDataset {
    /**
     * One example.
     *
     * @param anchor   the anchor, or the first text of a scored pair
     * @param positive the positive, or the second text
     * @param negative a hard negative for the anchor, or null
     * @param score    the pair's score, or NaN for a related pair
     */
    public record Example(String anchor, String positive, String negative, double score) {
        /** Checks that both texts are present and that a scored pair has no negative. */
        public Example {
            if (anchor == null || positive == null) {
                throw new IllegalArgumentException("PairDataset.Example: both texts are needed");
            }
            if (!Double.isNaN(score) && (negative != null || Double.isInfinite(score))) {
                throw new IllegalArgumentException("PairDataset.Example: a scored pair needs a finite score and no"
                        + " negative");
            }
        }

        /** A related pair without a hard negative. */
        public static Example related(String anchor, String positive) {
            return new Example(anchor, positive, null, Double.NaN);
        }

        /** A related pair with a hard negative. */
        public static Example related(String anchor, String positive, String negative) {
            return new Example(anchor, positive, negative, Double.NaN);
        }

        /** Two texts and their score. */
        public static Example scored(String a, String b, double score) {
            return new Example(a, b, null, score);
        }

        /** Whether this is a scored pair. */
        public boolean isScored() {
            return !Double.isNaN(score);
        }
    }

    /** A dataset split in two. */
    public record Split(PairDataset train, PairDataset validation) {}

    private final List<Example> examples;
    private final boolean scored;
    private final boolean negatives;

    private PairDataset(List<Example> examples) {
        this.examples = List.copyOf(examples);
        this.scored = examples.get(0).isScored();
        this.negatives = examples.get(0).negative() != null;
    }

    /** The dataset of {@code examples}: at least one, all of one kind (related with or without negatives, or scored). */
    public static PairDataset of(List<Example> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("PairDataset: no examples");
        }
        Example first = examples.get(0);
        for (int i = 1; i < examples.size(); i++) {
            String problem = mismatch(first, examples.get(i));
            if (problem != null) {
                throw new IllegalArgumentException("PairDataset: example " + i + " " + problem);
            }
        }
        return new PairDataset(examples);
    }

    private static String mismatch(Example first, Example e) {
        if (e.isScored() != first.isScored()) {
            return "is " + (e.isScored() ? "a scored pair" : "a related pair") + " but the first is "
                    + (first.isScored() ? "a scored pair" : "a related pair") + "; one file holds one kind";
        }
        if ((e.negative() == null) != (first.negative() == null)) {
            return (e.negative() == null ? "has no" : "has a") + " \"negative\" but the first "
                    + (first.negative() == null ? "has none" : "has one") + "; give every example one or none";
        }
        return null;
    }

    /**
     * Reads a JSONL file of examples (strict UTF-8); an error names the file, the line and what is
     * wrong with it.
     */
    public static PairDataset readJsonl(Path file) throws IOException {
        String text = TextFiles.readUtf8(file);
        List<Example> examples = new ArrayList<>();
        Example first = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            Example e = example(where, line);
            if (first == null) {
                first = e;
            } else {
                String problem = mismatch(first, e);
                if (problem != null) {
                    throw new IllegalArgumentException(where + "this line " + problem);
                }
            }
            examples.add(e);
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no pairs (one JSON object per line: {\"anchor\", \"positive\"}"
                    + " or {\"a\", \"b\", \"score\"})");
        }
        return new PairDataset(examples);
    }

    private static Example example(String where, String line) {
        JsonObject o;
        try {
            JsonElement parsed = JsonParser.parseString(line);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException(where + "not a JSON object");
            }
            o = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + "not valid JSON (" + rootCause(e) + ")");
        }
        if (o.has("anchor") || o.has("positive")) {
            return Example.related(text(where, o, "anchor"), text(where, o, "positive"),
                    o.has("negative") ? text(where, o, "negative") : null);
        }
        if (o.has("a") || o.has("b") || o.has("score")) {
            JsonElement score = o.get("score");
            double value;
            try {
                value = score == null || !score.isJsonPrimitive() || !score.getAsJsonPrimitive().isNumber()
                        ? Double.NaN : score.getAsDouble();
            } catch (NumberFormatException e) {
                value = Double.NaN;
            }
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(where + "field \"score\" must be a finite number, got " + score);
            }
            return Example.scored(text(where, o, "a"), text(where, o, "b"), value);
        }
        throw new IllegalArgumentException(where + "needs \"anchor\" and \"positive\" (optional \"negative\"), or \"a\","
                + " \"b\" and \"score\"; found fields " + o.keySet());
    }

    private static String text(String where, JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + "field \"" + field + "\" must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    /** The examples, in order. */
    public List<Example> examples() {
        return examples;
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Whether the examples are scored pairs (else related pairs). */
    public boolean scored() {
        return scored;
    }

    /** Whether every related pair has a hard negative. */
    public boolean hasNegatives() {
        return negatives;
    }

    /** Every distinct text of the dataset, in order of first appearance (to learn a vocabulary from). */
    public List<String> texts() {
        Set<String> texts = new LinkedHashSet<>();
        for (Example e : examples) {
            texts.add(e.anchor());
            texts.add(e.positive());
            if (e.negative() != null) {
                texts.add(e.negative());
            }
        }
        return List.copyOf(texts);
    }

    /**
     * A random {@code validationFraction} of the examples (at least one) held out from the rest, which
     * keeps at least one; the order inside each part is the file's.
     */
    public Split split(double validationFraction, Rng rng) {
        if (!(validationFraction > 0 && validationFraction < 1) || examples.size() < 2) {
            throw new IllegalArgumentException("PairDataset.split: needs a fraction in (0, 1) and 2 or more examples, got "
                    + validationFraction + " and " + examples.size());
        }
        int held = (int) Math.max(1, Math.min(examples.size() - 1, Math.round(validationFraction * examples.size())));
        boolean[] validation = new boolean[examples.size()];
        for (int index : sample(examples.size(), held, rng)) {
            validation[index] = true;
        }
        List<Example> train = new ArrayList<>(), val = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (validation[i] ? val : train).add(examples.get(i));
        }
        return new Split(new PairDataset(train), new PairDataset(val));
    }

    /**
     * Batches of {@code batchSize} examples (all of them when there are fewer) drawn at random without
     * repeats inside a batch, each text encoded as {@code [CLS] text [SEP]} and truncated to
     * {@code maxLength} tokens: the input of contrastive objectives.
     */
    public BatchSource<PairBatch> batches(EncoderTokenizer tokenizer, int maxLength, int batchSize, Rng rng) {
        requireBatch(batchSize);
        List<Encoding> anchors = new ArrayList<>(), positives = new ArrayList<>(), negativeList = new ArrayList<>();
        for (Example e : examples) {
            anchors.add(tokenizer.encode(e.anchor(), maxLength));
            positives.add(tokenizer.encode(e.positive(), maxLength));
            if (negatives) {
                negativeList.add(tokenizer.encode(e.negative(), maxLength));
            }
        }
        int b = Math.min(batchSize, examples.size());
        int pad = tokenizer.padId();
        return new Sampled<>(rng, () -> {
            int[] picked = sample(examples.size(), b, rng);
            float[] scores = new float[b];
            for (int i = 0; i < b; i++) {
                scores[i] = (float) examples.get(picked[i]).score();
            }
            return new PairBatch(TokenBatch.of(pick(anchors, picked), pad), TokenBatch.of(pick(positives, picked), pad),
                    negatives ? TokenBatch.of(pick(negativeList, picked), pad) : null,
                    scored ? Tensor.wrap(scores, b) : null);
        });
    }

    /**
     * Batches for a cross-encoder: each text pair encoded together ({@code [CLS] a [SEP] b [SEP]},
     * truncated longest-first to {@code maxLength}) with its target. Scored pairs give their score
     * (which must be in [0, 1]); a related pair gives (anchor, positive) with target 1 and (anchor,
     * negative) with target 0, where the negative is the example's own or, when the dataset has none,
     * the positive of another example of the batch. A batch holds {@code batchSize} examples.
     */
    public BatchSource<ScoredBatch> crossEncoderBatches(EncoderTokenizer tokenizer, int maxLength, int batchSize, Rng rng) {
        requireBatch(batchSize);
        if (scored) {
            for (int i = 0; i < examples.size(); i++) {
                double s = examples.get(i).score();
                if (s < 0 || s > 1) {
                    throw new IllegalArgumentException("PairDataset: example " + i + " has score " + s + "; a"
                            + " cross-encoder learns targets in [0, 1]");
                }
            }
        }
        int b = Math.min(batchSize, examples.size());
        if (!scored && !negatives && b < 2) {
            throw new IllegalArgumentException("PairDataset: in-batch negatives need batches of 2 or more examples");
        }
        return new Sampled<>(rng, () -> {
            int[] picked = sample(examples.size(), b, rng);
            List<Encoding> pairs = new ArrayList<>();
            List<Float> targets = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                Example e = examples.get(picked[i]);
                pairs.add(tokenizer.encodePair(e.anchor(), e.positive(), maxLength));
                targets.add(scored ? (float) e.score() : 1f);
                if (!scored) {
                    String negative = negatives ? e.negative() : examples.get(picked[(i + 1) % b]).positive();
                    pairs.add(tokenizer.encodePair(e.anchor(), negative, maxLength));
                    targets.add(0f);
                }
            }
            float[] t = new float[targets.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = targets.get(i);
            }
            return new ScoredBatch(TokenBatch.of(pairs, tokenizer.padId()), Tensor.wrap(t, t.length));
        });
    }

    private static void requireBatch(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("PairDataset: batch size must be ≥ 1, got " + batchSize);
        }
    }

    private static List<Encoding> pick(List<Encoding> all, int[] indices) {
        List<Encoding> picked = new ArrayList<>(indices.length);
        for (int i : indices) {
            picked.add(all.get(i));
        }
        return picked;
    }

    /** {@code k} distinct indices of [0, n) in random order (Floyd's sampling, then a shuffle). */
    private static int[] sample(int n, int k, Rng rng) {
        Set<Integer> chosen = new LinkedHashSet<>();
        for (int j = n - k; j < n; j++) {
            int r = rng.nextInt(j + 1);
            chosen.add(chosen.contains(r) ? j : r);
        }
        int[] out = chosen.stream().mapToInt(Integer::intValue).toArray();
        for (int i = out.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = out[i];
            out[i] = out[j];
            out[j] = tmp;
        }
        return out;
    }

    /** Batches drawn from one generator, which a checkpoint saves so that a resumed run draws the same ones. */
    private record Sampled<B>(Rng rng, java.util.function.Supplier<B> draw) implements BatchSource<B> {
        @Override
        public B next() {
            return draw.get();
        }

        @Override
        public Map<String, Rng> generators() {
            return Map.of("pairs", rng);
        }
    }

    @Override
    public String toString() {
        return "PairDataset(" + examples.size() + (scored ? " scored pairs" : negatives ? " triplets" : " related pairs")
                + ")";
    }
}
