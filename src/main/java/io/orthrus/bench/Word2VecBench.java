package io.orthrus.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.orthrus.model.Word2Vec;
import io.orthrus.model.WordVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Word2vec CBOW on a corpus (by default Tiny Shakespeare, one sentence per line): training speed
 * in words per second for each requested thread count, and the nearest neighbours and analogies
 * of some probe words from the first run.
 *
 * <p>Options: {@code --corpus FILE}, {@code --threads 1,2} (one run per count), {@code --dimensions
 * 100}, {@code --window 5}, {@code --negative 5}, {@code --sample 1e-3}, {@code --min-count 5},
 * {@code --epochs 5}, {@code --seed 1}.
 */
public final class Word2VecBench {
    private static final String NAME = "Word2VecBench";
    private static final List<String> PROBES = List.of("king", "love", "lord", "death", "night", "sweet", "romeo");
    private static final List<List<String>> ANALOGIES = List.of(List.of("man", "king", "woman"),
            List.of("he", "his", "she"), List.of("good", "better", "bad"));

    private Word2VecBench() {}

    /** Trains, measures and returns the JSON line ({@code orthrus bench word2vec} prints it). */
    public static String run(String[] args) throws IOException {
        Path corpus = Path.of("../shared/data/tinyshakespeare.txt");
        String threadCounts = "1,2";
        Word2Vec.Options options = Word2Vec.Options.cbow();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--corpus" -> corpus = Path.of(BenchSupport.require(NAME, args[i], value));
                case "--threads" -> threadCounts = BenchSupport.require(NAME, args[i], value);
                case "--dimensions" -> options = options.withDimensions(Integer.parseInt(BenchSupport.require(NAME, args[i], value)));
                case "--window" -> options = options.withWindow(Integer.parseInt(BenchSupport.require(NAME, args[i], value)));
                case "--negative" -> options = options.withNegative(Integer.parseInt(BenchSupport.require(NAME, args[i], value)));
                case "--sample" -> options = options.withSample(Double.parseDouble(BenchSupport.require(NAME, args[i], value)));
                case "--min-count" -> options = options.withMinCount(Integer.parseInt(BenchSupport.require(NAME, args[i], value)));
                case "--epochs" -> options = options.withEpochs(Integer.parseInt(BenchSupport.require(NAME, args[i], value)));
                case "--seed" -> options = options.withSeed(Long.parseLong(BenchSupport.require(NAME, args[i], value)));
                default -> throw new IllegalArgumentException(NAME + ": unknown option '" + args[i] + "'; options: "
                        + "--corpus FILE --threads 1,2 --dimensions D --window W --negative K --sample T --min-count N "
                        + "--epochs E --seed S");
            }
            i++;
        }
        List<String> lines = BenchSupport.readCorpus(NAME, corpus).lines().toList();
        JsonObject json = new JsonObject();
        json.addProperty("bench", "word2vec-cbow");
        json.addProperty("options", options.toString());
        JsonArray runs = new JsonArray();
        Word2Vec first = null;
        for (String count : threadCounts.split(",")) {
            Word2Vec model = Word2Vec.train(lines, options.withThreads(Integer.parseInt(count.strip())));
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
