package io.orthrus.data;

/**
 * A text (or a pair of texts) with a class label, for fine-tuning a classifier.
 *
 * @param text   the text
 * @param pair   a second text (encoded as segment 1), or null
 * @param label  the class, in {@code [0, K)}
 */
public record LabeledText(String text, String pair, int label) {
    /** Checks the components, naming what is wrong. */
    public LabeledText {
        if (text == null) {
            throw new IllegalArgumentException("LabeledText: text is null");
        }
    }

    /** A single text with its label. */
    public LabeledText(String text, int label) {
        this(text, null, label);
    }
}
