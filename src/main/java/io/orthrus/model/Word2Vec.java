package io.orthrus.model;

import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Word2vec's continuous bag of words (Mikolov et al., 2013): the average of the vectors of the
 * words around a position predicts the word at that position. The first autoencoding language
 * model of this library's family: reconstruct a hidden word from its context on both sides —
 * BERT's cloze task with a bag of vectors instead of a Transformer.
 *
 * <pre>
 * context c₁ … c_2b (b ≤ window, drawn per position) ─▶ h = mean(input[cᵢ])       (D)
 *   negative sampling: maximise log σ(h · output[w]) + Σ_k log σ(−h · output[n_k]),
 *                      n_k drawn from the unigram distribution raised to 0.75
 *   full softmax:      maximise log softmax(output · h)[w]   (small vocabularies)
 * </pre>
 *
 * Training follows the original C tool: stochastic gradient steps with a learning rate decaying
 * linearly to 1/10,000 of its start, frequent words sub-sampled, the window shrunk at random, and
 * with several threads each thread trains on its own part of the corpus and updates the shared
 * vectors without locks ("Hogwild"). With one thread a seed gives the same vectors every time;
 * with more, the interleaving of updates (and so the last bits) varies from run to run.
 */
public final class Word2Vec {
    /** Sigmoid arguments beyond ±MAX_EXP are treated as saturated, as in the C tool. */
    private static final int MAX_EXP = 6;
    private static final int EXP_TABLE_SIZE = 1000;
    private static final float[] SIGMOID = new float[EXP_TABLE_SIZE];

    static {
        for (int i = 0; i < EXP_TABLE_SIZE; i++) {
            double x = (i / (double) EXP_TABLE_SIZE * 2 - 1) * MAX_EXP;
            SIGMOID[i] = (float) (1 / (1 + Math.exp(-x)));
        }
    }

