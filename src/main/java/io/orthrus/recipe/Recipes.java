package io.orthrus.recipe;

import io.orthrus.data.BatchSource;
import io.orthrus.data.TextDataset;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.files.TextFiles;
import io.orthrus.nn.Memory;
import io.orthrus.nn.Module;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Objective;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The recipes by objective, and the parts they share: the corpus, the tokenizer, the Transformer
 * shape, the training options and the split into training and validation text.
 */
public final class Recipes {
    private static final Map<String, Recipe> BY_OBJECTIVE = new LinkedHashMap<>();

    static {
        for (Recipe recipe : List.of(new CausalLmRecipe(), new MaskedLmRecipe(), new DenoisingRecipe(), new UniLmRecipe(),
                new BiLmRecipe(), AutoencoderRecipe.plain(), AutoencoderRecipe.denoising(), new ContrastiveRecipe(),
                new CrossEncoderRecipe())) {
            BY_OBJECTIVE.put(recipe.objective(), recipe);
        }
    }

    /** Every objective {@code orthrus train} runs: those of the recipes, and {@code cbow} ({@link Word2VecRecipe}). */
    public static final List<String> OBJECTIVES = objectives();

    /** The kinds of tokenizer {@link #trainTokenizer} learns. */
    public static final List<String> TOKENIZER_KINDS = List.of("bpe", "wordpiece", "char");

    private Recipes() {}

    private static List<String> objectives() {
        List<String> all = new ArrayList<>(BY_OBJECTIVE.keySet());
        all.add(Word2VecRecipe.OBJECTIVE);
        return List.copyOf(all);
    }

    /**
     * The recipe of {@code objective}, one of {@link #OBJECTIVES} but {@code cbow}, which trains
     * word2vec outside the {@link Trainer} ({@link Word2VecRecipe}).
     */
    public static Recipe of(String objective) {
        Recipe recipe = BY_OBJECTIVE.get(objective);
        if (recipe == null) {
            throw new IllegalArgumentException("no recipe for objective '" + objective + "'; the recipes are "
                    + BY_OBJECTIVE.keySet() + (objective.equals(Word2VecRecipe.OBJECTIVE) ? " (cbow: Word2VecRecipe)" : ""));
        }
        return recipe;
    }

    /** A tokenizer of {@code kind} (one of {@link #TOKENIZER_KINDS}) learned from {@code text}. */
    public static Tokenizer trainTokenizer(String kind, String text, int vocabSize) {
        return switch (kind) {
            case "bpe" -> ByteLevelBpe.train(text, vocabSize, 2);
            case "wordpiece" -> WordPiece.train(text.lines().toList(), vocabSize, true);
            case "char" -> CharTokenizer.fromCorpus(text);
            default -> throw new IllegalArgumentException("tokenizer kind must be one of " + TOKENIZER_KINDS + ", got '"
                    + kind + "'");
        };
    }

    /** The text to learn from: {@code data.corpus}, a UTF-8 file, or {@code "grammar"} (generated, the default). */
    public static String corpus(ConfigFile c, Path base) throws IOException {
        String corpus = c.string("data.corpus", "grammar");
        if (corpus.equals("grammar")) {
            int sentences = c.integer("data.sentences", 20_000, 100, 10_000_000);
            return Grammar.english().text(sentences, new Rng(c.longValue("data.seed", 7)));
        }
        Path file = base.resolve(corpus);
        if (!Files.isRegularFile(file)) {
            throw c.error("data.corpus", "names " + file + ", which is not a readable file");
        }
        String text = TextFiles.readUtf8(file);
        if (text.isBlank()) {
            throw c.error("data.corpus", "names " + file + ", which is empty");
        }
        return text;
    }

