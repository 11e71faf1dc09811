package io.orthrus.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import io.orthrus.model.Bert;
import io.orthrus.model.BertClassifier;
import io.orthrus.nn.Activation;
import io.orthrus.nn.Lora;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.TemplateTokenizer;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BERT checkpoints in Hugging Face's layouts (and the {@code DistilBertModel} encoder, whose own weight names and
 * config fields map onto the same BERT without token types): {@code BertForMaskedLM}, {@code BertForPreTraining}
 * (the masked-LM head and the next-sentence head, which is ignored) and {@code BertModel} (the
 * encoder alone, its weights without the {@code bert.} prefix). A folder holds {@code config.json},
 * {@code model.safetensors} (or shards listed by {@code model.safetensors.index.json}) and the
 * tokenizer: {@code tokenizer.json}, or {@code vocab.txt} with {@code do_lower_case} and
 * {@code strip_accents} from {@code tokenizer_config.json}.
 *
 * <p>Query, key and value ({@code attention.self.query|key|value}) are stacked into Orthrus's one
 * Q/K/V projection; layer norms may be named {@code weight}/{@code bias} or, as in older
 * checkpoints, {@code gamma}/{@code beta}; the MLM bias may be {@code cls.predictions.bias} or
 * {@code cls.predictions.decoder.bias}; with {@code tie_word_embeddings: false} the decoder
 * {@code cls.predictions.decoder.weight} is a matrix of its own. The {@code position_ids} buffer,
 * the pooler and the next-sentence head are skipped by {@link #load} ({@link #loadClassifier} reads the pooler and a
 * {@code BertForSequenceClassification}'s head). Any other weight is refused by name, as is
 * any {@code config.json} option that would change the logits and that Orthrus does not implement.
 * Loaded models are in evaluation mode, as {@code from_pretrained} returns them.
 */
public final class HuggingFaceBert {
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceBert.class);
    private static final String PREFIX = "bert.";

    /** The encoder families read: their {@code model_type}, weight prefix and layout. */
    enum Family {
        /** BERT: two token types, positions from 0. */
        BERT("bert", "bert."),
        /** DistilBERT: its own weight names, no token types. */
        DISTILBERT("distilbert", "distilbert."),
        /** RoBERTa: one token type, positions offset by {@code pad_token_id + 1}, RoBERTa's template. */
        ROBERTA("roberta", "roberta."),
        /** XLM-RoBERTa: RoBERTa with a SentencePiece (Unigram) tokenizer. */
        XLM_ROBERTA("xlm-roberta", "roberta.");

        final String modelType;
        final String prefix;

        Family(String modelType, String prefix) {
            this.modelType = modelType;
            this.prefix = prefix;
        }

        boolean roberta() {
            return this == ROBERTA || this == XLM_ROBERTA;
        }

        static Family of(Path file, String modelType) {
            for (Family f : values()) {
                if (f.modelType.equals(modelType)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(file + ": model_type '" + modelType + "' is not one Orthrus reads as an"
                    + " encoder (bert, distilbert, roberta, xlm-roberta)");
        }
    }

    /**
     * An encoder folder read: the encoder, in evaluation mode, and its tokenizer (null when the folder
     * has none): a {@link WordPiece} for BERT and DistilBERT, a {@code TemplateTokenizer} for the
     * RoBERTa family.
     *
     * @param model     the encoder
     * @param tokenizer its tokenizer, or null
     */
    public record Encoder(Bert model, EncoderTokenizer tokenizer) {}
    /** config.json fields that are read into the model. */
    private static final Set<String> HONOURED = Set.of("vocab_size", "hidden_size", "num_hidden_layers",
            "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob", "max_position_embeddings",
            "type_vocab_size", "layer_norm_eps", "position_embedding_type", "tie_word_embeddings", "model_type",
            "do_lower_case", "strip_accents");
    /** Fields whose other values are refused (checked in {@link #config}). */
    private static final Set<String> CHECKED = Set.of("is_decoder", "add_cross_attention", "is_encoder_decoder",
            "chunk_size_feed_forward");
    /** Fields that do not change the weights' layout or the logits (training, generation and bookkeeping settings). */
    private static final Set<String> INERT = Set.of("architectures", "transformers_version", "dtype", "torch_dtype",
            "initializer_range", "pad_token_id", "bos_token_id", "eos_token_id", "use_cache", "classifier_dropout",
            "attention_probs_dropout_prob", "output_hidden_states", "output_attentions", "return_dict", "id2label",
            "label2id", "problem_type", "_name_or_path", "gradient_checkpointing", "tokenizer_class", "directionality",
            "pooler_fc_size", "pooler_num_attention_heads", "pooler_num_fc_layers", "pooler_size_per_head",
            "pooler_type", "finetuning_task", "num_labels", "_attn_implementation_autoset", "layer_norm_type");

    private HuggingFaceBert() {}

    /** Every config.json field the loader knows: read, checked or without effect on the logits. */
    static Set<String> knownConfigFields() {
        Set<String> all = new TreeSet<>(HONOURED);
        all.addAll(CHECKED);
        all.addAll(INERT);
        return all;
    }

    /**
     * The model in {@code directory}, in evaluation mode, and its tokenizer (null when the folder has
     * none). A folder without masked-LM weights ({@code BertModel}) gives a model without a trained
     * head: see {@link Bert#hasMaskedLmHead()}. The pooler and a sequence classifier's head
     * ({@code BertForSequenceClassification}) are skipped: {@link #loadClassifier} reads them.
     */
    public static BertCheckpoint load(Path directory) throws IOException {
        Stored stored = stored(directory);
        if (stored.family().roberta()) {
            throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.CONFIG) + ": a " + stored.family().modelType
                    + " folder; read it with HuggingFaceBert.loadEncoder or SentenceEncoder.load (fill-mask, score and"
                    + " masked-LM training take WordPiece BERTs)");
        }
        Bert model = encoder(stored);
        stored.unused().removeIf(n -> n.startsWith("pooler.") || n.startsWith("classifier."));
        stored.requireAllUsed("BertForMaskedLM, BertForPreTraining, BertModel");
        return new BertCheckpoint(model, (WordPiece) tokenizer(stored, model));
    }

    /**
     * The encoder of any folder Orthrus reads as one ({@code BertModel}, {@code BertForMaskedLM},
     * {@code DistilBertModel}, {@code RobertaModel}, {@code XLMRobertaModel}, their masked-LM
     * classes), in evaluation mode, with its tokenizer (null when the folder has none); poolers and
     * classifier heads are skipped.
     */
    public static Encoder loadEncoder(Path directory) throws IOException {
        Stored stored = stored(directory);
        Bert model = encoder(stored);
        stored.unused().removeIf(n -> n.startsWith("pooler.") || n.startsWith("classifier."));
        stored.requireAllUsed("BertModel, BertForMaskedLM, DistilBertModel, RobertaModel, XLMRobertaModel");
        return new Encoder(model, tokenizer(stored, model));
    }

    /**
     * A {@code BertForSequenceClassification}, {@code RobertaForSequenceClassification},
     * {@code XLMRobertaForSequenceClassification} or {@code DistilBertForSequenceClassification} folder (a
     * fine-tuned classifier, or a cross-encoder that scores text pairs), in evaluation mode: the encoder,
     * a dense layer over the first token with tanh (BERT's pooler, RoBERTa's {@code classifier.dense}) or
     * ReLU (DistilBERT's {@code pre_classifier}) and the output layer, whose number of labels is its
     * weight's row count (checked against {@code config.json}'s {@code id2label}).
     */
    public static BertClassifierCheckpoint loadClassifier(Path directory) throws IOException {
        Stored stored = stored(directory);
        Bert encoder = encoder(stored);
        boolean roberta = stored.family().roberta(), distil = stored.distil();
        String dense = roberta ? "classifier.dense." : distil ? "pre_classifier." : "pooler.dense.";
        String output = roberta ? "classifier.out_proj." : "classifier.";
        Tensor classifierWeight = take(stored.file(), stored.weights(), stored.unused(), output + "weight");
        int labels = classifierWeight.size(0);
        JsonElement id2label = stored.json().get("id2label");
        if (id2label != null && id2label.isJsonObject() && id2label.getAsJsonObject().size() != labels) {
            throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.CONFIG) + ": id2label has "
                    + id2label.getAsJsonObject().size() + " labels but " + output + "weight has " + labels + " rows");
        }
        BertClassifier model = new BertClassifier(encoder, labels, new Rng(0),
                distil ? Activation.Kind.RELU : Activation.Kind.TANH); // DistilBERT: pre_classifier, then ReLU
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("pooler.weight", take(stored.file(), stored.weights(), stored.unused(), dense + "weight"));
        head.put("pooler.bias", take(stored.file(), stored.weights(), stored.unused(), dense + "bias"));
        head.put("classifier.weight", classifierWeight);
        head.put("classifier.bias", take(stored.file(), stored.weights(), stored.unused(), output + "bias"));
        Map<String, Parameter> parameters = model.namedParameters();
        for (Map.Entry<String, Tensor> e : head.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue().shape(), parameters.get(e.getKey()).shape())) {
                throw new IllegalArgumentException(stored.file() + ": the weights for " + e.getKey() + " have shape "
                        + java.util.Arrays.toString(e.getValue().shape()) + " but config.json implies "
                        + java.util.Arrays.toString(parameters.get(e.getKey()).shape()));
            }
        }
        Weights.requireFinite(stored.file().toString(), head, Weights.ON_LOAD);
        head.forEach((name, value) -> System.arraycopy(value.data(), 0, parameters.get(name).data(), 0, value.numel()));
        stored.unused().removeIf(n -> n.startsWith("pooler.")); // RoBERTa classifiers may carry an unused pooler
        stored.requireAllUsed("BertForSequenceClassification, RobertaForSequenceClassification,"
                + " DistilBertForSequenceClassification");
        model.eval();
        return new BertClassifierCheckpoint(model, tokenizer(stored, encoder));
    }

    /** A folder's config, weights by name without the {@code bert.} prefix, and the names not used yet. */
    private record Stored(Path directory, JsonObject json, TransformerConfig shape, Map<String, Tensor> weights,
                          Path file, Set<String> unused, Family family, int positionOffset) {
        boolean distil() {
            return family == Family.DISTILBERT;
        }

        /** Refuses the weights no part of the model took, naming them and the layouts read. */
        void requireAllUsed(String layouts) {
            if (unused.removeIf(n -> n.startsWith("cls.seq_relationship."))) {
                LOG.debug("{}: the next-sentence head (cls.seq_relationship) is not used", directory);
            }
            unused.removeIf(n -> (shape.tiedEmbeddings() && (n.equals("cls.predictions.decoder.weight")
                    || n.equals("lm_head.decoder.weight"))) || n.equals("cls.predictions.decoder.bias")
                    || n.equals("lm_head.decoder.bias") || n.equals("embeddings.position_ids"));
            if (!unused.isEmpty()) {
                throw new IllegalArgumentException(file + ": weights no BERT layout (" + layouts + ") has: " + unused);
            }
        }
    }

    private static Stored stored(Path directory) throws IOException {
        JsonObject json = HuggingFaceFolder.config(directory);
        Path configFile = directory.resolve(HuggingFaceFolder.CONFIG);
        Family family = Family.of(configFile, HuggingFaceFolder.string(configFile, json, "model_type", "bert"));
        TransformerConfig shape = config(configFile, json, family);
        int offset = family.roberta() ? HuggingFaceFolder.integer(configFile, json, "pad_token_id", 1) + 1 : 0;
        String prefix = family.prefix;
        Map<String, Tensor> weights = new LinkedHashMap<>();
        HuggingFaceFolder.weights(directory).forEach((name, t) ->
                weights.put(name.startsWith(prefix) ? name.substring(prefix.length()) : name, t));
        return new Stored(directory, json, shape, weights, HuggingFaceFolder.weightsFile(directory),
                new TreeSet<>(weights.keySet()), family, offset);
    }

    /** The encoder (and its masked-LM head when the folder has one), in evaluation mode. */
    private static Bert encoder(Stored stored) {
        boolean hasHead = stored.weights().keySet().stream().anyMatch(n -> n.startsWith("cls.predictions.")
                || n.startsWith("lm_head."));
        Bert model = new Bert(stored.shape(), new Rng(0));
        Map<String, Tensor> used = new LinkedHashMap<>();
        Map<String, Parameter> parameters = model.namedParameters();
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            if (!hasHead && isHead(p.getKey())) {
                continue;
            }
            Tensor value = stored.distil()
                    ? findDistil(stored.file(), stored.weights(), stored.unused(), p.getKey(), stored.shape().width())
                    : stored.family().roberta() ? findRoberta(stored, p.getKey())
                    : find(stored.file(), stored.weights(), stored.unused(), p.getKey());
            if (!java.util.Arrays.equals(value.shape(), p.getValue().shape())) {
                throw new IllegalArgumentException(stored.file() + ": the weights for " + p.getKey() + " have shape "
                        + java.util.Arrays.toString(value.shape()) + " but config.json implies "
                        + java.util.Arrays.toString(p.getValue().shape()));
            }
            used.put(p.getKey(), value);
        }
        Weights.requireFinite(stored.file().toString(), used, Weights.ON_LOAD);
        used.forEach((name, value) -> System.arraycopy(value.data(), 0, parameters.get(name).data(), 0, value.numel()));
        if (!hasHead) {
            model.withoutMaskedLmHead();
            LOG.debug("{}: no masked-LM head; the encoder alone is loaded", stored.directory());
        }
        model.eval();
        return model;
    }

    /**
     * The folder's tokenizer, checked against the model's vocabulary; null when it has none. A
     * RoBERTa-family folder needs a {@code tokenizer.json} with RoBERTa's template.
     */
    private static EncoderTokenizer tokenizer(Stored stored, Bert model) throws IOException {
        Path directory = stored.directory();
        EncoderTokenizer tokenizer;
        if (stored.family().roberta()) {
            Tokenizer fromJson = HuggingFaceFolder.tokenizerJson(directory);
            if (fromJson != null && !(fromJson instanceof TemplateTokenizer)) {
                throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.TOKENIZER_JSON) + ": a "
                        + stored.family().modelType + " model needs RoBERTa's template (post_processor RobertaProcessing,"
                        + " or a TemplateProcessing <s> $A </s>), found " + fromJson);
            }
            tokenizer = (TemplateTokenizer) fromJson;
        } else {
            tokenizer = tokenizer(directory, stored.json());
        }
        if (tokenizer != null && tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new IllegalArgumentException(directory + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but config.json says vocab_size " + model.config().vocabSize());
        }
        return tokenizer == null ? null : tokenizer.withTruncationSide(truncationSide(directory));
    }

    /** {@code tokenizer_config.json}'s {@code truncation_side}: "right" (the default) or "left". */
    private static EncoderTokenizer.TruncationSide truncationSide(Path directory) throws IOException {
        Path file = directory.resolve(HuggingFaceFolder.TOKENIZER_CONFIG);
        String side = HuggingFaceFolder.string(file, HuggingFaceFolder.tokenizerConfig(directory), "truncation_side", "right");
        return switch (side) {
            case "right" -> EncoderTokenizer.TruncationSide.RIGHT;
            case "left" -> EncoderTokenizer.TruncationSide.LEFT;
            default -> throw new IllegalArgumentException(file + ": field 'truncation_side' is '" + side
                    + "'; it must be right or left");
        };
    }

    private static boolean isHead(String name) {
        return name.startsWith("mlm");
    }

    /**
     * {@code tokenizer.json} when the folder has one (its normalizer says how text is cased), else
     * {@code vocab.txt} cased by {@code tokenizer_config.json}'s {@code do_lower_case} (or
     * config.json's; true when neither says) and {@code strip_accents} (null: as do_lower_case).
     */
    private static WordPiece tokenizer(Path directory, JsonObject config) throws IOException {
        Tokenizer fromJson = HuggingFaceFolder.tokenizerJson(directory);
        if (fromJson != null) {
            if (!(fromJson instanceof WordPiece wordPiece)) {
                throw new IllegalArgumentException(directory.resolve(HuggingFaceFolder.TOKENIZER_JSON)
                        + ": a BERT needs a WordPiece tokenizer, found " + fromJson);
            }
            return wordPiece;
        }
        Path vocab = directory.resolve("vocab.txt");
        if (!Files.exists(vocab)) {
            return null;
        }
        JsonObject tokenizerConfig = HuggingFaceFolder.tokenizerConfig(directory);
        Path tokenizerFile = directory.resolve(HuggingFaceFolder.TOKENIZER_CONFIG);
        boolean lowerCase = tokenizerConfig.has("do_lower_case")
                ? HuggingFaceFolder.flag(tokenizerFile, tokenizerConfig, "do_lower_case", true)
                : HuggingFaceFolder.flag(directory.resolve(HuggingFaceFolder.CONFIG), config, "do_lower_case", true);
        boolean stripAccents = HuggingFaceFolder.flag(tokenizerFile, tokenizerConfig, "strip_accents", lowerCase);
        return WordPiece.load(vocab, lowerCase, stripAccents);
    }

    /**
     * Writes {@code model} in the {@code BertForMaskedLM} layout (layer norms as weight/bias, the
     * decoder weight omitted when tied), with {@code tokenizer}'s {@code vocab.txt} when given;
     * atomically. The model must be BERT-shaped: post-norm, learned positions.
     */
    public static void save(Path directory, Bert model, WordPiece tokenizer) throws IOException {
        Folder written = folder("HuggingFaceBert.save " + directory, model, tokenizer, false);
        AtomicFiles.writeDirectory(directory, written::write);
    }

    /**
     * Checks that a BERT of shape {@code c} can be written in Hugging Face's layout (post-norm, learned
     * positions, biases, a GELU or ReLU activation), so that a run can refuse before it trains rather
     * than when it saves; returns config.json's {@code hidden_act}. {@code where} begins the error.
     */
    public static String requireWritable(String where, TransformerConfig c) {
        if (c.norm() != TransformerConfig.NormPlacement.POST || c.positions() != TransformerConfig.PositionalEncoding.LEARNED
                || !c.bias()) {
            throw new IllegalArgumentException(where + ": BERT's layout needs post-norm, learned positions and"
                    + " biases; this model has " + c.norm() + ", " + c.positions() + ", bias " + c.bias());
        }
        if (!c.beyondClassicBlocks().isEmpty()) {
            throw new IllegalArgumentException(where + ": BERT's layout cannot hold " + c.beyondClassicBlocks());
        }
        return switch (c.activation()) {
            case GELU_EXACT -> "gelu";
            case GELU -> "gelu_new";
            case RELU -> "relu";
            default -> throw new IllegalArgumentException(where + ": BERT has no activation " + c.activation());
        };
    }

    /** What a BERT folder holds, ready to be written into a directory. */
    record Folder(JsonObject config, Map<String, Tensor> weights, EncoderTokenizer tokenizer, Family family) {
        /** Writes {@code config.json}, {@code model.safetensors} and a WordPiece's {@code vocab.txt} into {@code dir}. */
        void write(Path dir) throws IOException {
            Files.writeString(dir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            if (tokenizer instanceof WordPiece wordPiece) {
                wordPiece.writeVocab(dir.resolve("vocab.txt"));
            }
        }
    }

    /**
     * The files of {@code model}: the {@code BertForMaskedLM} layout, or with {@code encoderOnly} the
     * {@code BertModel} one (names without {@code bert.}, no head), which a sentence encoder's
     * Transformer module is. Checks the model and its weights first; {@code where} names the save in errors.
     */
    static Folder folder(String where, Bert model, EncoderTokenizer tokenizer, boolean encoderOnly) {
        TransformerConfig c = model.config();
        String act = requireWritable(where, c);
        if (tokenizer != null && tokenizer.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException(where + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + c.vocabSize());
        }
        Family family = family(tokenizer);
        TemplateTokenizer template = family.roberta() ? (TemplateTokenizer) tokenizer : null;
        int offset = template == null ? 0 : template.padId() + 1;
        String architecture = switch (family) {
            case ROBERTA -> "Roberta";
            case XLM_ROBERTA -> "XLMRoberta";
            default -> "Bert";
        };
        JsonObject config = new JsonObject();
        config.addProperty("model_type", family.modelType);
        config.add("architectures", JsonParser.parseString("[\"" + architecture + (encoderOnly ? "Model" : "ForMaskedLM")
                + "\"]"));
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("hidden_size", c.width());
        config.addProperty("num_hidden_layers", c.layers());
        config.addProperty("num_attention_heads", c.heads());
        config.addProperty("intermediate_size", c.feedForwardWidth());
        config.addProperty("hidden_act", act);
        config.addProperty("hidden_dropout_prob", c.dropout());
        config.addProperty("attention_probs_dropout_prob", c.dropout());
        config.addProperty("max_position_embeddings", c.contextLength() + offset);
        config.addProperty("type_vocab_size", template == null ? Bert.SEGMENTS : 1);
        if (template != null) {
            config.addProperty("pad_token_id", template.padId());
            config.addProperty("bos_token_id", template.bosId());
            config.addProperty("eos_token_id", template.eosId());
        }
        config.addProperty("layer_norm_eps", c.layerNormEps());
        config.addProperty("position_embedding_type", "absolute");
        config.addProperty("tie_word_embeddings", c.tiedEmbeddings());
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Parameter> params = Lora.baseParameters(model);
        String bert = encoderOnly ? "" : family.prefix;
        String e = bert + "embeddings.";
        weights.put(e + "word_embeddings.weight", params.get("wte.weight"));
        if (template == null) {
            weights.put(e + "position_embeddings.weight", params.get("wpe.weight"));
            weights.put(e + "token_type_embeddings.weight", params.get("wse.weight"));
        } else { // the rows before a text's first position serve padding, which attention never sees: zeros, as at init
            weights.put(e + "position_embeddings.weight", Tensor.concat(0, Tensor.zeros(offset, c.width()),
                    params.get("wpe.weight").detach()));
            weights.put(e + "token_type_embeddings.weight", params.get("wse.weight").detach().narrow(0, 0, 1));
        }
        weights.put(e + "LayerNorm.weight", params.get("lnE.weight"));
        weights.put(e + "LayerNorm.bias", params.get("lnE.bias"));
        int width = c.width();
        for (int i = 0; i < c.layers(); i++) {
            String o = "stack.blocks." + i + ".", h = bert + "encoder.layer." + i + ".";
            Tensor qkvW = params.get(o + "attn.qkv.weight").detach(), qkvB = params.get(o + "attn.qkv.bias").detach();
            String[] parts = {"query", "key", "value"};
            for (int k = 0; k < 3; k++) {
                weights.put(h + "attention.self." + parts[k] + ".weight", qkvW.narrow(0, k * width, width));
                weights.put(h + "attention.self." + parts[k] + ".bias", qkvB.narrow(0, k * width, width));
            }
            weights.put(h + "attention.output.dense.weight", params.get(o + "attn.proj.weight"));
            weights.put(h + "attention.output.dense.bias", params.get(o + "attn.proj.bias"));
            weights.put(h + "attention.output.LayerNorm.weight", params.get(o + "ln1.weight"));
            weights.put(h + "attention.output.LayerNorm.bias", params.get(o + "ln1.bias"));
            weights.put(h + "intermediate.dense.weight", params.get(o + "ff.up.weight"));
            weights.put(h + "intermediate.dense.bias", params.get(o + "ff.up.bias"));
            weights.put(h + "output.dense.weight", params.get(o + "ff.down.weight"));
            weights.put(h + "output.dense.bias", params.get(o + "ff.down.bias"));
            weights.put(h + "output.LayerNorm.weight", params.get(o + "ln2.weight"));
            weights.put(h + "output.LayerNorm.bias", params.get(o + "ln2.bias"));
        }
        if (encoderOnly) { // BertModel has a pooler; an identity one, unused by sentence encoders, loads without a warning
            Tensor identity = Tensor.zeros(width, width);
            for (int i = 0; i < width; i++) {
                identity.data()[i * width + i] = 1f;
            }
            weights.put("pooler.dense.weight", identity);
            weights.put("pooler.dense.bias", Tensor.zeros(width));
        } else if (template != null) {
            weights.put("lm_head.dense.weight", params.get("mlmDense.weight"));
            weights.put("lm_head.dense.bias", params.get("mlmDense.bias"));
            weights.put("lm_head.layer_norm.weight", params.get("mlmNorm.weight"));
            weights.put("lm_head.layer_norm.bias", params.get("mlmNorm.bias"));
            weights.put("lm_head.bias", params.get("mlmBias"));
            if (!c.tiedEmbeddings()) {
                weights.put("lm_head.decoder.weight", params.get("mlmDecoder"));
            }
        } else {
            String p = "cls.predictions.";
            weights.put(p + "transform.dense.weight", params.get("mlmDense.weight"));
            weights.put(p + "transform.dense.bias", params.get("mlmDense.bias"));
            weights.put(p + "transform.LayerNorm.weight", params.get("mlmNorm.weight"));
            weights.put(p + "transform.LayerNorm.bias", params.get("mlmNorm.bias"));
            weights.put(p + "bias", params.get("mlmBias"));
            if (!c.tiedEmbeddings()) {
                weights.put(p + "decoder.weight", params.get("mlmDecoder"));
            }
        }
        Weights.requireFinite(where, weights, Weights.ON_SAVE);
        return new Folder(config, weights, tokenizer, family);
    }

    /**
     * The layout a model is written in follows its tokenizer: RoBERTa's template on a byte-level BPE
     * is RoBERTa, on a Unigram model XLM-RoBERTa; anything else (WordPiece, none) is BERT.
     */
    private static Family family(EncoderTokenizer tokenizer) {
        if (tokenizer instanceof TemplateTokenizer t) {
            return t.base() instanceof io.orthrus.tokenize.ByteLevelBpe ? Family.ROBERTA : Family.XLM_ROBERTA;
        }
        return Family.BERT;
    }

    /** DistilBERT's config fields: a BERT without token types, six layers by default, its own names. */
    private static final Set<String> DISTIL_FIELDS = Set.of("model_type", "architectures", "vocab_size", "dim",
            "n_layers", "n_heads", "hidden_dim", "activation", "dropout", "attention_dropout", "max_position_embeddings",
            "sinusoidal_pos_embds", "tie_word_embeddings", "initializer_range", "qa_dropout", "seq_classif_dropout",
            "pad_token_id", "bos_token_id", "eos_token_id", "transformers_version", "dtype", "torch_dtype", "id2label",
            "label2id", "_name_or_path", "output_attentions", "output_hidden_states", "return_dict", "problem_type",
            "tokenizer_class", "use_cache");

    /**
     * A {@code distilbert} config as the BERT shape it is: post-norm layers with {@code eps} 1e-12,
     * learned positions (sinusoidal ones are stored as weights too), no token types (their table is
     * zero in the model).
     */
    private static TransformerConfig distilConfig(Path file, JsonObject json) {
        String act = HuggingFaceFolder.string(file, json, "activation", "gelu");
        Activation.Kind kind = switch (act) {
            case "gelu" -> Activation.Kind.GELU_EXACT;
            case "relu" -> Activation.Kind.RELU;
            default -> throw new IllegalArgumentException(file + ": activation '" + act + "' is not supported (gelu, relu)");
        };
        HuggingFaceFolder.warnUnknown(LOG, file, json, DISTIL_FIELDS);
        try {
            return new TransformerConfig(HuggingFaceFolder.integer(file, json, "vocab_size", null),
                    HuggingFaceFolder.integer(file, json, "max_position_embeddings", 512),
                    HuggingFaceFolder.integer(file, json, "dim", 768), HuggingFaceFolder.integer(file, json, "n_heads", 12),
                    HuggingFaceFolder.integer(file, json, "n_layers", 6),
                    HuggingFaceFolder.integer(file, json, "hidden_dim", 3072), kind,
                    HuggingFaceFolder.number(file, json, "dropout", 0.1f), TransformerConfig.PositionalEncoding.LEARNED,
                    TransformerConfig.NormPlacement.POST, true, HuggingFaceFolder.flag(file, json, "tie_word_embeddings", true),
                    1e-12f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The stored tensor for Orthrus parameter {@code name} in a DistilBERT folder (names without {@code distilbert.}). */
    private static Tensor findDistil(Path file, Map<String, Tensor> stored, Set<String> unused, String name, int width) {
        String e = "embeddings.";
        switch (name) {
            case "wte.weight": return take(file, stored, unused, e + "word_embeddings.weight");
            case "wpe.weight": return take(file, stored, unused, e + "position_embeddings.weight");
            case "wse.weight": return Tensor.zeros(Bert.SEGMENTS, width); // DistilBERT has no token types
            case "lnE.weight": return take(file, stored, unused, e + "LayerNorm.weight");
            case "lnE.bias": return take(file, stored, unused, e + "LayerNorm.bias");
            default: break;
        }
        String prefix = "stack.blocks.";
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException(file + ": DistilBERT has no weight for the model's " + name
                    + " (Orthrus reads DistilBertModel, the encoder)");
        }
        int dot = name.indexOf('.', prefix.length());
        String layer = "transformer.layer." + name.substring(prefix.length(), dot) + ".";
        String rest = name.substring(dot + 1);
        return switch (rest) {
            case "attn.qkv.weight", "attn.qkv.bias" -> {
                String kind = suffix(rest);
                yield Tensor.concat(0, take(file, stored, unused, layer + "attention.q_lin." + kind),
                        take(file, stored, unused, layer + "attention.k_lin." + kind),
                        take(file, stored, unused, layer + "attention.v_lin." + kind));
            }
            case "attn.proj.weight", "attn.proj.bias" -> take(file, stored, unused, layer + "attention.out_lin." + suffix(rest));
            case "ln1.weight", "ln1.bias" -> take(file, stored, unused, layer + "sa_layer_norm." + suffix(rest));
            case "ff.up.weight", "ff.up.bias" -> take(file, stored, unused, layer + "ffn.lin1." + suffix(rest));
            case "ff.down.weight", "ff.down.bias" -> take(file, stored, unused, layer + "ffn.lin2." + suffix(rest));
            case "ln2.weight", "ln2.bias" -> take(file, stored, unused, layer + "output_layer_norm." + suffix(rest));
            default -> throw new IllegalArgumentException(file + ": no DistilBERT name is known for the model's " + name);
        };
    }

    /**
     * The stored tensor for Orthrus parameter {@code name} in a RoBERTa-family folder: BERT's names, but
     * positions read from row {@code pad_token_id + 1} on (RoBERTa numbers a text's tokens from there),
     * the one token type copied to both of Orthrus's segments, and the masked-LM head under {@code lm_head}.
     */
    private static Tensor findRoberta(Stored stored, String name) {
        Path file = stored.file();
        Map<String, Tensor> weights = stored.weights();
        Set<String> unused = stored.unused();
        int width = stored.shape().width();
        switch (name) {
            case "wpe.weight": {
                Tensor all = take(file, weights, unused, "embeddings.position_embeddings.weight");
                int rows = stored.shape().contextLength();
                if (all.rank() != 2 || all.size(0) != rows + stored.positionOffset()) {
                    throw new IllegalArgumentException(file + ": embeddings.position_embeddings.weight has shape "
                            + java.util.Arrays.toString(all.shape()) + " but config.json implies [" + (rows
                            + stored.positionOffset()) + ", " + width + "]");
                }
                return all.narrow(0, stored.positionOffset(), rows).detach();
            }
            case "wse.weight": {
                Tensor types = take(file, weights, unused, "embeddings.token_type_embeddings.weight");
                if (types.rank() != 2 || types.size(0) != 1) {
                    throw new IllegalArgumentException(file + ": embeddings.token_type_embeddings.weight has shape "
                            + java.util.Arrays.toString(types.shape()) + "; RoBERTa has one token type");
                }
                return Tensor.concat(0, types, types); // segment 1 reads as segment 0: RoBERTa has one token type
            }
            case "mlmDense.weight": return take(file, weights, unused, "lm_head.dense.weight");
            case "mlmDense.bias": return take(file, weights, unused, "lm_head.dense.bias");
            case "mlmNorm.weight": return take(file, weights, unused, "lm_head.layer_norm.weight");
            case "mlmNorm.bias": return take(file, weights, unused, "lm_head.layer_norm.bias");
            case "mlmBias": return take(file, weights, unused, "lm_head.bias", "lm_head.decoder.bias");
            case "mlmDecoder": return take(file, weights, unused, "lm_head.decoder.weight");
            default: return find(file, weights, unused, name);
        }
    }

    /** The stored tensor for Orthrus parameter {@code name}, removing what it uses from {@code unused}. */
    private static Tensor find(Path file, Map<String, Tensor> stored, Set<String> unused, String name) {
        String e = "embeddings.";
        switch (name) {
            case "wte.weight": return take(file, stored, unused, e + "word_embeddings.weight");
            case "wpe.weight": return take(file, stored, unused, e + "position_embeddings.weight");
            case "wse.weight": return take(file, stored, unused, e + "token_type_embeddings.weight");
            case "lnE.weight": return take(file, stored, unused, e + "LayerNorm.weight", e + "LayerNorm.gamma");
            case "lnE.bias": return take(file, stored, unused, e + "LayerNorm.bias", e + "LayerNorm.beta");
            case "mlmDense.weight": return take(file, stored, unused, "cls.predictions.transform.dense.weight");
            case "mlmDense.bias": return take(file, stored, unused, "cls.predictions.transform.dense.bias");
            case "mlmNorm.weight": return take(file, stored, unused, "cls.predictions.transform.LayerNorm.weight",
                    "cls.predictions.transform.LayerNorm.gamma");
            case "mlmNorm.bias": return take(file, stored, unused, "cls.predictions.transform.LayerNorm.bias",
                    "cls.predictions.transform.LayerNorm.beta");
            case "mlmBias": return take(file, stored, unused, "cls.predictions.bias", "cls.predictions.decoder.bias");
            case "mlmDecoder": return take(file, stored, unused, "cls.predictions.decoder.weight");
            default: break;
        }
        String prefix = "stack.blocks.";
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException(file + ": no Hugging Face name is known for the model's " + name);
        }
        int dot = name.indexOf('.', prefix.length());
        String layer = "encoder.layer." + name.substring(prefix.length(), dot) + ".";
        String rest = name.substring(dot + 1);
        return switch (rest) {
            case "attn.qkv.weight", "attn.qkv.bias" -> {
                String kind = rest.endsWith("weight") ? "weight" : "bias";
                Tensor q = take(file, stored, unused, layer + "attention.self.query." + kind);
                Tensor k = take(file, stored, unused, layer + "attention.self.key." + kind);
                Tensor v = take(file, stored, unused, layer + "attention.self.value." + kind);
                yield Tensor.concat(0, q, k, v); // rows of Q, then K, then V: Orthrus's packed projection
            }
            case "attn.proj.weight", "attn.proj.bias" -> take(file, stored, unused,
                    layer + "attention.output.dense." + suffix(rest));
            case "ln1.weight", "ln1.bias" -> layerNorm(file, stored, unused, layer + "attention.output.LayerNorm.", rest);
            case "ff.up.weight", "ff.up.bias" -> take(file, stored, unused, layer + "intermediate.dense." + suffix(rest));
            case "ff.down.weight", "ff.down.bias" -> take(file, stored, unused, layer + "output.dense." + suffix(rest));
            case "ln2.weight", "ln2.bias" -> layerNorm(file, stored, unused, layer + "output.LayerNorm.", rest);
            default -> throw new IllegalArgumentException(file + ": no Hugging Face name is known for the model's " + name);
        };
    }

    private static String suffix(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private static Tensor layerNorm(Path file, Map<String, Tensor> stored, Set<String> unused, String base, String rest) {
        return rest.endsWith("weight") ? take(file, stored, unused, base + "weight", base + "gamma")
                : take(file, stored, unused, base + "bias", base + "beta");
    }

    /** The first of {@code names} present in the file (names without the {@code bert.} prefix). */
    private static Tensor take(Path file, Map<String, Tensor> stored, Set<String> unused, String... names) {
        for (String name : names) {
            Tensor t = stored.get(name);
            if (t != null) {
                unused.remove(name);
                return t;
            }
        }
        throw new IllegalArgumentException(file + ": no weight '" + String.join("' or '", names) + "' (with or without '"
                + PREFIX + "')");
    }

    private static TransformerConfig config(Path file, JsonObject json, Family family) {
        if (family == Family.DISTILBERT) {
            return distilConfig(file, json);
        }
        String act = HuggingFaceFolder.string(file, json, "hidden_act", "gelu");
        Activation.Kind kind = switch (act) {
            case "gelu" -> Activation.Kind.GELU_EXACT;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.Kind.GELU;
            case "relu" -> Activation.Kind.RELU;
            default -> throw new IllegalArgumentException(file + ": hidden_act '" + act
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)");
        };
        if (family.roberta()) {
            HuggingFaceFolder.requireValue(file, json, "type_vocab_size", 1, "RoBERTa has one token type");
        } else {
            HuggingFaceFolder.requireValue(file, json, "type_vocab_size", Bert.SEGMENTS, "Orthrus's BERT has two segments");
        }
        HuggingFaceFolder.requireValue(file, json, "position_embedding_type", "absolute",
                "Orthrus reads absolute (learned) positions");
        HuggingFaceFolder.requireValue(file, json, "is_decoder", false, "a BERT decoder is not implemented");
        HuggingFaceFolder.requireValue(file, json, "add_cross_attention", false, "BERT cross-attention is not implemented");
        HuggingFaceFolder.requireValue(file, json, "is_encoder_decoder", false, "a BERT encoder-decoder is not implemented");
        HuggingFaceFolder.requireValue(file, json, "chunk_size_feed_forward", 0, "feed-forward chunking is not implemented");
        HuggingFaceFolder.warnUnknown(LOG, file, json, knownConfigFields());
        float eps = HuggingFaceFolder.number(file, json, "layer_norm_eps", 1e-12f);
        float dropout = HuggingFaceFolder.number(file, json, "hidden_dropout_prob", 0.1f);
        boolean tied = HuggingFaceFolder.flag(file, json, "tie_word_embeddings", true);
        int positions = HuggingFaceFolder.integer(file, json, "max_position_embeddings", 512);
        if (family.roberta()) { // positions pad_token_id + 1 onwards are a text's; the rows before serve padding
            int offset = HuggingFaceFolder.integer(file, json, "pad_token_id", 1) + 1;
            if (offset < 1 || positions - offset < 2) {
                throw new IllegalArgumentException(file + ": max_position_embeddings " + positions + " and pad_token_id "
                        + (offset - 1) + " leave no room for a text (RoBERTa's positions start after the padding id)");
            }
            positions -= offset;
        }
        try {
            return new TransformerConfig(HuggingFaceFolder.integer(file, json, "vocab_size", null), positions,
                    HuggingFaceFolder.integer(file, json, "hidden_size", null),
                    HuggingFaceFolder.integer(file, json, "num_attention_heads", null),
                    HuggingFaceFolder.integer(file, json, "num_hidden_layers", null),
                    HuggingFaceFolder.integer(file, json, "intermediate_size", null), kind, dropout,
                    TransformerConfig.PositionalEncoding.LEARNED, TransformerConfig.NormPlacement.POST, true, tied, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
