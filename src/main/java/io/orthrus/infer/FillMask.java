package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.model.Bert;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.List;

/**
 * Fill-mask with a masked-LM: for each {@code [MASK]} in a text, the most probable tokens and
 * their probabilities. All masks are predicted in one pass, each independently of the others
 * (the independence assumption of MLM: two masks are not filled jointly).
 */
public final class FillMask {
    /**
     * One candidate for a mask.
     *
     * @param token       the token text (a {@code ##} piece continues the word before it)
     * @param id          its id
     * @param probability its softmax probability at the mask, in [0, 1]
     */
    public record Prediction(String token, int id, double probability) {}

    private final Bert model;
    private final WordPiece tokenizer;

    /** Fill-mask with {@code model} and the tokenizer it was trained with. */
    public FillMask(Bert model, WordPiece tokenizer) {
        Inference.checkVocabulary("FillMask", model.vocabSize(), tokenizer.vocabSize());
        model.requireMaskedLmHead("FillMask");
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * The {@code topK} best tokens for each {@code [MASK]} of {@code text}, masks in text order,
     * best first. Throws if the text has no {@code [MASK]} or does not fit the model's positions.
     */
    public List<List<Prediction>> fill(String text, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("FillMask: topK must be at least 1, got " + topK);
        }
        int[] body = tokenizer.encode(text);
        if (body.length + 2 > model.contextLength()) {
            throw new IllegalArgumentException("FillMask: the text has " + body.length + " tokens, more than the "
                    + (model.contextLength() - 2) + " the model reads besides [CLS] and [SEP]; shorten it");
        }
        Encoding encoding = tokenizer.encode(text, body.length + 2);
        List<Integer> masks = new ArrayList<>();
        for (int i = 0; i < encoding.length(); i++) {
            if (encoding.ids()[i] == tokenizer.maskId()) {
                masks.add(i);
            }
        }
        if (masks.isEmpty()) {
            throw new IllegalArgumentException("FillMask: the text has no " + WordPiece.MASK + " token to fill: '"
                    + text + "'");
        }
        float[] probabilities = model.evaluating(() -> {
            Tensor hidden = model.encode(TokenBatch.of(List.of(encoding), tokenizer.padId())); // (1, T, C)
            int c = hidden.size(2);
            Tensor rows = hidden.reshape(encoding.length(), c)
                    .indexSelect(0, io.orthrus.tensor.IntTensor.wrap(masks.stream().mapToInt(Integer::intValue).toArray(),
                            masks.size())); // (M, C)
            return model.mlmLogits(rows).softmax(-1).toArray(); // (M, V)
        });
        int v = model.vocabSize();
        List<List<Prediction>> out = new ArrayList<>();
        for (int m = 0; m < masks.size(); m++) {
            List<Prediction> best = new ArrayList<>();
            for (int id : Inference.topK(probabilities, m * v, v, topK)) {
                best.add(new Prediction(tokenizer.token(id), id, probabilities[m * v + id]));
            }
            out.add(best);
        }
        return out;
    }
}
