package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.files.TextFiles;
import io.orthrus.model.Bert;
import io.orthrus.model.Pooling;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.TemplateTokenizer;
import io.orthrus.tokenize.WordPiece;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sentence-transformers model folder, read: {@code modules.json} naming a Transformer (a Hugging
 * Face encoder folder, at the root or in a subfolder), a Pooling module ({@code 1_Pooling/config.json})
 * and optionally Normalize, with {@code sentence_bert_config.json} and
 * {@code config_sentence_transformers.json} (prompts). Both layouts are read: the one of
 * sentence-transformers 6 ({@code pooling_mode}, the length in {@code tokenizer_config.json}'s
 * {@code model_max_length}) and the older one ({@code pooling_mode_*_token} flags,
 * {@code max_seq_length} and {@code do_lower_case} in {@code sentence_bert_config.json}). A plain
 * Hugging Face encoder folder, without {@code modules.json}, is read as sentence-transformers does:
 * mean pooling, not normalised; so is an Orthrus BERT checkpoint ({@link BertCheckpoint}). A module
 * type, pooling mode or field value that is not supported is
 * refused naming its file and field; nothing is half loaded.
 *
 * @param model             the encoder, in evaluation mode
 * @param tokenizer         its tokenizer
 * @param pooling           how token vectors become the sentence vector
 * @param normalize         whether the sentence vector is scaled to unit length
 * @param maxSequenceLength the most tokens a text keeps, {@code [CLS]} and {@code [SEP]} included (longer texts are truncated)
 * @param lowerCase         whether texts are lower-cased before tokenizing (besides what the tokenizer does)
 * @param prompts           named prompts, such as {@code "query" → "query: "} (empty when the folder has none)
 * @param defaultPromptName the prompt used when none is given, or null
 */
