package io.orthrus.model;

/** Which way an autoregressive model reads: it predicts each token from the ones before it in this order. */
public enum Direction {
    /** Predict the next token from the ones before it (GPT). */
    LEFT_TO_RIGHT,
    /** Predict the previous token from the ones after it: trained on reversed text, it writes backwards from an ending. */
    RIGHT_TO_LEFT
}
