package io.orthrus.recipe;

import com.google.gson.JsonObject;
import io.orthrus.data.PairDataset;
import io.orthrus.data.ScoredBatch;
import io.orthrus.files.JsonFiles;
import io.orthrus.infer.CrossEncoder;
import io.orthrus.infer.PairEvaluator;
import io.orthrus.io.CrossEncoderFolder;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.BertClassifier;
import io.orthrus.objective.BinaryCrossEntropy;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code cross-encoder}: a reranker trained on text pairs ({@link PairRecipes#pairs}) with
 * {@link BinaryCrossEntropy}: a related pair's (anchor, positive) is a 1 and (anchor, negative) a 0,
 * a scored pair's score (in [0, 1]) its target. The model is {@code model.init_from}: a cross-encoder
 * folder (fine-tuned further) or any encoder folder {@code SentenceEncoder} reads (a new one-output
 * head on it); or a fresh one ({@code model.preset}, bert-tiny by default). Exported as a
 * cross-encoder folder with a sigmoid activation. The run's evaluation on the held-out pairs is pair
 * accuracy (positive above negative), or Spearman's correlation for scored pairs.
 */
public final class CrossEncoderRecipe implements Recipe {
    /** The objective's name in a run config. */
    public static final String OBJECTIVE = "cross-encoder";

    /** The recipe; it holds no state. */
    public CrossEncoderRecipe() {}

    @Override
    public String objective() {
        return OBJECTIVE;
    }

    @Override
    public Run<BertClassifier, ScoredBatch> build(ConfigFile c, Path base) throws IOException {
        PairRecipes.Pairs pairs = PairRecipes.pairs(c, base);
        BertClassifier model;
        EncoderTokenizer tokenizer;
        int maxLength;
        if (c.has("model.init_from")) {
            Path folder = base.resolve(c.string("model.init_from", null));
            if (!Files.isRegularFile(folder.resolve("config.json"))) {
                throw c.error("model.init_from", "names " + folder + ", which is not a model folder (no config.json)");
            }
            if (isClassifier(JsonFiles.readObject(folder.resolve("config.json")))) {
                CrossEncoderFolder read = CrossEncoderFolder.read(folder);
                if (read.classifier().model().classes() != 1) {
                    throw c.error("model.init_from", "names a classifier with " + read.classifier().model().classes()
                            + " outputs; a cross-encoder trained on pairs has one");
                }
                model = read.classifier().model();
                if (model.poolerActivation() != io.orthrus.nn.Activation.Kind.TANH) {
                    throw c.error("model.init_from", "names a DistilBERT classifier (a ReLU head), which the cross-encoder"
                            + " layout Orthrus writes cannot hold; start from its encoder instead");
                }
                tokenizer = read.classifier().tokenizer();
                maxLength = read.maxSequenceLength();
            } else {
                SentenceTransformersFolder read = SentenceTransformersFolder.read(folder);
                model = new BertClassifier(read.model(), 1, pairs.rng().split());
                tokenizer = read.tokenizer();
                maxLength = read.model().contextLength();
            }
        } else {
            PairRecipes.Fresh fresh = PairRecipes.fresh(c, pairs);
            model = new BertClassifier(fresh.encoder(), 1, pairs.rng().split());
            tokenizer = fresh.tokenizer();
            maxLength = fresh.encoder().contextLength();
        }
        PairRecipes.requireWritable(c, model.encoder());
        int length = c.integer("model.max_seq_length", maxLength, 3, model.encoder().contextLength());
        PairDataset held = pairs.validation();
        BertClassifier trained = model;
        Run.Evaluation evaluation = () -> {
            CrossEncoder view = new CrossEncoder(trained, tokenizer, CrossEncoder.Activation.SIGMOID, length);
            return held.scored()
                    ? String.format(Locale.ROOT, "Spearman %.4f (%d held-out scored pairs)", PairEvaluator.spearman(view, held),
                    held.size())
                    : String.format(Locale.ROOT, "pair accuracy %.3f (%d held-out anchors: positive scored above negative)",
                    PairEvaluator.pairAccuracy(view, held), held.size());
        };
        Run.Export export = dir -> CrossEncoderFolder.write(dir, trained, tokenizer, "Sigmoid", length);
        return new Run<>(new Trainer<>(model, new BinaryCrossEntropy(), Recipes.options(c)),
                pairs.train().crossEncoderBatches(tokenizer, length, pairs.batch(), pairs.rng().split()),
                held.crossEncoderBatches(tokenizer, length, pairs.batch(), pairs.rng().split()), tokenizer, null, export,
                evaluation);
    }

    private static boolean isClassifier(JsonObject config) {
        return config.has("architectures") && config.get("architectures").toString().contains("ForSequenceClassification");
    }
}
