package io.orthrus.tokenize;

/** Turns text into token ids and back. */
public interface Tokenizer {
    /** The ids of {@code text}; throws when the text holds something the vocabulary cannot represent. */
    int[] encode(String text);

    /** The text of {@code ids}; throws on an id outside the vocabulary. */
    String decode(int[] ids);

    /** Number of distinct ids. */
    int vocabSize();

    /** A JSON description from which {@link Tokenizers#fromJson} rebuilds this tokenizer. */
    String toJson();
}
