package io.orthrus.infer;

/** What the inference classes share: the vocabulary check and top-k. */
final class Inference {
    private Inference() {}

    /** Throws unless the model and the tokenizer have the same vocabulary size. */
    static void checkVocabulary(String who, int modelVocabulary, int tokenizerVocabulary) {
        if (modelVocabulary != tokenizerVocabulary) {
            throw new IllegalArgumentException(who + ": the model has " + modelVocabulary + " tokens but the tokenizer "
                    + tokenizerVocabulary + "; use the tokenizer the model was trained with");
        }
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
