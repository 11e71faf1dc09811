package io.orthrus.io;

import io.orthrus.model.BertClassifier;
import io.orthrus.tokenize.EncoderTokenizer;

/**
 * A sequence classifier on a BERT, as loaded from a Hugging Face {@code BertForSequenceClassification}
 * folder.
 *
 * @param model     the classifier, in evaluation mode
 * @param tokenizer its tokenizer, or null when the folder has none
 */
public record BertClassifierCheckpoint(BertClassifier model, EncoderTokenizer tokenizer) {}