    /**
     * The Transformer shape: {@code model.preset} ({@code tiny}, {@code nano-gpt-cpu},
     * {@code nano-llama-cpu}, {@code gpt2-small}, {@code bert-tiny}, {@code bert-mini}, {@code minilm-l6} or
     * {@code tiny-llama})
     * over {@code vocabSize} tokens, with any of its fields overridden by {@code model.*}.
     */
    public static TransformerConfig shape(ConfigFile c, int vocabSize) {
        String preset = c.choice("model.preset", "tiny", List.of("tiny", "nano-gpt-cpu", "nano-llama-cpu", "gpt2-small", "bert-tiny",
                "bert-mini", "minilm-l6", "tiny-llama"));
        TransformerConfig base = switch (preset) {
            case "tiny-llama" -> TransformerConfig.tinyLlama(vocabSize);
            case "nano-gpt-cpu" -> TransformerConfig.nanoGptCpu(vocabSize);
            case "nano-llama-cpu" -> TransformerConfig.nanoLlamaCpu(vocabSize);
            case "gpt2-small" -> TransformerConfig.gpt2Small().withVocabSize(vocabSize);
            case "bert-tiny" -> TransformerConfig.bertTiny(vocabSize);
            case "bert-mini" -> TransformerConfig.bertMini(vocabSize);
            case "minilm-l6" -> TransformerConfig.miniLmL6(vocabSize);
            default -> TransformerConfig.tiny(vocabSize);
        };
        int width = c.integer("model.width", base.width(), 1, 65_536);
        int heads = c.integer("model.heads", base.heads(), 1, 1024);
        int ff = c.integer("model.feed_forward_width", base.feedForwardWidth(), 1, 1 << 20);
        try {
            return base.withWidth(width, heads, ff)
                    .withLayers(c.integer("model.layers", base.layers(), 1, 1000))
                    .withContextLength(c.integer("model.context_length", base.contextLength(), 2, 1 << 20))
                    .withDropout((float) c.number("model.dropout", base.dropout(), 0, 0.99))
                    .withPositions(enumChoice(c, "model.positions", base.positions()))
                    .withNorm(enumChoice(c, "model.norm", base.norm()))
                    .withNormalization(enumChoice(c, "model.normalization", base.normalization()))
                    .withGatedFeedForward(c.bool("model.gated_feed_forward", base.gatedFeedForward()))
                    .withKeyValueHeads(c.integer("model.kv_heads", heads == base.heads() ? base.kvHeads() : heads, 1, 1024))
                    .withRope(c.number("model.rope_theta", base.ropeTheta(), 2, 1e9), base.ropeScaling());
        } catch (IllegalArgumentException e) {
            throw c.error("model", "describes no valid Transformer: " + e.getMessage());
        }
    }

    /** What every recipe reads first: the seed, the corpus, the validation fraction and the batch size. */
    record Inputs(long seed, String text, double validationFraction, int batch, Rng rng) {
        /** The text a learned tokenizer is trained on: the training part, so that validation stays unseen. */
        String trainingText() {
            return text.substring(0, (int) (text.length() * (1 - validationFraction)));
        }
    }

    static Inputs inputs(ConfigFile c, Path base) throws IOException {
        long seed = c.longValue("seed", 1);
        String text = corpus(c, base);
        double validationFraction = c.number("data.validation_fraction", 0.1, 0.001, 0.5);
        int batch = c.integer("data.batch_size", 16, 1, 1 << 16);
        return new Inputs(seed, text, validationFraction, batch, new Rng(seed));
    }

    /**
     * {@code tokenizer.path} (any file {@code orthrus tokenizer} reads), or one of
     * {@code tokenizer.kind} learned from the training part of the corpus (a character vocabulary
     * from all of it, so that no validation character is unknown).
     */
    static Tokenizer tokenizer(ConfigFile c, Path base, Inputs in, String defaultKind) throws IOException {
        if (c.has("tokenizer.path")) {
            Path path = base.resolve(c.string("tokenizer.path", null));
            try {
                return Tokenizers.open(path);
            } catch (IllegalArgumentException | IOException e) {
                throw c.error("tokenizer.path", "cannot be read: " + e.getMessage());
            }
        }
        String kind = c.choice("tokenizer.kind", defaultKind, TOKENIZER_KINDS);
        if (kind.equals("char")) {
            return trainTokenizer(kind, in.text(), 0);
        }
        return trainTokenizer(kind, in.trainingText(), c.integer("tokenizer.vocab_size", 2000, 32, 1_000_000));
    }

