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

    /**
     * Writes {@code model} as a cross-encoder folder that sentence-transformers' {@code CrossEncoder(dir)}
     * (any version) and {@link #read} load with the same scores, replacing {@code directory}
     * atomically: a {@code BertForSequenceClassification} ({@code config.json} with {@code id2label}
     * and the activation under {@code "sentence_transformers"}, {@code model.safetensors}), and the
     * tokenizer ({@code tokenizer.json}, {@code vocab.txt}, {@code tokenizer_config.json} with the length).
     *
     * @param activation {@code Sigmoid}, {@code Identity} or {@code Tanh}
     */
    public static void write(Path directory, io.orthrus.model.BertClassifier model, io.orthrus.tokenize.EncoderTokenizer tokenizer,
                             String activation, int maxSequenceLength) throws IOException {
        if (!ACTIVATIONS.contains(activation)) {
            throw new IllegalArgumentException("CrossEncoderFolder.write: activation '" + activation + "' is not one of "
                    + ACTIVATIONS);
        }
        String where = "CrossEncoderFolder.write " + directory;
        if (model.poolerActivation() != io.orthrus.nn.Activation.Kind.TANH) {
            throw new IllegalArgumentException(where + ": the classifier's head uses " + model.poolerActivation()
                    + " (a DistilBERT classifier); the layouts Orthrus writes have BERT's and RoBERTa's tanh head");
        }
        HuggingFaceBert.Folder encoder = HuggingFaceBert.folder(where, model.encoder(), tokenizer, true);
        java.util.Map<String, io.orthrus.tensor.Tensor> weights = new java.util.LinkedHashMap<>();
        String prefix = encoder.family().prefix;
        encoder.weights().forEach((name, t) -> {
            if (!name.startsWith("pooler.")) {
                weights.put(prefix + name, t);
            }
        });
        java.util.Map<String, io.orthrus.nn.Parameter> head = io.orthrus.nn.Lora.baseParameters(model);
        boolean roberta = encoder.family().roberta(); // RoBERTa's head: classifier.dense + tanh, classifier.out_proj
        weights.put(roberta ? "classifier.dense.weight" : prefix + "pooler.dense.weight", head.get("pooler.weight"));
        weights.put(roberta ? "classifier.dense.bias" : prefix + "pooler.dense.bias", head.get("pooler.bias"));
        weights.put(roberta ? "classifier.out_proj.weight" : "classifier.weight", head.get("classifier.weight"));
        weights.put(roberta ? "classifier.out_proj.bias" : "classifier.bias", head.get("classifier.bias"));
        Weights.requireFinite(where, weights, Weights.ON_SAVE);
        JsonObject config = encoder.config().deepCopy();
        String architecture = encoder.config().getAsJsonArray("architectures").get(0).getAsString().replace("Model", "");
        config.add("architectures", com.google.gson.JsonParser.parseString("[\"" + architecture
                + "ForSequenceClassification\"]"));
        JsonObject id2label = new JsonObject(), label2id = new JsonObject();
        for (int i = 0; i < model.classes(); i++) {
            id2label.addProperty(Integer.toString(i), "LABEL_" + i);
            label2id.addProperty("LABEL_" + i, i);
        }
        config.add("id2label", id2label);
        config.add("label2id", label2id);
        JsonObject st = new JsonObject();
        st.addProperty("activation_fn", "torch.nn.modules." + (activation.equals("Identity") ? "linear." : "activation.")
                + activation);
        config.add("sentence_transformers", st);
        JsonObject tokenizerConfig = SentenceTransformersFolder.tokenizerConfig(tokenizer, maxSequenceLength);
        HuggingFaceBert.Folder folder = new HuggingFaceBert.Folder(config, weights, tokenizer, encoder.family());
        io.orthrus.files.AtomicFiles.writeDirectory(directory, dir -> {
            folder.write(dir);
            SentenceTransformersFolder.writeTokenizer(dir, tokenizer, tokenizerConfig);
        });
    }

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
        int maxLength = HuggingFaceFolder.modelMaxLength(directory, classifier.model().encoder().contextLength());
        if (maxLength < 3) {
            throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.TOKENIZER_CONFIG) + ": field"
                    + " 'model_max_length' is " + maxLength + "; a pair needs room for [CLS] and two [SEP]");
        }
        return new CrossEncoderFolder(classifier, name, maxLength);
    }
}