    /**
     * How to train.
     *
     * @param dimensions   vector length D
     * @param window       largest number of context words on each side; each position uses 1 … window
     * @param negative     negative samples per position, or 0 for the full softmax
     * @param sample       sub-sampling threshold t: a word of frequency f is kept with probability
     *                     (√(f/t) + 1)·t/f (0 = keep every word)
     * @param minCount     words seen fewer times are left out
     * @param epochs       passes over the corpus
     * @param learningRate starting learning rate, decaying linearly to 1/10,000 of it
     * @param threads      training threads
     * @param seed         seed of the initial vectors and of every random choice
     */
    public record Options(int dimensions, int window, int negative, double sample, int minCount, int epochs,
                          double learningRate, int threads, long seed) {
        /** Checks every field, naming the one that is wrong. */
        public Options {
            require(dimensions > 0, "dimensions must be positive, got " + dimensions);
            require(window > 0, "window must be positive, got " + window);
            require(negative >= 0, "negative must be ≥ 0 (0 = full softmax), got " + negative);
            require(sample >= 0, "sample must be ≥ 0, got " + sample);
            require(minCount >= 1, "minCount must be ≥ 1, got " + minCount);
            require(epochs > 0, "epochs must be positive, got " + epochs);
            require(learningRate > 0, "learningRate must be positive, got " + learningRate);
            require(threads > 0, "threads must be positive, got " + threads);
        }

        /** The C tool's CBOW defaults: 100 dimensions, window 5, 5 negatives, sample 1e-3, minCount 5, 5 epochs, lr 0.05. */
        public static Options cbow() {
            return new Options(100, 5, 5, 1e-3, 5, 5, 0.05, 1, 1);
        }

        /** A copy with vectors of length {@code value}. */
        public Options withDimensions(int value) {
            return new Options(value, window, negative, sample, minCount, epochs, learningRate, threads, seed);
        }

        /** A copy with another window. */
        public Options withWindow(int value) {
            return new Options(dimensions, value, negative, sample, minCount, epochs, learningRate, threads, seed);
        }

        /** A copy with {@code value} negative samples (0 = full softmax). */
        public Options withNegative(int value) {
            return new Options(dimensions, window, value, sample, minCount, epochs, learningRate, threads, seed);
        }

        /** A copy with another sub-sampling threshold (0 = none). */
        public Options withSample(double value) {
            return new Options(dimensions, window, negative, value, minCount, epochs, learningRate, threads, seed);
        }

        /** A copy with another minimum count. */
        public Options withMinCount(int value) {
            return new Options(dimensions, window, negative, sample, value, epochs, learningRate, threads, seed);
        }

        /** A copy with another number of epochs. */
        public Options withEpochs(int value) {
            return new Options(dimensions, window, negative, sample, minCount, value, learningRate, threads, seed);
        }

        /** A copy with another starting learning rate. */
        public Options withLearningRate(double value) {
            return new Options(dimensions, window, negative, sample, minCount, epochs, value, threads, seed);
        }

        /** A copy training on {@code value} threads. */
        public Options withThreads(int value) {
            return new Options(dimensions, window, negative, sample, minCount, epochs, learningRate, value, seed);
        }

        /** A copy with another seed. */
        public Options withSeed(long value) {
            return new Options(dimensions, window, negative, sample, minCount, epochs, learningRate, threads, value);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException("Word2Vec.Options: " + message);
            }
        }
    }

    /**
     * What a training run did.
     *
     * @param words          corpus words read (all epochs, before sub-sampling), as the C tool counts them
     * @param seconds        wall-clock training time
     * @param wordsPerSecond words / seconds
     */
    public record Statistics(long words, double seconds, double wordsPerSecond) {}

    private final WordVocabulary vocabulary;
    private final Options options;
    private final float[] output; // (V, D): the output (context-to-word) vectors
    private final Statistics statistics;
    private final WordVectors vectors;

    /** {@code input} (V, D) holds the trained word vectors; {@code output} (V, D) the output vectors. */
    private Word2Vec(WordVocabulary vocabulary, Options options, float[] input, float[] output, Statistics statistics) {
        this.vocabulary = vocabulary;
        this.options = options;
        this.output = output;
        this.statistics = statistics;
        this.vectors = new WordVectors(vocabulary.words(), input, options.dimensions());
    }

    /**
     * Trains CBOW vectors on {@code lines} (each line a sentence; words split by
     * {@link WordVocabulary#words}).
     */
    public static Word2Vec train(List<String> lines, Options options) {
        WordVocabulary vocabulary = WordVocabulary.build(lines, options.minCount());
        List<int[]> sentences = vocabulary.encode(lines);
        int longest = sentences.stream().mapToInt(s -> s.length).max().orElse(0);
        if (options.window() >= longest) {
            throw new IllegalArgumentException("Word2Vec: window " + options.window() + " is not smaller than the "
                    + "longest sentence (" + longest + " words); lower the window or join lines into longer sentences");
        }
        int v = vocabulary.size(), d = options.dimensions();
        float[] input = new float[Math.multiplyExact(v, d)];
        float[] output = new float[input.length];
        Rng init = new Rng(options.seed());
        for (int i = 0; i < input.length; i++) {
            input[i] = (init.nextFloat() - 0.5f) / d;
        }
        Training training = new Training(vocabulary, sentences, options, input, output);
        long start = System.nanoTime();
        long words = training.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Word2Vec(vocabulary, options, input, output,
                new Statistics(words, seconds, seconds > 0 ? words / seconds : Double.NaN));
    }

    /** The trained word vectors. */
    public WordVectors vectors() {
        return vectors;
    }

    /** A copy of {@code word}'s vector (D). */
    public float[] vector(String word) {
        return vectors.vector(word);
    }

    /** The {@code k} nearest words by cosine. */
    public List<WordVectors.Neighbour> nearest(String word, int k) {
        return vectors.nearest(word, k);
    }

    /** "a is to b as c is to ?" (see {@link WordVectors#analogy}). */
    public List<WordVectors.Neighbour> analogy(String a, String b, String c, int k) {
        return vectors.analogy(a, b, c, k);
    }

    /** The vocabulary, most frequent word first. */
    public WordVocabulary vocabulary() {
        return vocabulary;
    }

    /** The options used. */
    public Options options() {
        return options;
    }

    /** Words read, time and speed of the training run. */
    public Statistics statistics() {
        return statistics;
    }

    /** A copy of the output vectors {@code (V, D)} (negative-sampling or softmax weights). */
    public float[] outputVectors() {
        return output.clone();
    }

    /** One training run: the shared state of the threads. */
    private static final class Training {
        private final List<int[]> sentences;
        private final Options options;
        private final float[] input;
        private final float[] output;
        private final int[] negatives;   // unigram^0.75 table
        private final float[] keep;      // sub-sampling: probability of keeping each word
        private final long totalWords;
        private final AtomicLong wordsRead = new AtomicLong();

        Training(WordVocabulary vocabulary, List<int[]> sentences, Options options, float[] input, float[] output) {
            this.sentences = sentences;
            this.options = options;
            this.input = input;
            this.output = output;
            this.totalWords = sentences.stream().mapToLong(s -> s.length).sum();
            this.negatives = options.negative() > 0 ? unigramTable(vocabulary) : new int[0];
            this.keep = new float[vocabulary.size()];
            double threshold = options.sample() * vocabulary.totalCount();
            for (int w = 0; w < keep.length; w++) {
                double count = vocabulary.count(w);
                keep[w] = options.sample() == 0 ? 1f
                        : (float) Math.min(1, (Math.sqrt(count / threshold) + 1) * threshold / count);
            }
        }

        /** Trains on all threads; returns the words read. */
        long run() {
            int threads = Math.min(options.threads(), sentences.size());
            List<Thread> workers = new ArrayList<>();
            RuntimeException[] failure = new RuntimeException[1];
            for (int t = 0; t < threads; t++) {
                int from = (int) ((long) sentences.size() * t / threads);
                int to = (int) ((long) sentences.size() * (t + 1) / threads);
                Rng rng = new Rng(options.seed() * 31 + t + 1);
                Runnable work = () -> trainPart(from, to, rng);
                if (threads == 1) {
                    work.run();
                } else {
                    Thread worker = new Thread(() -> {
                        try {
                            work.run();
                        } catch (RuntimeException e) {
                            synchronized (failure) {
                                failure[0] = e;
                            }
                        }
                    }, "orthrus-word2vec-" + t);
                    workers.add(worker);
                    worker.start();
                }
            }
            for (Thread worker : workers) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Word2Vec: interrupted while training", e);
                }
            }
            if (failure[0] != null) {
                throw failure[0];
            }
            return wordsRead.get();
        }

        private void trainPart(int from, int to, Rng rng) {
            int d = options.dimensions();
            float[] hidden = new float[d], hiddenGrad = new float[d];
            float[] scores = options.negative() == 0 ? new float[input.length / d] : null;
            int[] kept = new int[0];
            long localWords = 0;
            double total = (double) options.epochs() * totalWords + 1;
            for (int epoch = 0; epoch < options.epochs(); epoch++) {
                for (int s = from; s < to; s++) {
                    int[] sentence = sentences.get(s);
                    localWords += sentence.length;
                    if (localWords > 10_000) { // publish progress now and then, as the C tool does
                        wordsRead.addAndGet(localWords);
                        localWords = 0;
                    }
                    double progress = wordsRead.get() / total;
                    float alpha = (float) (options.learningRate() * Math.max(1 - progress, 1e-4));
                    if (kept.length < sentence.length) {
                        kept = new int[sentence.length];
                    }
                    int n = 0;
                    for (int word : sentence) {
                        if (keep[word] >= 1f || keep[word] > rng.nextFloat()) {
                            kept[n++] = word;
                        }
                    }
                    for (int position = 0; position < n; position++) {
                        int reach = 1 + rng.nextInt(options.window()); // dynamic window: 1 … window words each side
                        trainPosition(kept, n, position, reach, alpha, hidden, hiddenGrad, scores, rng);
                    }
                }
            }
            wordsRead.addAndGet(localWords);
        }

        private void trainPosition(int[] words, int n, int position, int reach, float alpha, float[] hidden,
                                   float[] hiddenGrad, float[] scores, Rng rng) {
            int d = options.dimensions();
            java.util.Arrays.fill(hidden, 0f);
            java.util.Arrays.fill(hiddenGrad, 0f);
            int contexts = 0;
            for (int c = Math.max(0, position - reach); c <= Math.min(n - 1, position + reach); c++) {
                if (c != position) {
                    int row = words[c] * d;
                    for (int j = 0; j < d; j++) {
                        hidden[j] += input[row + j];
                    }
                    contexts++;
                }
            }
            if (contexts == 0) {
                return;
            }
            for (int j = 0; j < d; j++) {
                hidden[j] /= contexts;
            }
            int word = words[position];
            if (options.negative() > 0) {
                for (int k = 0; k <= options.negative(); k++) {
                    int target = k == 0 ? word : negatives[rng.nextInt(negatives.length)];
                    if (k > 0 && target == word) {
                        continue;
                    }
                    float label = k == 0 ? 1f : 0f;
                    int row = target * d;
                    float dot = 0f;
                    for (int j = 0; j < d; j++) {
                        dot += hidden[j] * output[row + j];
                    }
                    float g = (label - sigmoid(dot)) * alpha;
                    for (int j = 0; j < d; j++) {
                        hiddenGrad[j] += g * output[row + j];
                        output[row + j] += g * hidden[j];
                    }
                }
            } else {
                softmaxStep(word, alpha, hidden, hiddenGrad, scores);
            }
            for (int c = Math.max(0, position - reach); c <= Math.min(n - 1, position + reach); c++) {
                if (c != position) {
                    int row = words[c] * d;
                    for (int j = 0; j < d; j++) {
                        input[row + j] += hiddenGrad[j];
                    }
                }
            }
        }

        /** One step of the full softmax over the vocabulary: gradient (1[v = word] − p_v)·α for every v. */
        private void softmaxStep(int word, float alpha, float[] hidden, float[] hiddenGrad, float[] scores) {
            int d = options.dimensions(), v = scores.length;
            float max = Float.NEGATIVE_INFINITY;
            for (int w = 0; w < v; w++) {
                float dot = 0f;
                for (int j = 0; j < d; j++) {
                    dot += hidden[j] * output[w * d + j];
                }
                scores[w] = dot;
                max = Math.max(max, dot);
            }
            double sum = 0;
            for (int w = 0; w < v; w++) {
                scores[w] = (float) Math.exp(scores[w] - max);
                sum += scores[w];
            }
            for (int w = 0; w < v; w++) {
                float g = ((w == word ? 1f : 0f) - (float) (scores[w] / sum)) * alpha;
                int row = w * d;
                for (int j = 0; j < d; j++) {
                    hiddenGrad[j] += g * output[row + j];
                    output[row + j] += g * hidden[j];
                }
            }
        }

        private static float sigmoid(float x) {
            if (x >= MAX_EXP) {
                return 1f;
            }
            if (x <= -MAX_EXP) {
                return 0f;
            }
            return SIGMOID[(int) ((x + MAX_EXP) * (EXP_TABLE_SIZE / (2f * MAX_EXP)))];
        }

        /** Word ids repeated in proportion to count^0.75: a uniform draw from it is a draw from that distribution. */
        private static int[] unigramTable(WordVocabulary vocabulary) {
            int size = (int) Math.min(10_000_000L, Math.max(100_000L, 1_000L * vocabulary.size()));
            int[] table = new int[size];
            double norm = 0;
            for (int w = 0; w < vocabulary.size(); w++) {
                norm += Math.pow(vocabulary.count(w), 0.75);
            }
            int w = 0;
            double cumulative = Math.pow(vocabulary.count(0), 0.75) / norm;
            for (int i = 0; i < size; i++) {
                table[i] = w;
                if ((i + 1) / (double) size > cumulative && w < vocabulary.size() - 1) {
                    w++;
                    cumulative += Math.pow(vocabulary.count(w), 0.75) / norm;
                }
            }
            return table;
        }
    }
}