public record SentenceTransformersFolder(Bert model, EncoderTokenizer tokenizer, Pooling pooling, boolean normalize,
                                         int maxSequenceLength, boolean lowerCase, Map<String, String> prompts,
                                         String defaultPromptName) {
    private static final Logger LOG = LoggerFactory.getLogger(SentenceTransformersFolder.class);
    static final String MODULES = "modules.json";
    static final String SENTENCE_BERT_CONFIG = "sentence_bert_config.json";
    static final String SENTENCE_TRANSFORMERS_CONFIG = "config_sentence_transformers.json";
    private static final Set<String> POOLING_FIELDS = Set.of("embedding_dimension", "word_embedding_dimension",
            "pooling_mode", "include_prompt", "pooling_mode_cls_token", "pooling_mode_mean_tokens",
            "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
            "pooling_mode_lasttoken");
    private static final Map<String, Pooling.Mode> LEGACY_FLAGS = legacyFlags();
    /** How the JSON files are written: indented, as sentence-transformers writes them. */
    private static final com.google.gson.Gson PRETTY = new com.google.gson.GsonBuilder().setPrettyPrinting()
            .disableHtmlEscaping().serializeNulls().create();

    /** Copies the prompts. */
    public SentenceTransformersFolder {
        prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
    }

    private static Map<String, Pooling.Mode> legacyFlags() {
        Map<String, Pooling.Mode> flags = new LinkedHashMap<>();
        flags.put("pooling_mode_cls_token", Pooling.Mode.CLS);
        flags.put("pooling_mode_max_tokens", Pooling.Mode.MAX);
        flags.put("pooling_mode_mean_tokens", Pooling.Mode.MEAN);
        flags.put("pooling_mode_mean_sqrt_len_tokens", Pooling.Mode.MEAN_SQRT_LEN);
        flags.put("pooling_mode_weightedmean_tokens", Pooling.Mode.WEIGHTED_MEAN);
        flags.put("pooling_mode_lasttoken", Pooling.Mode.LAST_TOKEN);
        return flags;
    }

    /** True when {@code directory} has a {@code modules.json}. */
    public static boolean isSentenceTransformers(Path directory) {
        return Files.isRegularFile(directory.resolve(MODULES));
    }

    /** Reads the folder; see the class comment for what it holds. */
    public static SentenceTransformersFolder read(Path directory) throws IOException {
        if (!isSentenceTransformers(directory)) {
            HuggingFaceBert.Encoder encoder = encoder(directory);
            LOG.info("{}: no {}, so not a sentence-transformers folder; its encoder is read with mean pooling", directory,
                    MODULES);
            return new SentenceTransformersFolder(encoder.model(), encoder.tokenizer(), Pooling.of(Pooling.Mode.MEAN),
                    false, maxLength(directory, null, encoder.model()), false, Map.of(), null);
        }
        Path modulesFile = directory.resolve(MODULES);
        Path transformer = null;
        Path poolingFile = null;
        Pooling pooling = null;
        boolean normalize = false;
        for (JsonObject module : modules(modulesFile)) {
            String type = HuggingFaceFolder.string(modulesFile, module, "type", null);
            String path = HuggingFaceFolder.string(modulesFile, module, "path", "");
            Path folder = directory.resolve(path).normalize();
            if (!folder.startsWith(directory.normalize())) {
                throw new IllegalArgumentException(modulesFile + ": module path '" + path + "' leaves the folder");
            }
            String kind = type == null ? "" : type.substring(type.lastIndexOf('.') + 1);
            switch (kind) {
                case "Transformer" -> {
                    if (transformer != null || pooling != null || normalize) {
                        throw new IllegalArgumentException(modulesFile + ": the Transformer must be the first module");
                    }
                    transformer = folder;
                }
                case "Pooling" -> {
                    if (transformer == null || pooling != null || normalize) {
                        throw new IllegalArgumentException(modulesFile + ": Pooling must come once, after the Transformer");
                    }
                    poolingFile = folder.resolve("config.json");
                    pooling = pooling(poolingFile);
                }
                case "Normalize" -> {
                    if (pooling == null) {
                        throw new IllegalArgumentException(modulesFile + ": Normalize must come after Pooling");
                    }
                    normalize = true;
                }
                default -> throw new IllegalArgumentException(modulesFile + ": module type '" + type + "' is not"
                        + " supported (Orthrus reads Transformer, Pooling and Normalize)");
            }
        }
        if (transformer == null || pooling == null) {
            throw new IllegalArgumentException(modulesFile + ": a sentence encoder needs a Transformer and a Pooling module");
        }
        Path bertConfigFile = transformer.resolve(SENTENCE_BERT_CONFIG);
        JsonObject bertConfig = Files.exists(bertConfigFile) ? JsonFiles.readObject(bertConfigFile) : new JsonObject();
        HuggingFaceFolder.requireValue(bertConfigFile, bertConfig, "transformer_task", "feature-extraction",
                "Orthrus reads encoders whose token vectors are pooled");
        HuggingFaceFolder.requireValue(bertConfigFile, bertConfig, "module_output_name", "token_embeddings",
                "the pooling reads the token vectors");
        HuggingFaceBert.Encoder encoder = encoder(transformer);
        JsonObject poolingConfig = JsonFiles.readObject(poolingFile);
        String dimensionField = poolingConfig.has("embedding_dimension") ? "embedding_dimension" : "word_embedding_dimension";
        int width = encoder.model().config().width();
        int dimension = HuggingFaceFolder.integer(poolingFile, poolingConfig, dimensionField, width);
        if (dimension != width) {
            throw new IllegalArgumentException(poolingFile + ": field '" + dimensionField + "' is " + dimension
                    + " but the encoder's vectors have width " + width);
        }
        int maxLength = maxLength(transformer, bertConfig, encoder.model());
        boolean lowerCase = JsonFiles.flag(bertConfigFile, bertConfig, "do_lower_case", false);
        Path promptsFile = directory.resolve(SENTENCE_TRANSFORMERS_CONFIG);
        JsonObject stConfig = Files.exists(promptsFile) ? JsonFiles.readObject(promptsFile) : new JsonObject();
        Map<String, String> prompts = prompts(promptsFile, stConfig);
        String defaultPrompt = HuggingFaceFolder.string(promptsFile, stConfig, "default_prompt_name", null);
        if (defaultPrompt != null && !prompts.containsKey(defaultPrompt)) {
            throw new IllegalArgumentException(promptsFile + ": default_prompt_name '" + defaultPrompt
                    + "' is not one of the prompts " + prompts.keySet());
        }
        HuggingFaceFolder.requireValue(promptsFile, stConfig, "model_type", "SentenceTransformer",
                "this reader loads sentence encoders (CrossEncoder and sparse models are other layouts)");
        return new SentenceTransformersFolder(encoder.model(), encoder.tokenizer(), pooling, normalize, maxLength,
                lowerCase, prompts, defaultPrompt);
    }

    /**
     * Writes {@code model} as a sentence-transformers folder that {@code SentenceTransformer(dir)}
     * loads with the same vectors, replacing {@code directory} atomically: the encoder as a
     * {@code BertModel} ({@code config.json}, {@code model.safetensors}), its tokenizer
     * ({@code tokenizer.json}, {@code vocab.txt}, {@code tokenizer_config.json}), {@code modules.json}
     * (Transformer, Pooling, and Normalize when {@code normalize}),
     * {@code sentence_bert_config.json} ({@code max_seq_length}), {@code 1_Pooling/config.json}
     * (both the {@code pooling_mode} name and the older flags, which every version reads) and
     * {@code config_sentence_transformers.json} (the prompts, cosine similarity).
     *
     * @throws IllegalArgumentException if the pooling's modes are not in sentence-transformers' order
     *                                  (cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken),
     *                                  the only order its flags can say
     */
    public static void write(Path directory, Bert model, EncoderTokenizer tokenizer, Pooling pooling, boolean normalize,
                             int maxSequenceLength, Map<String, String> prompts) throws IOException {
        HuggingFaceBert.Folder encoder = HuggingFaceBert.folder("SentenceTransformersFolder.write " + directory, model,
                tokenizer, true);
        List<Pooling.Mode> canonical = new ArrayList<>(LEGACY_FLAGS.values());
        canonical.retainAll(pooling.modes());
        if (!canonical.equals(pooling.modes())) {
            throw new IllegalArgumentException("SentenceTransformersFolder.write: pooling modes " + pooling.modes()
                    + " are not in sentence-transformers' order " + LEGACY_FLAGS.values());
        }
        JsonObject poolingConfig = new JsonObject();
        poolingConfig.addProperty("word_embedding_dimension", model.config().width());
        if (pooling.modes().size() == 1) {
            poolingConfig.addProperty("pooling_mode", pooling.modes().get(0).configName());
        }
        LEGACY_FLAGS.forEach((flag, mode) -> poolingConfig.addProperty(flag, pooling.modes().contains(mode)));
        poolingConfig.addProperty("include_prompt", pooling.includePrompt());
        JsonArray modules = new JsonArray();
        modules.add(module(0, "", "sentence_transformers.models.Transformer"));
        modules.add(module(1, "1_Pooling", "sentence_transformers.models.Pooling"));
        if (normalize) {
            modules.add(module(2, "2_Normalize", "sentence_transformers.models.Normalize"));
        }
        JsonObject bertConfig = new JsonObject();
        bertConfig.addProperty("max_seq_length", maxSequenceLength);
        bertConfig.addProperty("do_lower_case", false);
        JsonObject tokenizerConfig = tokenizerConfig(tokenizer, maxSequenceLength);
        JsonObject stConfig = new JsonObject();
        stConfig.addProperty("model_type", "SentenceTransformer");
        JsonObject promptsJson = new JsonObject();
        prompts.forEach(promptsJson::addProperty);
        stConfig.add("prompts", promptsJson);
        stConfig.add("default_prompt_name", com.google.gson.JsonNull.INSTANCE);
        stConfig.addProperty("similarity_fn_name", "cosine");
        com.google.gson.Gson gson = PRETTY;
        AtomicFiles.writeDirectory(directory, dir -> {
            encoder.write(dir);
            writeTokenizer(dir, tokenizer, tokenizerConfig);
            Files.writeString(dir.resolve(MODULES), gson.toJson(modules), java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(SENTENCE_BERT_CONFIG), gson.toJson(bertConfig),
                    java.nio.charset.StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(SENTENCE_TRANSFORMERS_CONFIG), gson.toJson(stConfig),
                    java.nio.charset.StandardCharsets.UTF_8);
            Files.createDirectories(dir.resolve("1_Pooling"));
            Files.writeString(dir.resolve("1_Pooling").resolve("config.json"), gson.toJson(poolingConfig),
                    java.nio.charset.StandardCharsets.UTF_8);
            if (normalize) {
                Files.createDirectories(dir.resolve("2_Normalize"));
                Files.writeString(dir.resolve("2_Normalize").resolve("config.json"), "{}",
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        });
    }

    /**
     * {@code tokenizer_config.json}: the tokenizer's class, special tokens and length limit (and a
     * WordPiece's casing).
     */
    static JsonObject tokenizerConfig(EncoderTokenizer tokenizer, int maxSequenceLength) {
        JsonObject config = new JsonObject();
        config.addProperty("truncation_side", tokenizer.truncationSide() == EncoderTokenizer.TruncationSide.LEFT ? "left"
                : "right");
        if (tokenizer instanceof WordPiece wordPiece) {
            config.addProperty("tokenizer_class", "BertTokenizer");
            config.addProperty("do_lower_case", wordPiece.lowerCase());
            config.addProperty("strip_accents", wordPiece.stripAccents());
            config.addProperty("model_max_length", maxSequenceLength);
            for (String[] special : new String[][] {{"cls_token", WordPiece.CLS}, {"sep_token", WordPiece.SEP},
                    {"pad_token", WordPiece.PAD}, {"mask_token", WordPiece.MASK}, {"unk_token", WordPiece.UNK}}) {
                config.addProperty(special[0], special[1]);
            }
            return config;
        }
        TemplateTokenizer template = (TemplateTokenizer) tokenizer;
        boolean bpe = template.base() instanceof io.orthrus.tokenize.ByteLevelBpe;
        config.addProperty("tokenizer_class", bpe ? "RobertaTokenizer" : "XLMRobertaTokenizer");
        config.addProperty("model_max_length", maxSequenceLength);
        if (bpe) {
            config.addProperty("add_prefix_space", false);
        }
        String bos = template.token(template.bosId()), eos = template.token(template.eosId());
        for (String[] special : new String[][] {{"bos_token", bos}, {"cls_token", bos}, {"eos_token", eos},
                {"sep_token", eos}, {"pad_token", template.token(template.padId())}}) {
            config.addProperty(special[0], special[1]);
        }
        return config;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    static void writeTokenizer(Path dir, EncoderTokenizer tokenizer, JsonObject tokenizerConfig) throws IOException {
        Files.writeString(dir.resolve(HuggingFaceFolder.TOKENIZER_JSON), io.orthrus.tokenize.Tokenizers.toHuggingFace(
                tokenizer), java.nio.charset.StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HuggingFaceFolder.TOKENIZER_CONFIG), PRETTY.toJson(tokenizerConfig),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private static JsonObject module(int index, String path, String type) {
        JsonObject module = new JsonObject();
        module.addProperty("idx", index);
        module.addProperty("name", Integer.toString(index));
        module.addProperty("path", path);
        module.addProperty("type", type);
        return module;
    }

    /** The encoder of a Hugging Face folder, which must bring its tokenizer. */
    private static HuggingFaceBert.Encoder encoder(Path folder) throws IOException {
        JsonObject config = HuggingFaceFolder.config(folder);
        if (config.has("model") && config.get("model").isJsonPrimitive()
                && config.get("model").getAsString().equals(BertCheckpoint.KIND)) {
            BertCheckpoint trained = BertCheckpoint.load(folder); // a BERT trained here (orthrus train --objective masked-lm)
            return new HuggingFaceBert.Encoder(trained.model(), trained.tokenizer());
        }
        HuggingFaceBert.Encoder encoder = HuggingFaceBert.loadEncoder(folder);
        if (encoder.tokenizer() == null) {
            throw new IllegalArgumentException(folder + ": no tokenizer (tokenizer.json or vocab.txt) beside the encoder");
        }
        return encoder;
    }

    /** The modules of a {@code modules.json}, in order. */
    static List<JsonObject> modules(Path file) throws IOException {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(TextFiles.readUtf8(file));
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + JsonFiles.describe(e), e);
        }
        if (!parsed.isJsonArray()) {
            throw new IllegalArgumentException(file + ": expected a JSON array of modules");
        }
        List<JsonObject> modules = new ArrayList<>();
        JsonArray array = parsed.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isJsonObject()) {
                throw new IllegalArgumentException(file + ": module " + i + " is not a JSON object");
            }
            modules.add(array.get(i).getAsJsonObject());
        }
        return modules;
    }

    /** The Pooling module's config: {@code pooling_mode} (a name or a list), else the older flags; mean when none is set. */
    static Pooling pooling(Path file) throws IOException {
        JsonObject json = JsonFiles.readObject(file);
        HuggingFaceFolder.warnUnknown(LOG, file, json, POOLING_FIELDS);
        List<Pooling.Mode> modes = new ArrayList<>();
        JsonElement mode = json.get("pooling_mode");
        try {
            if (mode != null && mode.isJsonArray()) {
                for (JsonElement name : mode.getAsJsonArray()) {
                    modes.add(Pooling.Mode.named(name.getAsString()));
                }
            } else if (mode != null && !mode.isJsonNull()) {
                modes.add(Pooling.Mode.named(HuggingFaceFolder.string(file, json, "pooling_mode", null)));
            } else {
                for (Map.Entry<String, Pooling.Mode> flag : LEGACY_FLAGS.entrySet()) {
                    if (JsonFiles.flag(file, json, flag.getKey(), false)) {
                        modes.add(flag.getValue());
                    }
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(file + ": field 'pooling_mode': " + e.getMessage(), e);
        }
        if (modes.isEmpty()) {
            modes.add(Pooling.Mode.MEAN); // as sentence-transformers: no mode set means mean
        }
        return new Pooling(modes, JsonFiles.flag(file, json, "include_prompt", true));
    }

    /**
     * The most tokens a text keeps: {@code max_seq_length} of {@code sentence_bert_config.json} when
     * set, else the tokenizer config's {@code model_max_length}, each capped at the model's positions.
     */
    private static int maxLength(Path transformer, JsonObject bertConfig, Bert model) throws IOException {
        int positions = model.contextLength();
        Path bertConfigFile = transformer.resolve(SENTENCE_BERT_CONFIG);
        if (bertConfig != null && bertConfig.has("max_seq_length") && !bertConfig.get("max_seq_length").isJsonNull()) {
            int length = HuggingFaceFolder.integer(bertConfigFile, bertConfig, "max_seq_length", null);
            return checkLength(bertConfigFile, "max_seq_length", length, positions);
        }
        return checkLength(transformer.resolve(HuggingFaceFolder.TOKENIZER_CONFIG), "model_max_length",
                HuggingFaceFolder.modelMaxLength(transformer, positions), positions);
    }

    private static int checkLength(Path file, String field, int length, int positions) {
        if (length < 2) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is " + length + "; a text needs room for"
                    + " [CLS] and [SEP]");
        }
        if (length > positions) {
            LOG.warn("{}: {} {} is beyond the model's {} positions; texts are cut at {}", file, field, length, positions,
                    positions);
            return positions;
        }
        return length;
    }

    private static Map<String, String> prompts(Path file, JsonObject json) {
        Map<String, String> prompts = new LinkedHashMap<>();
        JsonElement all = json.get("prompts");
        if (all == null || all.isJsonNull()) {
            return prompts;
        }
        if (!all.isJsonObject()) {
            throw new IllegalArgumentException(file + ": field 'prompts' must be an object of name → prompt, found " + all);
        }
        for (Map.Entry<String, JsonElement> e : all.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(file + ": prompt '" + e.getKey() + "' must be a string, found "
                        + e.getValue());
            }
            prompts.put(e.getKey(), e.getValue().getAsString());
        }
        return prompts;
    }
}
