package io.orthrus.tokenize;

/**
 * A tokenizer that makes a bidirectional encoder's input: a text or a text pair with the special
 * tokens the model was trained with around it ({@code [CLS] a [SEP] b [SEP]} for BERT,
 * {@code <s> a </s></s> b </s>} for RoBERTa and XLM-RoBERTa), truncated as {@code transformers}
 * truncates it. {@link #encode(String)} alone gives the text's ids without special tokens.
 */
public interface EncoderTokenizer extends Tokenizer {
    /** The special tokens and the text's ids, cut to at most {@code maxLength} ids (the end of the text is dropped). */
    Encoding encode(String text, int maxLength);

    /**
     * The special tokens and both texts' ids, cut to at most {@code maxLength} ids from the end of the
     * parts as {@code truncation="longest_first"} does; segment ids as the model expects them (BERT: 1
     * on the second part; RoBERTa: all 0).
     */
    Encoding encodePair(String a, String b, int maxLength);

    /** The id batches are padded with. */
    int padId();
}
