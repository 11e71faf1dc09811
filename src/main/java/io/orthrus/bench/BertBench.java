package io.orthrus.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.orthrus.data.EncodedWindows;
import io.orthrus.data.LabeledText;
import io.orthrus.data.TextDataset;
import io.orthrus.data.TokenBatch;
import io.orthrus.files.AtomicFiles;
import io.orthrus.infer.FillMask;
import io.orthrus.model.Bert;
import io.orthrus.model.BertClassifier;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.FineTuner;
import io.orthrus.train.LoggingListener;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Masked-LM pre-training on a corpus (by default Tiny Shakespeare): a WordPiece vocabulary
 * trained on the first 90% of the text (uncased), a BERT-Tiny ({@link TransformerConfig#bertTiny}:
 * 2 layers, width 128, 2 heads, feed-forward 512, dropout 0.1) reading sequences of 64 ids
 * ({@code [CLS]} + 62 tokens + {@code [SEP]}), batch 32, BERT's masking (15%, 80/10/10), AdamW
 * lr 1e-3 (100 warm-up steps, cosine to 1e-4), weight decay 0.1, clip 1.0. Validation on fixed
 * windows of the last 10%.
 *
 * <p>Its result is one JSON line ({@code orthrus bench bert} prints it): masked-token loss and accuracy on the validation windows, the accuracy
 * of the unigram baseline (always the most frequent token of the training text) on the same
 * masked positions, ms per step, tokens per second (ids read per second, padding-free), and
 * fill-mask examples. With {@code --finetune N}, it then fine-tunes a classifier of "was this line's
 * word order shuffled?" on N lines of the training text (half shuffled) and reports its accuracy
 * on N lines of the validation text, from the pre-trained model and from scratch.
 *
 * <p>Options: {@code --corpus FILE}, {@code --steps N} (1000), {@code --threads K},
 * {@code --vocab V} (2048), {@code --batch B} (32), {@code --length T} (64),
 * {@code --eval-batches N} (50), {@code --seed S} (1337), {@code --lr LR} (1e-3), {@code --norm pre|post}
 * (post), {@code --mask-rate R} (0.15), {@code --dump DIR} (write the vocabulary and the ids for the PyTorch
 * reference {@code src/test/python/mlm_reference.py}), {@code --finetune LABELS} (0 = none), {@code --finetune-steps N} (300), {@code --log-every N} (0 = quiet).
 */
@Command(name = "bert", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Example:", "  orthrus bench bert --steps 1000 --log-every 100"},
        description = "Masked-LM pre-training of a BERT-Tiny on a WordPiece corpus; prints one JSON line.")
public final class BertBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public BertBench() {}

    private static final String NAME = "BertBench";
    private static final List<String> PROBES = List.of("to be or not to be , that is the [MASK] .",
            "my lord , the [MASK] is come .", "what is your [MASK] ?", "i will [MASK] thee .");

    @Option(names = "--corpus", defaultValue = BenchSupport.DEFAULT_CORPUS, paramLabel = "FILE",
            description = "UTF-8 text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    KernelThreads threads;

    @Option(names = "--vocab", defaultValue = "2048", description = "WordPiece vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--length", defaultValue = "64", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--eval-batches", defaultValue = "50", description = "Fixed validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--seed", defaultValue = "1337", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--norm", defaultValue = "POST", description = "pre or post (default: post).", converter = BenchSupport.NormConverter.class)
    TransformerConfig.NormPlacement norm;

    @Option(names = "--mask-rate", defaultValue = "0.15", description = "Fraction of tokens masked (default: ${DEFAULT-VALUE}).")
    double maskRate;

    @Option(names = "--dump", description = "Write the vocabulary and ids for the PyTorch reference here.")
    Path dump;

    @Option(names = "--finetune", defaultValue = "0", description = "Fine-tune on this many labelled lines; 0 = none (default: ${DEFAULT-VALUE}).")
    int fineTuneLabels;

    @Option(names = "--finetune-steps", defaultValue = "300", description = "Fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int fineTuneSteps;

    @Option(names = "--log-every", defaultValue = "0", description = "Log every N steps; 0 = quiet (default: ${DEFAULT-VALUE}).")
    int logEvery;


    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench bert} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new BertBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        threads.apply();
        String text = BenchSupport.readCorpus(NAME, corpus);
        String trainText = text.substring(0, (int) (text.length() * 0.9));
        long vocabStart = System.nanoTime();
        WordPiece tokenizer = WordPiece.train(trainText.lines().toList(), vocabSize, true);
        double vocabSeconds = (System.nanoTime() - vocabStart) / 1e9;
        TextDataset data = TextDataset.of(text, tokenizer, 0.9);
        if (dump != null) {
            dumpIds(dump, tokenizer, data);
        }

        Rng rng = new Rng(seed);
        TransformerConfig config = TransformerConfig.bertTiny(tokenizer.vocabSize()).withContextLength(length)
                .withNorm(norm);
        Bert model = new Bert(config, rng.split());
        MaskedLm objective = new MaskedLm(MaskedLm.Vocabulary.of(tokenizer), MaskedLm.Options.bert(seed).withRate(maskRate));
        Trainer<Bert, TokenBatch> trainer = new Trainer<>(model, objective,
                TrainingOptions.nanoGpt(steps).withLearningRate(learningRate, learningRate / 10)
                        .withEvaluation(0, evalBatches));
        if (logEvery > 0) {
            trainer.addListener(new LoggingListener(logEvery));
        }
        EncodedWindows train = EncodedWindows.over(data.train(), length, batch, tokenizer.clsId(), tokenizer.sepId(),
                rng.split());
        EncodedWindows validation = EncodedWindows.over(data.validation(), length, batch, tokenizer.clsId(),
                tokenizer.sepId(), rng.split());
        List<TokenBatch> evaluationSet = new ArrayList<>();
        for (int i = 0; i < evalBatches; i++) {
            evaluationSet.add(validation.next());
        }
        int[] replayed = {0}; // the trainer's evaluation set is this same list of windows
        TrainingResult result = trainer.fit(train, () -> evaluationSet.get(replayed[0]++ % evaluationSet.size()));
        MaskedLm.Evaluation evaluation = objective.evaluate(model, evaluationSet);
        double baseline = unigramBaseline(objective, evaluationSet, mostFrequent(data.train(), tokenizer));

        JsonObject json = new JsonObject();
        json.addProperty("kernel", Kernels.gemm().name());
        json.addProperty("threads", Parallel.shared().threads());
        json.addProperty("preset", "bertTiny, context " + length + ", " + norm.name().toLowerCase(java.util.Locale.ROOT)
                + "-norm, lr " + learningRate + ", mask rate " + maskRate);
        json.addProperty("vocab", tokenizer.vocabSize());
        json.addProperty("vocab_train_s", BenchSupport.round(vocabSeconds));
        json.addProperty("steps", steps);
        json.addProperty("batch", batch);
        json.addProperty("params", model.parameterCount());
        json.addProperty("train_loss", BenchSupport.round(result.finalTrainLoss()));
        json.addProperty("val_mlm_loss", BenchSupport.round(evaluation.loss()));
        json.addProperty("val_masked_accuracy", BenchSupport.round(evaluation.accuracy()));
        json.addProperty("unigram_baseline_accuracy", BenchSupport.round(baseline));
        json.addProperty("val_predictions", evaluation.predictions());
        json.addProperty("ms_per_step", BenchSupport.round(result.medianStepMillis()));
        json.addProperty("tokens_per_s", Math.round(batch * length / (result.medianStepMillis() / 1000)));
        json.addProperty("peak_heap_mb", Math.round(BenchSupport.peakHeapBytes() / 1e6));
        FillMask fill = new FillMask(model, tokenizer);
        JsonArray probes = new JsonArray();
        for (String probe : PROBES) {
            if (tokenizer.encode(probe).length + 2 > length) {
                continue; // does not fit a context this short
            }
            JsonArray best = new JsonArray();
            fill.fill(probe, 3).get(0).forEach(p -> best.add(p.token() + " " + BenchSupport.round(p.probability())));
            JsonObject entry = new JsonObject();
            entry.addProperty("text", probe);
            entry.add("top3", best);
            probes.add(entry);
        }
        json.add("fill_mask", probes);
        if (fineTuneLabels > 0) {
            json.add("finetune_shuffled", fineTuneShuffled(model, config, tokenizer, trainText,
                    text.substring(trainText.length()), fineTuneLabels, fineTuneSteps, length, seed));
        }
        return json.toString();
    }

    /**
     * "Was this line shuffled?": {@code labels} lines of the training text, half with their words in
     * a random order, fine-tuned for {@code steps} steps (300 by default), accuracy on as many lines of the validation text;
     * once from the pre-trained model and once from a fresh one of the same shape.
     */
    private static JsonObject fineTuneShuffled(Bert pretrained, TransformerConfig config, WordPiece tokenizer,
                                               String trainText, String validationText, int labels, int steps,
                                               int length, long seed) {
        Rng rng = new Rng(seed + 1);
        List<LabeledText> train = shuffledLines(trainText, labels, rng);
        List<LabeledText> validation = shuffledLines(validationText, labels, rng);
        JsonObject out = new JsonObject();
        out.addProperty("train_examples", train.size());
        out.addProperty("validation_examples", validation.size());
        for (boolean fromPretrained : new boolean[] {false, true}) {
            Bert encoder = fromPretrained ? pretrained : new Bert(config, new Rng(seed + 2));
            BertClassifier classifier = new BertClassifier(encoder, 2, new Rng(seed + 3));
            FineTuner tuner = new FineTuner(tokenizer, length, 32,
                    TrainingOptions.nanoGpt(steps).withLearningRate(2e-4, 2e-5), seed);
            FineTuner.Result result = tuner.fit(classifier, train, validation);
            out.addProperty(fromPretrained ? "pretrained_accuracy" : "scratch_accuracy",
                    BenchSupport.round(result.validationAccuracy()));
        }
        return out;
    }

    /** Random lines; every other one has its words shuffled (label 1), the rest are kept (label 0). */
    private static List<LabeledText> shuffledLines(String text, int count, Rng rng) {
        // At least 6 words, not all the same (so that a shuffle can change the order).
        List<String> lines = text.lines().map(String::strip)
                .filter(l -> l.split("\\s+").length >= 6 && new java.util.HashSet<>(List.of(l.split("\\s+"))).size() > 1)
                .toList();
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < count && !lines.isEmpty(); i++) {
            String line = lines.get(rng.nextInt(lines.size()));
            if (i % 2 == 0) {
                out.add(new LabeledText(line, 0));
                continue;
            }
            List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
            List<String> original = List.copyOf(words);
            while (words.equals(original)) {
                for (int j = words.size() - 1; j > 0; j--) {
                    java.util.Collections.swap(words, j, rng.nextInt(j + 1));
                }
            }
            out.add(new LabeledText(String.join(" ", words), 1));
        }
        return out;
    }

    /**
     * Writes {@code vocab.txt}, {@code train.bin} and {@code val.bin} (token ids as little-endian
     * int32) to {@code directory}, for {@code src/test/python/mlm_reference.py} to train a PyTorch
     * model on exactly the same ids.
     */
    private static void dumpIds(Path directory, WordPiece tokenizer, TextDataset data) throws IOException {
        Files.createDirectories(directory);
        tokenizer.writeVocab(directory.resolve("vocab.txt"));
        for (String name : new String[] {"train", "val"}) {
            int[] ids = name.equals("train") ? data.train() : data.validation();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(ids.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(ids);
            AtomicFiles.write(directory.resolve(name + ".bin"), out -> out.write(bytes.array()));
        }
    }

    /** The most frequent non-special token of {@code ids}. */
    private static int mostFrequent(int[] ids, WordPiece tokenizer) {
        int[] counts = new int[tokenizer.vocabSize()];
        for (int id : ids) {
            counts[id]++;
        }
        int best = -1;
        for (int id = 0; id < counts.length; id++) {
            if (!tokenizer.isSpecial(id) && (best < 0 || counts[id] > counts[best])) {
                best = id;
            }
        }
        return best;
    }

    /** Accuracy of always answering {@code token} at the positions the objective chooses in {@code batches}. */
    private static double unigramBaseline(MaskedLm objective, List<TokenBatch> batches, int token) {
        long hits = 0, total = 0;
        for (TokenBatch batch : batches) {
            MaskedLm.MaskedBatch masked = objective.mask(batch);
            for (int at : masked.positions()) {
                hits += masked.targets().data()[at] == token ? 1 : 0;
                total++;
            }
        }
        return hits / (double) total;
    }
}
