package io.orthrus.recipe;

import io.orthrus.data.EncodedWindows;
import io.orthrus.data.TextDataset;
import io.orthrus.data.TokenBatch;
import io.orthrus.io.BertCheckpoint;
import io.orthrus.model.Bert;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code masked-lm}: a {@link Bert} trained with BERT's masking ({@code masking.rate} of the
 * tokens, 80/10/10) on windows {@code [CLS] … [SEP]} of {@code model.context_length} ids; needs a
 * WordPiece vocabulary (learned from the training text by default); exported as a BERT checkpoint.
 */
public final class MaskedLmRecipe implements Recipe {
    /** The recipe; it holds no state. */
    public MaskedLmRecipe() {}

    @Override
    public String objective() {
        return "masked-lm";
    }

    @Override
    public Run<Bert, TokenBatch> build(ConfigFile c, Path base) throws IOException {
        Recipes.Inputs in = Recipes.inputs(c, base);
        Tokenizer tokenizer = Recipes.tokenizer(c, base, in, "wordpiece");
        if (!(tokenizer instanceof WordPiece wordPiece)) {
            throw c.error("tokenizer", "must be a WordPiece vocabulary for masked-lm (kind \"wordpiece\" or a"
                    + " BERT vocab.txt), got " + tokenizer);
        }
        TransformerConfig shape = Recipes.trainableShape(c, tokenizer.vocabSize(), in.batch());
        int length = shape.contextLength();
        TextDataset data = Recipes.dataset(c, in, tokenizer, length - 2);
        Bert model = new Bert(shape, in.rng().split());
        MaskedLm.Options masking = MaskedLm.Options.bert(in.seed()).withRate(c.number("masking.rate", 0.15, 0.01, 0.99));
        return Recipes.run(c, model, new MaskedLm(MaskedLm.Vocabulary.of(wordPiece), masking),
                EncodedWindows.over(data.train(), length, in.batch(), wordPiece.clsId(), wordPiece.sepId(), in.rng().split()),
                EncodedWindows.over(data.validation(), length, in.batch(), wordPiece.clsId(), wordPiece.sepId(),
                        in.rng().split()),
                tokenizer, data, dir -> BertCheckpoint.save(dir, model, wordPiece));
    }
}
