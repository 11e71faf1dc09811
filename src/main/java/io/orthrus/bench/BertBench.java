package io.orthrus.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.orthrus.data.LabeledText;
import io.orthrus.data.TextDataset;
import io.orthrus.data.TokenBatch;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.TextFiles;
import io.orthrus.infer.FillMask;
import io.orthrus.model.Bert;
import io.orthrus.model.BertClassifier;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.recipe.ConfigFile;
import io.orthrus.recipe.MaskedLmRecipe;
import io.orthrus.recipe.Run;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.FineTuner;
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
 * Masked-LM pre-training on a corpus (by default Tiny Shakespeare), built by the {@code masked-lm}
 * recipe as {@code orthrus train} builds it: a WordPiece vocabulary trained on the first 90% of
 * the text (uncased), a BERT-Tiny ({@link TransformerConfig#bertTiny}: 2 layers, width 128, 2 heads,
 * feed-forward 512, dropout 0.1) reading sequences of 64 ids ({@code [CLS]} + 62 tokens +
 * {@code [SEP]}), batch 32, BERT's masking (15%, 80/10/10), AdamW lr 1e-3 (100 warm-up steps,
 * cosine to 1e-4), weight decay 0.1, clip 1.0. Validation on fixed windows of the last 10%.
 *
 * <p>Its result is one JSON line ({@code orthrus bench bert} prints it): masked-token loss and
 * accuracy on the validation windows, the accuracy of the unigram baseline (always the most
 * frequent token of the training text) on the same masked positions, ms per step, tokens per
 * second (ids read per second, padding-free), and fill-mask examples. With {@code --finetune N},
 * it then fine-tunes a classifier of "was this line's word order shuffled?" on N lines of the
 * training text (half shuffled) and reports its accuracy on N lines of the validation text, from
 * the pre-trained model and from scratch.
 *
 * <p>Options: those of {@link TrainingBenchOptions} ({@code --steps} 1000, {@code --batch} 32,
 * {@code --eval-batches} 50, {@code --lr} 1e-3, {@code --seed} 1337), {@code --vocab V} (2048),
 * {@code --length T} (64), {@code --norm pre|post} (post), {@code --mask-rate R} (0.15),
 * {@code --dump DIR} (write the vocabulary and the ids for the PyTorch reference
 * {@code src/test/python/mlm_reference.py}), {@code --finetune LABELS} (0 = none),
 * {@code --finetune-steps N} (300).
 */
@Command(name = "bert", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = BertBench.Defaults.class,
        footer = {"", "Example:", "  orthrus bench bert --steps 1000 --log-every 100"},
        description = "Masked-LM pre-training of a BERT-Tiny on a WordPiece corpus; prints one JSON line.")
public final class BertBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public BertBench() {}

    /** This benchmark's defaults of the shared options. */
    public static final class Defaults extends TrainingBenchOptions.Defaults {
        /** 1000 steps, batch 32, 50 evaluation batches, lr 1e-3, seed 1337. */
        public Defaults() {
            super(1000, 32, 50, 1e-3, 1337);
        }
    }

    private static final List<String> PROBES = List.of("to be or not to be , that is the [MASK] .",
            "my lord , the [MASK] is come .", "what is your [MASK] ?", "i will [MASK] thee .");

    @Mixin
    TrainingBenchOptions options;

    @Option(names = "--vocab", defaultValue = "2048", description = "WordPiece vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--length", defaultValue = "64", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--norm", defaultValue = "post", description = "pre or post (default: ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--mask-rate", defaultValue = "0.15", description = "Fraction of tokens masked (default: ${DEFAULT-VALUE}).")
    double maskRate;

    @Option(names = "--dump", description = "Write the vocabulary and ids for the PyTorch reference here.")
    Path dump;

    @Option(names = "--finetune", defaultValue = "0", description = "Fine-tune on this many labelled lines; 0 = none (default: ${DEFAULT-VALUE}).")
    int fineTuneLabels;

    @Option(names = "--finetune-steps", defaultValue = "300", description = "Fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int fineTuneSteps;

    /** Parses {@code args} (the options above) and returns the JSON line, as {@code orthrus bench bert} prints it. */
    public static String run(String... args) throws IOException {
        return BenchSupport.parse(new BertBench(), args).call();
    }

    /** Trains, measures and returns the JSON line. */
    @Override
    public String call() throws IOException {
        ConfigFile c = options.config("bert");
        c.set("tokenizer.kind", "wordpiece");
        c.set("tokenizer.vocab_size", Integer.toString(vocabSize));
        c.set("model.preset", "bert-tiny");
        c.set("model.context_length", Integer.toString(length));
        c.set("model.norm", norm);
        c.set("masking.rate", Double.toString(maskRate));
        long buildStart = System.nanoTime();
        Run<Bert, TokenBatch> run = new MaskedLmRecipe().build(c, Path.of(""));
        double buildSeconds = (System.nanoTime() - buildStart) / 1e9;
        c.rejectUnread();
        WordPiece tokenizer = (WordPiece) run.tokenizer();
        MaskedLm objective = (MaskedLm) run.trainer().objective(); // the recipe's masked-LM objective
        Bert model = run.model();
        if (dump != null) {
            dumpIds(dump, tokenizer, run.data());
        }
        List<TokenBatch> evaluationSet = options.evaluationSet(run.validation());
        TrainingResult result = options.fit(run, evaluationSet);
        MaskedLm.Evaluation evaluation = objective.evaluate(model, evaluationSet);
        double baseline = unigramBaseline(objective, evaluationSet, mostFrequent(run.data().train(), tokenizer));

        JsonObject json = options.report("bert", model, result, (long) options.batch * length);
        json.addProperty("preset", "bertTiny, context " + length + ", " + norm + "-norm, lr " + options.learningRate
                + ", mask rate " + maskRate);
        json.addProperty("vocab", tokenizer.vocabSize());
        json.addProperty("build_s", BenchSupport.round(buildSeconds));
        json.addProperty("val_mlm_loss", BenchSupport.round(evaluation.loss()));
        json.addProperty("val_masked_accuracy", BenchSupport.round(evaluation.accuracy()));
        json.addProperty("unigram_baseline_accuracy", BenchSupport.round(baseline));
        json.addProperty("val_predictions", evaluation.predictions());
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
            String text = TextFiles.readUtf8(options.corpus);
            String trainText = text.substring(0, (int) (text.length() * 0.9));
            json.add("finetune_shuffled", fineTuneShuffled(model, tokenizer, trainText, text.substring(trainText.length()),
                    fineTuneLabels, fineTuneSteps, length, options.seed));
        }
        return json.toString();
    }

    /**
     * "Was this line shuffled?": {@code labels} lines of the training text, half with their words in
     * a random order, fine-tuned for {@code steps} steps (300 by default), accuracy on as many lines of the validation text;
     * once from the pre-trained model and once from a fresh one of the same shape.
     */
    private static JsonObject fineTuneShuffled(Bert pretrained, WordPiece tokenizer,
                                               String trainText, String validationText, int labels, int steps,
                                               int length, long seed) {
        Rng rng = new Rng(seed + 1);
        List<LabeledText> train = shuffledLines(trainText, labels, rng);
        List<LabeledText> validation = shuffledLines(validationText, labels, rng);
        JsonObject out = new JsonObject();
        out.addProperty("train_examples", train.size());
        out.addProperty("validation_examples", validation.size());
        for (boolean fromPretrained : new boolean[] {false, true}) {
            Bert encoder = fromPretrained ? pretrained : new Bert(pretrained.config(), new Rng(seed + 2));
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
