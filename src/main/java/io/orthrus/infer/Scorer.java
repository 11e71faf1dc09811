package io.orthrus.infer;

import io.orthrus.data.TokenBatch;
import io.orthrus.model.Bert;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.Arrays;
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
     * The log-likelihood of {@code text} under a causal LM: the sum over its tokens after the
     * first of {@code log p(token | the tokens before it)} (for a right-to-left model, the tokens
     * after it), so {@link Score#perplexity()} is the usual perplexity. With a
     * {@link io.orthrus.tokenize.PrefixedTokenizer} (Llama's), the text comes after its {@code <s>}
     * and every token of the text counts, as transformers scores it. A text longer than the
     * context is read in overlapping windows: each token is scored once, with at least half a
     * context of history.
     */
    public static Score logLikelihood(Gpt model, Tokenizer tokenizer, String text) {
        Inference.checkDecoderVocabulary("Scorer", model.vocabSize(), tokenizer.vocabSize());
        int[] ids = Inference.decoderInput(tokenizer, text);
        if (ids.length < 2) {
            throw new IllegalArgumentException("Scorer: the text has " + ids.length + " token(s); a causal LM scores every"
                    + " token after the first, so give at least 2");
        }
        if (model.direction() == Direction.RIGHT_TO_LEFT) {
            ids = reversed(ids);
        }
        int context = model.contextLength(), n = ids.length, v = model.vocabSize();
        double total = 0;
        int scoredUpTo = 0; // targets 1 .. scoredUpTo are done
        int start = 0;
        while (scoredUpTo < n - 1) {
            int end = Math.min(n, start + context + 1); // inputs [start, end - 1), targets [start + 1, end)
            int length = end - 1 - start;
            int[] window = Arrays.copyOfRange(ids, start, end - 1);
            float[] logProbs = model.evaluating(() -> {
                try (var g = NoGrad.enter()) {
                    return model.forward(IntTensor.of(window, 1, length)).logSoftmax(-1).toArray(); // (1, L, V)
                }
            });
            for (int target = scoredUpTo + 1; target < end; target++) {
                total += logProbs[(target - 1 - start) * v + ids[target]];
            }
            scoredUpTo = end - 1;
            start = Math.max(0, end - 1 - context / 2);
        }
        return new Score(total, n - 1);
    }

    private static int[] reversed(int[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[ids.length - 1 - i];
        }
        return out;
    }

    /**
     * The pseudo-log-likelihood of {@code text} under a masked LM (Salazar et al., 2020): each
     * token in turn is replaced by {@code [MASK]} and scored by {@code log p(token | all the
     * others)}; the sum is the MLM analogue of a log-likelihood (it is not a normalised
     * probability of the text, since each term conditions on the true neighbours). The T masked
     * copies run as one batch.
     */
    public static Score pseudoLogLikelihood(Bert model, WordPiece tokenizer, String text) {
        model.requireMaskedLmHead("Scorer.pseudoLogLikelihood");
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
