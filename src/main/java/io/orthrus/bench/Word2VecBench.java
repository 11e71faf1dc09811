package io.orthrus.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.orthrus.model.Word2Vec;
import io.orthrus.model.WordVectors;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.Recipes;
import io.orthrus.recipe.Word2VecRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Word2vec CBOW on a corpus (by default Tiny Shakespeare, one sentence per line), with the options
 * of the {@code cbow} recipe that {@code orthrus train} uses: training speed
 * in words per second for each requested thread count, and the nearest neighbours and analogies
 * of some probe words from the first run.
 *
 * <p>Options: {@code --corpus FILE}, {@code --threads 1,2} (one run per count), {@code --dimensions
 * 100}, {@code --window 5}, {@code --negative 5}, {@code --sample 1e-3}, {@code --min-count 5},
 * {@code --epochs 5}, {@code --seed 1}.
 */
@Command(name = "word2vec", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Example:", "  orthrus bench word2vec --threads 1,2"},
        description = "Word2vec CBOW: training speed per thread count, neighbours and analogies; prints one JSON line.")
public final class Word2VecBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public Word2VecBench() {}

    private static final String NAME = "Word2VecBench";
    private static final List<String> PROBES = List.of("king", "love", "lord", "death", "night", "sweet", "romeo");
    private static final List<List<String>> ANALOGIES = List.of(List.of("man", "king", "woman"),
            List.of("he", "his", "she"), List.of("good", "better", "bad"));

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "UTF-8 text, one sentence per line (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--threads", defaultValue = "1,2", split = ",", paramLabel = "K",
            description = "Training threads; one run per count (default: ${DEFAULT-VALUE}).")
    List<Integer> threadCounts;

    @Option(names = "--dimensions", defaultValue = "100", description = "Vector length (default: ${DEFAULT-VALUE}).")
    int dimensions;

    @Option(names = "--window", defaultValue = "5", description = "Context words on each side (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--negative", defaultValue = "5", description = "Negative samples; 0 = full softmax (default: ${DEFAULT-VALUE}).")
    int negative;

    @Option(names = "--sample", defaultValue = "1e-3", description = "Sub-sampling threshold (default: ${DEFAULT-VALUE}).")
    double sample;

    @Option(names = "--min-count", defaultValue = "5", description = "Rarer words are left out (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the corpus (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench word2vec} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new Word2VecBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        BenchSupport.requireCorpus(NAME, corpus);
        ConfigFile c = ConfigFile.empty("bench word2vec");
        c.set("data.corpus", corpus.toAbsolutePath().toString());
        c.set("model.width", Integer.toString(dimensions));
        c.set("window", Integer.toString(window));
        c.set("negative", Integer.toString(negative));
        c.set("sample", Double.toString(sample));
        c.set("min_count", Integer.toString(minCount));
        c.set("epochs", Integer.toString(epochs));
        c.set("seed", Long.toString(seed));
        List<String> lines = Word2VecRecipe.sentences(Recipes.corpus(c, Path.of("")));
        Word2Vec.Options options = Word2VecRecipe.options(c);
        c.rejectUnread();
        JsonObject json = new JsonObject();
        json.addProperty("bench", "word2vec-cbow");
        json.addProperty("options", options.toString());
        JsonArray runs = new JsonArray();
        Word2Vec first = null;
        for (int count : threadCounts) {
            Word2Vec model = Word2Vec.train(lines, options.withThreads(count));
            first = first == null ? model : first;
            JsonObject run = new JsonObject();
            run.addProperty("threads", model.options().threads());
            run.addProperty("seconds", BenchSupport.round(model.statistics().seconds()));
            run.addProperty("words_per_s", Math.round(model.statistics().wordsPerSecond()));
            runs.add(run);
        }
        json.addProperty("vocabulary", first.vocabulary().size());
        json.addProperty("corpus_words", first.statistics().words() / options.epochs());
        json.add("runs", runs);
        WordVectors vectors = first.vectors();
        JsonObject neighbours = new JsonObject();
        for (String probe : PROBES) {
            if (vectors.contains(probe)) {
                neighbours.addProperty(probe, describe(vectors.nearest(probe, 5)));
            }
        }
        json.add("nearest", neighbours);
        JsonObject analogies = new JsonObject();
        for (List<String> a : ANALOGIES) {
            if (a.stream().allMatch(vectors::contains)) {
                analogies.addProperty(a.get(1) + " - " + a.get(0) + " + " + a.get(2),
                        describe(vectors.analogy(a.get(0), a.get(1), a.get(2), 3)));
            }
        }
        json.add("analogies", analogies);
        return json.toString();
    }

    private static String describe(List<WordVectors.Neighbour> neighbours) {
        StringBuilder out = new StringBuilder();
        for (WordVectors.Neighbour n : neighbours) {
            out.append(out.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", n.word(), n.cosine()));
        }
        return out.toString();
    }
}
