package io.orthrus.recipe;

import io.orthrus.data.PairBatch;
import io.orthrus.data.PairDataset;
import io.orthrus.infer.PairEvaluator;
import io.orthrus.infer.SentenceEncoder;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Bert;
import io.orthrus.model.PooledEncoder;
import io.orthrus.model.Pooling;
import io.orthrus.objective.CosineSimilarity;
import io.orthrus.objective.MultipleNegativesRanking;
import io.orthrus.objective.Objective;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code contrastive}: a sentence encoder fine-tuned on text pairs ({@link PairRecipes#pairs}):
 * related pairs with in-batch negatives ({@link MultipleNegativesRanking}, {@code loss.scale},
 * {@code loss.symmetric}), scored pairs by {@link CosineSimilarity}. The encoder is
 * {@code model.init_from} (a sentence-transformers folder or a Hugging Face BERT folder, with its
 * pooling) or a fresh one ({@code model.preset}, bert-tiny by default, with {@code model.pooling});
 * exported as a sentence-transformers folder. The run's evaluation is {@link PairEvaluator} on the
 * held-out pairs: recall@1/@10 and MRR, or Spearman's correlation for scored pairs.
 */
public final class ContrastiveRecipe implements Recipe {
    /** The objective's name in a run config. */
    public static final String OBJECTIVE = "contrastive";

    /** The recipe; it holds no state. */
    public ContrastiveRecipe() {}

    @Override
    public String objective() {
        return OBJECTIVE;
    }

    @Override
    public Run<PooledEncoder, PairBatch> build(ConfigFile c, Path base) throws IOException {
        PairRecipes.Pairs pairs = PairRecipes.pairs(c, base);
        Bert encoder;
        EncoderTokenizer tokenizer;
        Pooling pooling;
        boolean normalize;
        int maxLength;
        Map<String, String> prompts;
        if (c.has("model.init_from")) {
            Path folder = base.resolve(c.string("model.init_from", null));
            if (!Files.isDirectory(folder)) {
                throw c.error("model.init_from", "names " + folder + ", which is not a model folder");
            }
            SentenceTransformersFolder read = SentenceTransformersFolder.read(folder);
            if (read.lowerCase()) {
                throw c.error("model.init_from", "names a model that lower-cases texts outside its tokenizer"
                        + " (do_lower_case in sentence_bert_config.json), which fine-tuning does not carry over");
            }
            encoder = read.model();
            tokenizer = read.tokenizer();
            pooling = c.has("model.pooling") ? pooling(c) : read.pooling();
            normalize = c.bool("model.normalize", read.normalize());
            maxLength = c.integer("model.max_seq_length", read.maxSequenceLength(), 3, encoder.contextLength());
            prompts = read.prompts();
        } else {
            PairRecipes.Fresh fresh = PairRecipes.fresh(c, pairs);
            encoder = fresh.encoder();
            tokenizer = fresh.tokenizer();
            pooling = pooling(c);
            normalize = c.bool("model.normalize", false);
            maxLength = c.integer("model.max_seq_length", encoder.contextLength(), 3, encoder.contextLength());
            prompts = Map.of();
        }
        PairRecipes.requireWritable(c, encoder);
        PooledEncoder model = new PooledEncoder(encoder, pooling, normalize);
        Objective<PooledEncoder, PairBatch> objective = pairs.train().scored() ? new CosineSimilarity()
                : new MultipleNegativesRanking((float) c.number("loss.scale", MultipleNegativesRanking.DEFAULT_SCALE, 1e-3,
                        1e4), c.bool("loss.symmetric", false));
        PairDataset held = pairs.validation();
        Run.Evaluation evaluation = () -> {
            SentenceEncoder view = new SentenceEncoder(encoder, tokenizer, pooling, normalize, maxLength);
            return held.scored()
                    ? String.format(Locale.ROOT, "Spearman %.4f (%d held-out scored pairs)", PairEvaluator.spearman(view, held),
                    held.size())
                    : PairEvaluator.retrieval(view, held).toString();
        };
        Run.Export export = dir -> SentenceTransformersFolder.write(dir, encoder, tokenizer, pooling, normalize, maxLength,
                prompts);
        return new Run<>(new Trainer<>(model, objective, Recipes.options(c)),
                pairs.train().batches(tokenizer, maxLength, pairs.batch(), pairs.rng().split()),
                held.batches(tokenizer, maxLength, pairs.batch(), pairs.rng().split()), tokenizer, null, export, evaluation);
    }

    /** {@code model.pooling}: one of sentence-transformers' mode names, "mean" by default. */
    private static Pooling pooling(ConfigFile c) {
        List<String> names = java.util.Arrays.stream(Pooling.Mode.values()).map(Pooling.Mode::configName).toList();
        return Pooling.of(Pooling.Mode.named(c.choice("model.pooling", "mean", names)));
    }
}
