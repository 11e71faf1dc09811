package io.orthrus.tokenize;

/**
 * A tokenizer that makes a bidirectional encoder's input: a text or a text pair with the special
 * tokens the model was trained with around it ({@code [CLS] a [SEP] b [SEP]} for BERT,
 * {@code <s> a </s></s> b </s>} for RoBERTa and XLM-RoBERTa), truncated as {@code transformers}
 * truncates it. {@link #encode(String)} alone gives the text's ids without special tokens.
 */
public interface EncoderTokenizer extends Tokenizer {
    /** Which end of a text too long for the model loses its tokens, as {@code tokenizer_config.json}'s {@code truncation_side} says. */
    enum TruncationSide {
        /** The end of the text is dropped (the default). */
        RIGHT,
        /** The beginning of the text is dropped. */
        LEFT
    }

    /**
     * The special tokens and the text's ids, cut to at most {@code maxLength} ids (the end of the text
     * is dropped, or its beginning with {@link TruncationSide#LEFT}).
     */
    Encoding encode(String text, int maxLength);

    /** The special tokens and the text's ids, not truncated. */
    @Override
    default int[] encodeWithSpecialTokens(String text) {
        return encode(text, Integer.MAX_VALUE).ids();
    }

    /**
     * The special tokens and both texts' ids, cut to at most {@code maxLength} ids from the parts as
     * {@code truncation="longest_first"} does (from their ends, or their beginnings with
     * {@link TruncationSide#LEFT}); segment ids as the model expects them (BERT: 1 on the second part;
     * RoBERTa: all 0).
     */
    Encoding encodePair(String a, String b, int maxLength);

    /** Which end of a too long text is dropped. */
    TruncationSide truncationSide();

    /** This tokenizer dropping the tokens of a too long text from {@code side}. */
    EncoderTokenizer withTruncationSide(TruncationSide side);

    /** The id batches are padded with. */
    int padId();
}
