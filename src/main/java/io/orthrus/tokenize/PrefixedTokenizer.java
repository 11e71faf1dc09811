package io.orthrus.tokenize;

import java.util.Arrays;

/**
 * A decoder's tokenizer whose template puts tokens before every input: {@code <s>} for Llama 2, Mistral
 * and TinyLlama, {@code <|begin_of_text|>} for Llama 3, what {@code tokenizers}' TemplateProcessing
 * {@code single: "<s> $A"} does. {@link #encode(String)} gives the text's ids alone, as every
 * tokenizer does; {@link #encodeWithSpecialTokens(String)} puts the prefix first, which is how the model
 * saw its inputs in training and what a prompt needs.
 */
public final class PrefixedTokenizer implements Tokenizer {
    private final Tokenizer base;
    private final int[] prefix;

    /** {@code base}, whose inputs begin with the ids {@code prefix} (at least one, each in its vocabulary). */
    public PrefixedTokenizer(Tokenizer base, int... prefix) {
        if (base instanceof EncoderTokenizer || base instanceof PrefixedTokenizer) {
            throw new IllegalArgumentException("PrefixedTokenizer: " + base + " adds special tokens of its own");
        }
        if (prefix.length == 0) {
            throw new IllegalArgumentException("PrefixedTokenizer: the prefix is empty");
        }
        for (int id : prefix) {
            if (id < 0 || id >= base.vocabSize()) {
                throw new IllegalArgumentException("PrefixedTokenizer: prefix id " + id + " is outside the vocabulary of "
                        + base.vocabSize() + " tokens");
            }
        }
        this.base = base;
        this.prefix = prefix.clone();
    }

    /** The ids of {@code text} without the prefix. */
    @Override
    public int[] encode(String text) {
        return base.encode(text);
    }

    /** The prefix, then the ids of {@code text}. */
    @Override
    public int[] encodeWithSpecialTokens(String text) {
        int[] ids = base.encode(text);
        int[] out = Arrays.copyOf(prefix, prefix.length + ids.length);
        System.arraycopy(ids, 0, out, prefix.length, ids.length);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        return base.decode(ids);
    }

    @Override
    public String token(int id) {
        return base.token(id);
    }

    @Override
    public boolean isSpecial(int id) {
        return base.isSpecial(id);
    }

    @Override
    public int[] encodeAsText(String text) {
        return base.encodeAsText(text);
    }

    @Override
    public int vocabSize() {
        return base.vocabSize();
    }

    /** The ids every input begins with. */
    public int[] prefix() {
        return prefix.clone();
    }

    /** The tokenizer the texts' ids come from. */
    public Tokenizer base() {
        return base;
    }

    /** Hugging Face's {@code tokenizer.json}, with a TemplateProcessing that puts the prefix first. */
    @Override
    public String toJson() {
        return HuggingFaceTokenizerJson.write(this);
    }

    @Override
    public String toString() {
        return "PrefixedTokenizer(" + base + ", prefix " + Arrays.toString(prefix) + ")";
    }
}
