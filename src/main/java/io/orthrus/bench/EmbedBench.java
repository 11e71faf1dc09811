package io.orthrus.bench;

import com.google.gson.JsonObject;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.TextFiles;
import io.orthrus.infer.SentenceEncoder;
import io.orthrus.model.Bert;
import io.orthrus.model.Pooling;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Recipes;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sentence-embedding throughput: a sentence encoder (by default a random model of all-MiniLM-L6-v2's
 * shape with bert-base-uncased's vocabulary, mean pooling, normalised, 256 tokens at most; or
 * {@code --model DIR}, any folder {@link SentenceEncoder#load} reads) encodes a fixed set of texts of
 * mixed length in batches, as {@code SentenceEncoder.encode} does for a caller. The default set is
 * the lines of Tiny Shakespeare (1,500 single lines and 500 runs of four) and 500 sentences of the
 * generated grammar language; {@code --input FILE} takes one text per line instead, and
 * {@code --write-input FILE} writes the set used, for {@code src/test/python/embed_reference.py} to
 * time ONNX Runtime and sentence-transformers on the same texts.
 *
 * <p>One JSON line: {@code sentences_per_s} and {@code tokens_per_s} (median of {@code --rounds}
 * whole encodes after one warm-up), {@code p50_batch_ms} and {@code p99_batch_ms} (single batches,
 * timed apart), {@code peak_heap_mb}.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Examples:", "  orthrus bench embed --threads 2",
                "  orthrus bench embed --model all-MiniLM-L6-v2 --input texts.txt --batch 64"},
        description = "Sentences per second of a sentence encoder on texts of mixed length; prints one JSON line.")
public final class EmbedBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public EmbedBench() {}

    private static final String NAME = "bench embed";

    @Option(names = "--model", paramLabel = "DIR", description = "A sentence-transformers folder (default: a random"
            + " all-MiniLM-L6-v2-shaped model with ../shared/data/bert/vocab.txt).")
    Path model;

    @Option(names = "--vocab", defaultValue = "../shared/data/bert/vocab.txt", paramLabel = "FILE",
            description = "The WordPiece vocabulary of the default model (default: ${DEFAULT-VALUE}).")
    Path vocab;

    @Option(names = "--input", paramLabel = "FILE", description = "Texts, one per line (default: the mixed set above).")
    Path input;

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "The corpus the default set takes its lines from (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--write-input", paramLabel = "FILE", description = "Write the texts used here, one per line.")
    Path writeInput;

    @Option(names = "--batch", defaultValue = "32", description = "Texts per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed encodes of the whole set (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Mixin
    KernelThreads threads;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench embed} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new EmbedBench(), args).call();
    }

    /** Loads or builds the encoder, times it and returns the JSON line. */
    @Override
    public String call() throws IOException {
        threads.apply();
        if (batch < 1 || rounds < 1) {
            throw new IllegalArgumentException(NAME + ": --batch and --rounds must be >= 1, got " + batch + " and " + rounds);
        }
        SentenceEncoder encoder = (model != null ? SentenceEncoder.load(model) : randomMiniLm()).withBatchSize(batch);
        List<String> texts = input != null ? TextFiles.readUtf8(BenchSupport.requireFile(NAME, "--input", input))
                .lines().filter(l -> !l.isBlank()).toList() : defaultTexts();
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(NAME + ": " + input + " holds no text");
        }
        if (writeInput != null) {
            AtomicFiles.writeString(writeInput, String.join("\n", texts) + "\n");
        }
        encoder.encode(texts); // warm-up: the JIT compiles the kernels for these shapes
        double[] seconds = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            encoder.encode(texts);
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        double median = median(seconds);
        double[] batches = batchMillis(encoder, texts);
        long tokens = encoder.tokenCount(texts);

        JsonObject json = new JsonObject();
        json.addProperty("bench", "embed");
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("model", model == null ? "random all-MiniLM-L6-v2 shape" : model.toString());
        json.addProperty("batch", batch);
        json.addProperty("sentences", texts.size());
        json.addProperty("tokens", tokens);
        json.addProperty("sentences_per_s", BenchSupport.round(texts.size() / median));
        json.addProperty("tokens_per_s", Math.round(tokens / median));
        json.addProperty("p50_batch_ms", BenchSupport.round(percentile(batches, 0.50)));
        json.addProperty("p99_batch_ms", BenchSupport.round(percentile(batches, 0.99)));
        json.addProperty("peak_heap_mb", Math.round(BenchSupport.peakHeapBytes() / 1e6));
        return json.toString();
    }

    /** A random encoder of all-MiniLM-L6-v2's shape, built through the recipes' {@code minilm-l6} preset. */
    private SentenceEncoder randomMiniLm() throws IOException {
        WordPiece tokenizer = WordPiece.load(BenchSupport.requireFile(NAME, "--vocab", vocab), true);
        ConfigFile c = ConfigFile.empty(NAME);
        c.set("model.preset", "minilm-l6");
        Bert bert = new Bert(Recipes.shape(c, tokenizer.vocabSize()), new Rng(1));
        bert.eval();
        return new SentenceEncoder(bert, tokenizer, Pooling.of(Pooling.Mode.MEAN), true, 256);
    }

    /** 1,500 single lines and 500 runs of four lines of the corpus, and 500 grammar sentences: 2,500 texts. */
    private List<String> defaultTexts() throws IOException {
        List<String> lines = TextFiles.readUtf8(BenchSupport.requireFile(NAME, "--corpus", corpus)).lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 1500 && i < lines.size(); i++) {
            texts.add(lines.get(i * 7 % lines.size()));
        }
        for (int i = 0; i < 500 && lines.size() > 4; i++) {
            int at = i * 53 % (lines.size() - 4);
            texts.add(String.join(" ", lines.subList(at, at + 4)));
        }
        texts.addAll(Grammar.english().text(500, new Rng(7)).lines().filter(l -> !l.isBlank()).toList());
        return texts;
    }

    /** Milliseconds of each batch of the set encoded on its own, in the encoder's order (longest first). */
    private double[] batchMillis(SentenceEncoder encoder, List<String> texts) {
        List<String> sorted = new ArrayList<>(texts);
        sorted.sort((a, b) -> Integer.compare(b.length(), a.length()));
        double[] out = new double[(sorted.size() + batch - 1) / batch];
        for (int k = 0; k < out.length; k++) {
            List<String> part = sorted.subList(k * batch, Math.min(sorted.size(), (k + 1) * batch));
            long start = System.nanoTime();
            encoder.encode(part);
            out[k] = (System.nanoTime() - start) / 1e6;
        }
        return out;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
