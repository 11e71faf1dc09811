package io.orthrus.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cross-encoder (reranker) folder, read: a Hugging Face {@code BertForSequenceClassification}
 * folder, as sentence-transformers saves a {@code CrossEncoder} (with {@code modules.json} and
 * {@code config_sentence_transformers.json} since version 5, or with the activation under
 * {@code "sentence_transformers"} in {@code config.json} before). The activation applied to the
 * logits is the folder's {@code activation_fn}; without one, sigmoid for a single label and none
 * for several, as sentence-transformers does.
 *
 * @param classifier        the encoder, pooler and classifier, with the tokenizer
 * @param activation        the activation's class name without its package: {@code Sigmoid}, {@code Identity} or {@code Tanh}
 * @param maxSequenceLength the most tokens a pair keeps, {@code [CLS]} and both {@code [SEP]} included
 */
public record CrossEncoderFolder(BertClassifierCheckpoint classifier, String activation, int maxSequenceLength) {
    private static final java.util.List<String> ACTIVATIONS = java.util.List.of("Sigmoid", "Identity", "Tanh");

    /** Reads the folder; see the class comment for what it holds. */
    public static CrossEncoderFolder read(Path directory) throws IOException {
        if (SentenceTransformersFolder.isSentenceTransformers(directory)) {
            Path modulesFile = directory.resolve(SentenceTransformersFolder.MODULES);
            for (JsonObject module : SentenceTransformersFolder.modules(modulesFile)) {
                String type = HuggingFaceFolder.string(modulesFile, module, "type", "");
                if (!type.endsWith(".Transformer") || !HuggingFaceFolder.string(modulesFile, module, "path", "").isEmpty()) {
                    throw new IllegalArgumentException(modulesFile + ": a cross-encoder folder has one Transformer module"
                            + " at its root, found '" + type + "'" + (type.endsWith(".Pooling")
                            ? " (a sentence encoder: load it with SentenceEncoder)" : ""));
                }
            }
            Path bertConfigFile = directory.resolve(SentenceTransformersFolder.SENTENCE_BERT_CONFIG);
            if (Files.exists(bertConfigFile)) {
                HuggingFaceFolder.requireValue(bertConfigFile, JsonFiles.readObject(bertConfigFile), "transformer_task",
                        "sequence-classification", "a cross-encoder scores pairs with a sequence classifier");
            }
        }
        BertClassifierCheckpoint classifier = HuggingFaceBert.loadClassifier(directory);
        if (classifier.tokenizer() == null) {
            throw new IllegalArgumentException(directory + ": no tokenizer (tokenizer.json or vocab.txt) beside the model");
        }
        Path stFile = directory.resolve(SentenceTransformersFolder.SENTENCE_TRANSFORMERS_CONFIG);
        Path configFile = directory.resolve(HuggingFaceFolder.CONFIG);
        String activation = null;
        Path activationFile = null;
        if (Files.exists(stFile)) {
            JsonObject st = JsonFiles.readObject(stFile);
            HuggingFaceFolder.requireValue(stFile, st, "model_type", "CrossEncoder",
                    "this reader loads cross-encoders (SentenceTransformer folders: SentenceEncoder)");
            activation = HuggingFaceFolder.string(stFile, st, "activation_fn", null);
            activationFile = stFile;
        }
        JsonElement legacy = JsonFiles.readObject(configFile).get("sentence_transformers");
        if (activation == null && legacy != null && legacy.isJsonObject()) {
            activation = HuggingFaceFolder.string(configFile, legacy.getAsJsonObject(), "activation_fn", null);
            activationFile = configFile;
        }
        int labels = classifier.model().classes();
        String name = activation == null ? (labels == 1 ? "Sigmoid" : "Identity")
                : activation.substring(activation.lastIndexOf('.') + 1);
        if (!ACTIVATIONS.contains(name)) {
            throw new IllegalArgumentException(activationFile + ": field 'activation_fn' is " + activation
                    + "; Orthrus applies " + ACTIVATIONS);
        }
        int positions = classifier.model().encoder().contextLength();
        JsonObject tokenizerConfig = HuggingFaceFolder.tokenizerConfig(directory);
        JsonElement declared = tokenizerConfig.get("model_max_length");
        int maxLength = declared == null || !declared.isJsonPrimitive() || declared.getAsDouble() > positions
                ? positions : HuggingFaceFolder.integer(directory.resolve(HuggingFaceFolder.TOKENIZER_CONFIG),
                        tokenizerConfig, "model_max_length", null);
        if (maxLength < 3) {
            throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.TOKENIZER_CONFIG) + ": field"
                    + " 'model_max_length' is " + maxLength + "; a pair needs room for [CLS] and two [SEP]");
        }
        return new CrossEncoderFolder(classifier, name, maxLength);
    }
}
