package io.orthrus.tokenize;

/** Turns text into token ids and back. */
public interface Tokenizer {
    /** The ids of {@code text}; throws when the text holds something the vocabulary cannot represent. */
    int[] encode(String text);

    /** The text of {@code ids}; throws on an id outside the vocabulary. */
    String decode(int[] ids);

    /**
     * How token {@code id} is written in the vocabulary (for example "Ġthe" in GPT-2's byte-level
     * BPE, "##ing" in WordPiece); by default the text of the id alone.
     */
    default String token(int id) {
        return decode(new int[] {id});
    }

    /** Number of distinct ids. */
    int vocabSize();

    /** A JSON description from which {@link Tokenizers#fromJson} rebuilds this tokenizer. */
    String toJson();
}
