package io.orthrus.cli;

import io.orthrus.data.BatchSource;
import io.orthrus.data.EncodedWindows;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.TextDataset;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.files.TextFiles;
import io.orthrus.io.BertCheckpoint;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.model.Autoencoder;
import io.orthrus.model.Bert;
import io.orthrus.model.BiLm;
import io.orthrus.model.Direction;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Memory;
import io.orthrus.nn.Module;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.BidirectionalLm;
import io.orthrus.objective.CausalLm;
import io.orthrus.objective.Corruption;
import io.orthrus.objective.Denoising;
import io.orthrus.objective.MaskedLm;
import io.orthrus.objective.Mixture;
import io.orthrus.objective.Objective;
import io.orthrus.objective.PrefixLm;
import io.orthrus.objective.Reconstruction;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How {@code orthrus train} turns a config into a run, one recipe per objective: the corpus and
 * tokenizer, the model, the objective, the batches and the training options, each read from the
 * config with its default (docs/cli.md lists every field). The same config always builds the same
 * objects, which is what lets {@code --resume} restore a checkpoint into them.
 */
final class Recipes {
    /** Objectives the train command runs through the {@link Trainer}. */
    static final List<String> OBJECTIVES = List.of("causal-lm", "masked-lm", "denoising", "unilm", "bilm", "autoencoder",
            "denoising-autoencoder", "cbow");

    private Recipes() {}

    /** A built run: the trainer, its batches, and how to export the trained model for the other commands (or null). */
    record Run<M extends Module, B>(Trainer<M, B> trainer, BatchSource<B> train, BatchSource<B> validation, Export export) {}

    /** Saves a trained model where {@code orthrus generate}, {@code fill-mask}, {@code score} and {@code embed} read it. */
    @FunctionalInterface
    interface Export {
        void save(Path directory) throws IOException;
    }

