package io.orthrus.tokenize;

/** Turns text into token ids and back. */
public interface Tokenizer {
    /** The ids of {@code text}; throws when the text holds something the vocabulary cannot represent. */
    int[] encode(String text);

    /**
     * The ids of {@code text} with the special tokens the model's template puts around one input, as
     * transformers' {@code add_special_tokens=True}: {@code <s>} first for Llama 2 and
     * {@code <|begin_of_text|>} for Llama 3 (a {@link PrefixedTokenizer}), {@code [CLS] … [SEP]} for BERT;
     * by default none (GPT-2, Qwen2), {@link #encode(String)}.
     */
    default int[] encodeWithSpecialTokens(String text) {
        return encode(text);
    }

    /**
     * The ids of {@code text} with any special token written in it ({@code <s>}, {@code <|im_start|>},
     * {@code [CLS]}, …) read as plain text, as transformers' {@code split_special_tokens=True}: for text from
     * users, which then cannot forge a template's tokens. Added tokens that are not special are still
     * matched whole. By default {@link #encode(String)} (a tokenizer without special tokens in text).
     */
    default int[] encodeAsText(String text) {
        return encode(text);
    }

    /** The text of {@code ids}; throws on an id outside the vocabulary. */
    String decode(int[] ids);

    /**
     * How token {@code id} is written in the vocabulary (for example "Ġthe" in GPT-2's byte-level
     * BPE, "##ing" in WordPiece); by default the text of the id alone.
     */
    default String token(int id) {
        return decode(new int[] {id});
    }

    /**
     * Whether {@code id} is a special token ({@code <s>}, {@code </s>}, {@code <|endoftext|>}, {@code [CLS]}, …),
     * one transformers' {@code decode(skip_special_tokens=True)} leaves out; by default none is.
     */
    default boolean isSpecial(int id) {
        return false;
    }

    /** Number of distinct ids. */
    int vocabSize();

    /** A JSON description from which {@link Tokenizers#fromJson} rebuilds this tokenizer. */
    String toJson();
}
