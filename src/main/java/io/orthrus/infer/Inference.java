package io.orthrus.infer;

import io.orthrus.tensor.kernel.Parallel;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.PrefixedTokenizer;
import io.orthrus.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** What the inference classes share: the vocabulary checks, a decoder's input, batched runs and top-k. */
final class Inference {
    private Inference() {}

    /**
     * {@code run} applied to {@code inputs} in batches of at most {@code batchSize}, longest first
     * (so each batch pads to little), one result row per input in the order given. Whole batches
     * are spread over the shared pool, each on one thread, because a batch of a small encoder is
     * too short a job to split without the threads waiting for each other; a single batch uses
     * the pool inside its kernels. Either way the kernels give the same bits.
     */
    static float[][] inBatches(List<Encoding> inputs, int batchSize, Function<List<Encoding>, float[][]> run) {
        Integer[] order = new Integer[inputs.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -inputs.get(i).length())); // stable
        float[][] out = new float[inputs.size()][];
        Parallel.shared().forEach((order.length + batchSize - 1) / batchSize, index -> {
            int from = index * batchSize, to = Math.min(order.length, from + batchSize);
            List<Encoding> batch = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                batch.add(inputs.get(order[k]));
            }
            float[][] rows = run.apply(batch);
            for (int k = from; k < to; k++) {
                out[order[k]] = rows[k - from];
            }
        });
        return out;
    }

    /** Throws unless the model and the tokenizer have the same vocabulary size. */
    static void checkVocabulary(String who, int modelVocabulary, int tokenizerVocabulary) {
        if (modelVocabulary != tokenizerVocabulary) {
            throw new IllegalArgumentException(who + ": the model has " + modelVocabulary + " tokens but the tokenizer "
                    + tokenizerVocabulary + "; use the tokenizer the model was trained with");
        }
    }

    /**
     * Throws unless a decoder's output covers the tokenizer's ids: its vocabulary may be larger (Hugging Face
     * decoders such as Qwen2 pad their embedding table past the tokenizer's last id), never smaller.
     */
    static void checkDecoderVocabulary(String who, int modelVocabulary, int tokenizerVocabulary) {
        if (modelVocabulary < tokenizerVocabulary) {
            throw new IllegalArgumentException(who + ": the model has " + modelVocabulary + " tokens but the tokenizer "
                    + tokenizerVocabulary + "; use the tokenizer the model was trained with");
        }
    }

    /**
     * The ids a decoder reads for {@code text}: the tokens its template puts first ({@code <s>},
     * {@code <|begin_of_text|>}) when the tokenizer is a {@link PrefixedTokenizer}, then the text's.
     */
    static int[] decoderInput(Tokenizer tokenizer, String text) {
        return tokenizer instanceof PrefixedTokenizer ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encode(text);
    }

    /** Indices of the {@code k} largest of {@code values[offset, offset + n)}, largest first (ties: smaller index first). */
    static int[] topK(float[] values, int offset, int n, int k) {
        k = Math.min(k, n);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float x = values[offset + i];
            if (size == k && x <= values[offset + best[size - 1]]) {
                continue;
            }
            int at = size < k ? size++ : size - 1;
            while (at > 0 && values[offset + best[at - 1]] < x) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return best;
    }
}
