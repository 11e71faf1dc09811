package io.orthrus.tokenize;

/**
 * The input of a RoBERTa-family encoder (RoBERTa, XLM-RoBERTa and the sentence encoders built on
 * them): the ids of a tokenizer without special tokens of its own (a {@link ByteLevelBpe}, a
 * {@link Unigram}) in RoBERTa's template, {@code <s> a </s>} and {@code <s> a </s></s> b </s>}, every
 * segment id 0 (these models have one token type). It is what {@code tokenizers}' RobertaProcessing
 * post-processor, or a TemplateProcessing of the same form, does.
 */
public final class TemplateTokenizer implements EncoderTokenizer {
    private final Tokenizer base;
    private final int bos;
    private final int eos;
    private final int pad;
    private final TruncationSide truncationSide;

    /**
     * {@code base}'s ids between {@code bos} ({@code <s>}) and {@code eos} ({@code </s>}); batches are
     * padded with {@code pad}. The three ids must be in {@code base}'s vocabulary.
     */
    public TemplateTokenizer(Tokenizer base, int bos, int eos, int pad) {
        this(base, bos, eos, pad, TruncationSide.RIGHT);
    }

    private TemplateTokenizer(Tokenizer base, int bos, int eos, int pad, TruncationSide truncationSide) {
        if (base instanceof EncoderTokenizer) {
            throw new IllegalArgumentException("TemplateTokenizer: " + base + " adds special tokens of its own");
        }
        for (int id : new int[] {bos, eos, pad}) {
            if (id < 0 || id >= base.vocabSize()) {
                throw new IllegalArgumentException("TemplateTokenizer: special id " + id + " is outside the vocabulary of "
                        + base.vocabSize() + " tokens");
            }
        }
        this.base = base;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.truncationSide = truncationSide;
    }

    @Override
    public TruncationSide truncationSide() {
        return truncationSide;
    }

    @Override
    public TemplateTokenizer withTruncationSide(TruncationSide side) {
        return new TemplateTokenizer(base, bos, eos, pad, side);
    }

    @Override
    public Encoding encode(String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("TemplateTokenizer.encode: maxLength must be at least 2 for <s> and </s>, got "
                    + maxLength);
        }
        return Truncation.single(base.encode(text), maxLength, bos, eos, truncationSide == TruncationSide.LEFT);
    }

    @Override
    public Encoding encodePair(String a, String b, int maxLength) {
        if (maxLength < 4) {
            throw new IllegalArgumentException("TemplateTokenizer.encodePair: maxLength must be at least 4 for <s> and"
                    + " three </s>, got " + maxLength);
        }
        return Truncation.pair(base.encode(a), base.encode(b), maxLength, bos, eos, 2, 0,
                truncationSide == TruncationSide.LEFT); // RoBERTa: </s></s> between the parts, one token type
    }

    /** The ids of {@code text} without special tokens. */
    @Override
    public int[] encode(String text) {
        return base.encode(text);
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

    @Override
    public int padId() {
        return pad;
    }

    /** The id of {@code <s>}, which begins every input. */
    public int bosId() {
        return bos;
    }

    /** The id of {@code </s>}, which ends every part. */
    public int eosId() {
        return eos;
    }

    /** The tokenizer the texts' ids come from. */
    public Tokenizer base() {
        return base;
    }

    /** Hugging Face's {@code tokenizer.json}, with RoBERTa's post-processor. */
    @Override
    public String toJson() {
        return HuggingFaceTokenizerJson.write(this);
    }

    @Override
    public String toString() {
        return "TemplateTokenizer(" + base + ", <s> " + bos + ", </s> " + eos + ", pad " + pad + ")";
    }
}