    /** The training options from {@code steps}, {@code optimizer.*} and {@code eval_*}. */
    static TrainingOptions options(ConfigFile c) {
        int steps = c.integer("steps", 1000, 1, Integer.MAX_VALUE);
        double lr = c.number("optimizer.learning_rate", 1e-3, 1e-9, 10);
        double minLr = c.number("optimizer.min_learning_rate", lr / 10, 0, lr);
        int warmup = c.integer("optimizer.warmup_steps", Math.min(100, steps / 10), 0, steps);
        double decay = c.number("optimizer.weight_decay", 0.1, 0, 10);
        double beta1 = c.number("optimizer.beta1", 0.9, 0, 0.999999);
        double beta2 = c.number("optimizer.beta2", 0.99, 0, 0.999999);
        double clip = c.number("optimizer.clip_norm", 1.0, 0, 1e9);
        int accumulation = c.integer("optimizer.accumulation_steps", 1, 1, 1024);
        int evalInterval = c.integer("eval_interval", Math.max(1, steps / 10), 0, Integer.MAX_VALUE);
        int evalBatches = c.integer("eval_batches", 20, 1, 100_000);
        return new TrainingOptions(steps, lr, minLr, warmup, decay, beta1, beta2, clip, accumulation, evalInterval, evalBatches);
    }

    /** {@link #shape(ConfigFile, int)}, refused before anything is allocated when training it on batches of {@code batch} would not fit the JVM's memory. */
    static TransformerConfig trainableShape(ConfigFile c, int vocabSize, int batch) {
        TransformerConfig shape = shape(c, vocabSize);
        Memory.require("training a model of " + shape.parameterCount() + " parameters on batches of " + batch + " × "
                + shape.contextLength() + " tokens", shape.trainingBytes(batch));
        return shape;
    }

    /** One of an enum's constants, named in lower case with hyphens ({@code left-to-right}). */
    static <E extends Enum<E>> E enumChoice(ConfigFile c, String path, E fallback) {
        List<String> names = new ArrayList<>();
        for (E value : fallback.getDeclaringClass().getEnumConstants()) {
            names.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        String chosen = c.choice(path, fallback.name().toLowerCase(Locale.ROOT).replace('_', '-'), names);
        return fallback.getDeclaringClass().getEnumConstants()[names.indexOf(chosen)];
    }

    /** The corpus as ids, split into training and validation parts, each long enough for a window of {@code window} ids. */
    static TextDataset dataset(ConfigFile c, Inputs in, Tokenizer tokenizer, int window) {
        TextDataset data = TextDataset.of(in.text(), tokenizer, 1 - in.validationFraction());
        if (data.validation().length < window || data.train().length < window) {
            throw c.error("data.corpus", "is too short: " + data.train().length + " training and "
                    + data.validation().length + " validation tokens, but a window needs " + window
                    + "; use a longer corpus, a larger data.validation_fraction or a shorter model.context_length");
        }
        return data;
    }

    /** The run of {@code model} on {@code objective} with the config's training options. */
    static <M extends Module, B> Run<M, B> run(ConfigFile c, M model, Objective<? super M, B> objective,
                                               BatchSource<B> train, BatchSource<B> validation, Tokenizer tokenizer,
                                               TextDataset data, Run.Export export) {
        return new Run<>(new Trainer<>(model, objective, options(c)), train, validation, tokenizer, data, export);
    }
}