    /** The text to learn from: {@code data.corpus}, a UTF-8 file, or {@code "grammar"} (generated, the default). */
    static String corpus(ConfigFile c, Path base) throws IOException {
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

    /** {@code tokenizer.path} (any file {@code orthrus tokenizer} reads), or one trained on the corpus. */
    static Tokenizer tokenizer(ConfigFile c, Path base, String text, String defaultKind) throws IOException {
        if (c.has("tokenizer.path")) {
            Path path = base.resolve(c.string("tokenizer.path", null));
            try {
                return Tokenizers.open(path);
            } catch (IllegalArgumentException | IOException e) {
                throw c.error("tokenizer.path", "cannot be read: " + e.getMessage());
            }
        }
        String kind = c.choice("tokenizer.kind", defaultKind, TokenizerCommand.KINDS);
        int vocabSize = kind.equals("char") ? 0 : c.integer("tokenizer.vocab_size", 2000, 32, 1_000_000);
        return TokenizerCommand.train(kind, text, vocabSize);
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

    /**
     * The Transformer shape: {@code model.preset} ("tiny" or "nano-gpt-cpu") with any field overridden;
     * refused, before anything is allocated, when training it on batches of {@code batch} would not
     * fit the JVM's memory.
     */
    static TransformerConfig shape(ConfigFile c, int vocabSize, int batch) {
        TransformerConfig shape = shape(c, vocabSize);
        Memory.require("training a model of " + shape.parameterCount() + " parameters on batches of " + batch + " × "
                + shape.contextLength() + " tokens", shape.trainingBytes(batch));
        return shape;
    }

    private static TransformerConfig shape(ConfigFile c, int vocabSize) {
        String preset = c.choice("model.preset", "tiny", List.of("tiny", "nano-gpt-cpu", "bert-tiny", "bert-mini"));
        TransformerConfig base = switch (preset) {
            case "nano-gpt-cpu" -> TransformerConfig.nanoGptCpu(vocabSize);
            case "bert-tiny" -> TransformerConfig.bertTiny(vocabSize);
            case "bert-mini" -> TransformerConfig.bertMini(vocabSize);
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
                    .withNorm(enumChoice(c, "model.norm", base.norm()));
        } catch (IllegalArgumentException e) {
            throw c.error("model", "describes no valid Transformer: " + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E enumChoice(ConfigFile c, String path, E fallback) {
        List<String> names = new ArrayList<>();
        for (E value : fallback.getDeclaringClass().getEnumConstants()) {
            names.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        String chosen = c.choice(path, fallback.name().toLowerCase(Locale.ROOT).replace('_', '-'), names);
        return fallback.getDeclaringClass().getEnumConstants()[names.indexOf(chosen)];
    }

    /** Builds the run the config describes (every objective but cbow, which {@link TrainCommand} runs itself). */
    static Run<?, ?> build(ConfigFile c, Path base, String objective) throws IOException {
        long seed = c.longValue("seed", 1);
        String text = corpus(c, base);
        double validationFraction = c.number("data.validation_fraction", 0.1, 0.001, 0.5);
        int batch = c.integer("data.batch_size", 16, 1, 1 << 16);
        Rng rng = new Rng(seed);
        return switch (objective) {
            case "causal-lm" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "char");
                Direction direction = enumChoice(c, "direction", Direction.LEFT_TO_RIGHT);
                TransformerConfig shape = shape(c, tokenizer.vocabSize(), batch);
                TextDataset data = dataset(c, text, tokenizer, validationFraction, shape.contextLength() + 1);
                Gpt model = new Gpt(shape, direction, rng.split());
                yield run(model, direction == Direction.LEFT_TO_RIGHT ? CausalLm.leftToRight() : CausalLm.rightToLeft(), c,
                        data.trainWindows(shape.contextLength() + 1, batch, rng.split()),
                        data.validationWindows(shape.contextLength() + 1, batch, rng.split()),
                        dir -> GptCheckpoint.save(dir, model, tokenizer));
            }
            case "masked-lm" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "wordpiece");
                if (!(tokenizer instanceof WordPiece wordPiece)) {
                    throw c.error("tokenizer", "must be a WordPiece vocabulary for masked-lm (kind \"wordpiece\" or a"
                            + " BERT vocab.txt), got " + tokenizer);
                }
                TransformerConfig shape = shape(c, tokenizer.vocabSize(), batch);
                int length = shape.contextLength();
                TextDataset data = dataset(c, text, tokenizer, validationFraction, length - 2);
                Bert model = new Bert(shape, rng.split());
                MaskedLm.Options masking = MaskedLm.Options.bert(seed).withRate(c.number("masking.rate", 0.15, 0.01, 0.99));
                yield run(model, new MaskedLm(MaskedLm.Vocabulary.of(wordPiece), masking), c,
                        EncodedWindows.over(data.train(), length, batch, wordPiece.clsId(), wordPiece.sepId(), rng.split()),
                        EncodedWindows.over(data.validation(), length, batch, wordPiece.clsId(), wordPiece.sepId(),
                                rng.split()),
                        dir -> BertCheckpoint.save(dir, model, wordPiece));
            }
            case "denoising" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "char");
                int v = tokenizer.vocabSize();
                SpecialTokens specials = SpecialTokens.after(v);
                String noise = c.choice("noise", "infilling", List.of("infilling", "span-corruption"));
                int sentinels = 32;
                int extra = noise.equals("infilling") ? 4 : 3 + sentinels;
                TransformerConfig shape = shape(c, v + extra, batch);
                int length = shape.contextLength() - 1; // room for the decoder's start token
                TextDataset data = dataset(c, text, tokenizer, validationFraction, length);
                EncoderDecoder model = new EncoderDecoder(EncoderDecoder.Config.of(shape), rng.split());
                Denoising denoising = noise.equals("infilling") ? Denoising.textInfilling(specials, v + 3, seed)
                        : Denoising.spanCorruption(specials, v + 3, sentinels, seed);
                yield run(model, denoising, c, data.trainWindows(length, batch, rng.split()),
                        data.validationWindows(length, batch, rng.split()), null);
            }
            case "unilm" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "char");
                int v = tokenizer.vocabSize();
                TransformerConfig shape = shape(c, v + 1, batch); // the last id is the mask
                TextDataset data = dataset(c, text, tokenizer, validationFraction, shape.contextLength());
                Gpt model = new Gpt(shape, rng.split());
                MaskedLm masked = new MaskedLm(new MaskedLm.Vocabulary(v + 1, v, id -> id == v, id -> false),
                        MaskedLm.Options.bert(seed));
                Mixture<Gpt, IntTensor> mixture = new Mixture<>(List.of(
                        Mixture.part(CausalLm.leftToRight(), c.number("weights.causal", 1, 0, 1e6)),
                        Mixture.part(masked.onWindows(), c.number("weights.masked", 1, 0, 1e6)),
                        Mixture.part(PrefixLm.randomPrefix(seed + 1), c.number("weights.prefix", 1, 0, 1e6))), seed + 2);
                yield run(model, mixture, c, data.trainWindows(shape.contextLength(), batch, rng.split()),
                        data.validationWindows(shape.contextLength(), batch, rng.split()), null);
            }
            case "bilm" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "char");
                int hidden = c.integer("model.width", 128, 1, 65_536);
                int layers = c.integer("model.layers", 2, 1, 100);
                int length = c.integer("model.context_length", 64, 2, 1 << 16);
                TextDataset data = dataset(c, text, tokenizer, validationFraction, length);
                BiLm model = new BiLm(tokenizer.vocabSize(), hidden, layers, rng.split());
                yield run(model, new BidirectionalLm(), c, data.trainWindows(length, batch, rng.split()),
                        data.validationWindows(length, batch, rng.split()), null);
            }
            case "autoencoder", "denoising-autoencoder" -> {
                Tokenizer tokenizer = tokenizer(c, base, text, "char");
                int[] hidden = c.integers("model.hidden", new int[] {64, 16}, 1, 65_536);
                Autoencoder model = new Autoencoder(Autoencoder.Config.of(tokenizer.vocabSize(), hidden)
                        .withTiedWeights(c.bool("model.tied_weights", true)), rng.split());
                Reconstruction reconstruction = objective.equals("autoencoder")
                        ? Reconstruction.plain(Reconstruction.Loss.CROSS_ENTROPY)
                        : Reconstruction.denoising(Reconstruction.Loss.CROSS_ENTROPY,
                                Corruption.masking(c.number("noise_fraction", 0.25, 0.01, 0.99)), seed);
                List<float[]> bags = bagsOfTokens(text, tokenizer);
                int split = Math.max(1, (int) Math.round(bags.size() * (1 - validationFraction)));
                if (split >= bags.size()) {
                    throw c.error("data.corpus", "has " + bags.size() + " non-empty lines; an autoencoder needs at least 2"
                            + " (one to train on, one to validate)");
                }
                yield run(model, reconstruction, c, new Bags(bags.subList(0, split), batch, rng.split()),
                        new Bags(bags.subList(split, bags.size()), batch, rng.split()), null);
            }
            default -> throw c.error("objective", "must be one of " + OBJECTIVES + ", got \"" + objective + "\"");
        };
    }

    private static <M extends Module, B> Run<M, B> run(M model, Objective<? super M, B> objective, ConfigFile c,
                                                       BatchSource<B> train, BatchSource<B> validation, Export export) {
        return new Run<>(new Trainer<>(model, objective, options(c)), train, validation, export);
    }

    private static TextDataset dataset(ConfigFile c, String text, Tokenizer tokenizer, double validationFraction,
                                       int window) {
        TextDataset data = TextDataset.of(text, tokenizer, 1 - validationFraction);
        if (data.validation().length < window || data.train().length < window) {
            throw c.error("data.corpus", "is too short: " + data.train().length + " training and "
                    + data.validation().length + " validation tokens, but a window needs " + window
                    + "; use a longer corpus, a larger data.validation_fraction or a shorter model.context_length");
        }
        return data;
    }

    /** Each non-empty line as a binary vector over the vocabulary: which tokens it uses. */
    private static List<float[]> bagsOfTokens(String text, Tokenizer tokenizer) {
        List<float[]> bags = new ArrayList<>();
        for (String line : text.split("\n")) {
            int[] ids = tokenizer.encode(line);
            if (ids.length == 0) {
                continue;
            }
            float[] bag = new float[tokenizer.vocabSize()];
            for (int id : ids) {
                bag[id] = 1f;
            }
            bags.add(bag);
        }
        return bags;
    }

    /** Batches of bags drawn uniformly with replacement, {@code (B, V)}. */
    private static final class Bags implements BatchSource<Tensor> {
        private final List<float[]> bags;
        private final int batch;
        private final Rng rng;

        Bags(List<float[]> bags, int batch, Rng rng) {
            this.bags = bags;
            this.batch = batch;
            this.rng = rng;
        }

        @Override
        public Tensor next() {
            int v = bags.get(0).length;
            float[] out = new float[batch * v];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(bags.get(rng.nextInt(bags.size())), 0, out, b * v, v);
            }
            return Tensor.of(out, batch, v);
        }

        @Override
        public Map<String, Rng> generators() {
            return Map.of("bags", rng);
        }
    }
}
