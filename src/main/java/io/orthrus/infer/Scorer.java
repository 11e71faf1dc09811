package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.model.Bert;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.List;

/** How well a language model predicts a text. */
public final class Scorer {
    /**
     * A total log-likelihood over scored tokens.
     *
     * @param logLikelihood sum of natural-log probabilities of the scored tokens (≤ 0)
     * @param tokens        number of scored tokens
     */
    public record Score(double logLikelihood, int tokens) {
        /** {@code exp(−logLikelihood / tokens)}: perplexity, or pseudo-perplexity for a masked LM. */
        public double perplexity() {
            return Math.exp(-logLikelihood / tokens);
        }
    }

    private Scorer() {}

    /**
     * The pseudo-log-likelihood of {@code text} under a masked LM (Salazar et al., 2020): each
     * token in turn is replaced by {@code [MASK]} and scored by {@code log p(token | all the
     * others)}; the sum is the MLM analogue of a log-likelihood (it is not a normalised
     * probability of the text, since each term conditions on the true neighbours). The T masked
     * copies run as one batch.
     */
    public static Score pseudoLogLikelihood(Bert model, WordPiece tokenizer, String text) {
        int[] body = tokenizer.encode(text);
        if (body.length == 0) {
            throw new IllegalArgumentException("Scorer: the text has no tokens to score");
        }
        if (body.length + 2 > model.contextLength()) {
            throw new IllegalArgumentException("Scorer: the text has " + body.length + " tokens, more than the "
                    + (model.contextLength() - 2) + " the model reads besides [CLS] and [SEP]; shorten it");
        }
        Encoding original = tokenizer.encode(text, body.length + 2);
        int t = original.length(), n = body.length;
        List<Encoding> copies = new ArrayList<>(n);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            int[] ids = original.ids().clone();
            ids[i + 1] = tokenizer.maskId();
            copies.add(new Encoding(ids, original.segments()));
            positions[i] = i * t + i + 1; // copy i, position i + 1
        }
        float[] logProbs = model.evaluating(() -> {
            Tensor hidden = model.encode(TokenBatch.of(copies, tokenizer.padId())); // (n, T, C)
            Tensor masked = hidden.reshape(n * t, hidden.size(2)).indexSelect(0, IntTensor.wrap(positions, n)); // (n, C)
            return model.mlmLogits(masked).logSoftmax(-1).toArray(); // (n, V)
        });
        double total = 0;
        int v = model.vocabSize();
        for (int i = 0; i < n; i++) {
            total += logProbs[i * v + body[i]];
        }
        return new Score(total, n);
    }
}
