package io.orthrus.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import io.orthrus.infer.CrossEncoder;
import io.orthrus.infer.SentenceEncoder;
import io.orthrus.io.SentenceTransformersFolder;
import io.orthrus.model.Pooling;
import io.orthrus.infer.FillMask;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.infer.Scorer;
import io.orthrus.io.BertCheckpoint;
import io.orthrus.io.GptCheckpoint;
import io.orthrus.io.HuggingFaceBert;
import io.orthrus.io.HuggingFaceGpt2;
import io.orthrus.io.HuggingFaceLlama;
import io.orthrus.io.PeftAdapter;
import io.orthrus.model.Direction;
import io.orthrus.nn.Module;
import io.orthrus.nn.Quantization;
import io.orthrus.tokenize.ChatTemplate;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that use a trained model: {@code generate} (GPT), {@code fill-mask} and
 * {@code embed} (BERT), {@code score} (either). {@code --model} names a checkpoint directory
 * ({@code config.json}, {@code tokenizer.json}, {@code model.safetensors}), a Hugging Face
 * GPT-2 or BERT folder, or a run directory of {@code orthrus train}, whose {@code model/} is used.
 */
final class ModelCommands {
    private ModelCommands() {}

    /** A GPT or a BERT checkpoint, whichever the directory holds. */
    record Loaded(GptCheckpoint gpt, BertCheckpoint bert, List<Integer> endTokens) {
        Loaded(GptCheckpoint gpt, BertCheckpoint bert) {
            this(gpt, bert, List.of());
        }

        /** The model directory {@code --model path} names: the path, or a run directory's model. */
        static Path directory(Path path) {
            return Files.isRegularFile(path.resolve(TrainCommand.RUN_FILE)) ? path.resolve(TrainCommand.MODEL) : path;
        }

        static Loaded from(Path path) throws IOException {
            Path directory = directory(path);
            Path config = directory.resolve("config.json");
            if (!Files.isRegularFile(config) && Files.isRegularFile(directory.resolve(PeftAdapter.CONFIG))) {
                return adapterWithItsBase(directory);
            }
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--model " + path + " holds no model (no " + config + "); give a checkpoint"
                        + " directory or the run directory of a causal-lm or masked-lm training");
            }
            JsonObject json = JsonFiles.readObject(config);
            if (!json.has("model") && json.has("model_type")) { // a Hugging Face folder
                String type = json.get("model_type").isJsonPrimitive() ? json.get("model_type").getAsString() : "";
                Loaded loaded = switch (type) {
                    case "gpt2" -> new Loaded(HuggingFaceGpt2.load(directory), null);
                    case "llama", "qwen2", "mistral" -> new Loaded(HuggingFaceLlama.load(directory), null,
                            HuggingFaceLlama.endTokens(directory));
                    case "bert" -> new Loaded(null, HuggingFaceBert.load(directory));
                    default -> throw new IllegalArgumentException(config + ": model_type '" + type + "' is not one the"
                            + " command line reads (Hugging Face gpt2, llama, qwen2, mistral and bert folders, Orthrus gpt"
                            + " and bert checkpoints)");
                };
                if ((loaded.gpt() != null ? loaded.gpt().tokenizer() : loaded.bert().tokenizer()) == null) {
                    throw new IllegalArgumentException(directory + ": no tokenizer (tokenizer.json, vocab.txt, or vocab.json"
                            + " + merges.txt); the commands need one");
                }
                return loaded;
            }
            JsonElement model = json.get("model");
            if (model == null || !model.isJsonPrimitive() || !model.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(config + ": `model` must be a string (gpt or bert), found "
                        + (model == null ? "nothing" : model.isJsonObject() ? "an object" : model.isJsonArray() ? "an array"
                        : model.toString()) + "; give an Orthrus checkpoint or a Hugging Face folder (with model_type)");
            }
            String kind = model.getAsString();
            return switch (kind) {
                case "gpt" -> new Loaded(GptCheckpoint.load(directory), null);
                case "bert" -> new Loaded(null, BertCheckpoint.load(directory));
                default -> throw new IllegalArgumentException(config + " holds a '" + kind + "' model; the command line"
                        + " reads 'gpt' and 'bert' checkpoints and Hugging Face gpt2 and bert folders");
            };
        }

        /** A PEFT adapter folder: the base its {@code base_model_name_or_path} names, with the adapter merged in. */
        private static Loaded adapterWithItsBase(Path adapter) throws IOException {
            return from(baseOf(adapter)).withAdapter(adapter);
        }

        /**
         * The folder that holds the model's own files (its chat template, …): {@code --model}'s directory, or for a
         * PEFT adapter folder (a run of {@code train --lora}), the base it names.
         */
        static Path modelFolder(Path path) throws IOException {
            Path directory = directory(path);
            boolean adapter = !Files.isRegularFile(directory.resolve("config.json"))
                    && Files.isRegularFile(directory.resolve(PeftAdapter.CONFIG));
            return adapter ? baseOf(directory) : directory;
        }

        /** The base model folder that the PEFT adapter in {@code adapter} names. */
        private static Path baseOf(Path adapter) throws IOException {
            Path file = adapter.resolve(PeftAdapter.CONFIG);
            JsonElement base = JsonFiles.readObject(file).get("base_model_name_or_path");
            if (base == null || !base.isJsonPrimitive()) {
                throw new IllegalArgumentException(file + ": no base_model_name_or_path; give the base model with --model"
                        + " and this folder with --adapter");
            }
            Path basePath = Path.of(base.getAsString());
            if (!basePath.isAbsolute() && !Files.isDirectory(basePath)) {
                basePath = adapter.resolve(basePath);
            }
            if (!Files.isDirectory(basePath)) {
                throw new IllegalArgumentException(file + ": base_model_name_or_path '" + base.getAsString() + "' is not a"
                        + " folder here; give the base model with --model and this folder with --adapter");
            }
            return basePath;
        }

        /**
         * This GPT with the PEFT LoRA adapter in {@code adapter} (null: none) merged into its weights, so that
         * it generates and scores at the base model's cost.
         */
        Loaded withAdapter(Path adapter) throws IOException {
            if (adapter == null) {
                return this;
            }
            GptCheckpoint checkpoint = requireGpt("--adapter");
            PeftAdapter.load(adapter, checkpoint.model()).merge();
            return this;
        }

        GptCheckpoint requireGpt(String command) {
            if (gpt == null) {
                throw new IllegalArgumentException(command + " needs a GPT (causal LM); this is a BERT, try fill-mask");
            }
            return gpt;
        }

        BertCheckpoint requireBert(String command) {
            if (bert == null) {
                throw new IllegalArgumentException(command + " needs a BERT (masked LM); this is a GPT, try generate");
            }
            return bert;
        }
    }

    /** The texts of {@code texts}, or of each non-empty line of {@code input}. */
    private static List<String> texts(List<String> texts, Path input) throws IOException {
        List<String> out = new ArrayList<>(texts);
        if (input != null) {
            TokenizerCommand.readText("--input", input).lines().filter(l -> !l.isBlank()).forEach(out::add);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("give a TEXT argument or --input FILE");
        }
        return out;
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Continue a prompt with a GPT, printing tokens as they come (a right-to-left GPT writes what"
                    + " comes before the prompt).",
            footer = {"", "Examples:", "  orthrus generate --model runs/gpt \"the dogs that\"",
                    "  orthrus generate --model runs/gpt --temperature 0.8 --top-k 20 --max-tokens 300 \"ROMEO:\""})
    static final class Generate implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A GPT checkpoint or a run directory.")
        Path model;

        @Parameters(index = "0", paramLabel = "PROMPT", description = "The text to continue.")
        String prompt;

        @Option(names = "--max-tokens", defaultValue = "200", description = "New tokens at most (default: ${DEFAULT-VALUE}).")
        int maxTokens;

        @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
        float temperature;

        @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
        int topK;

        @Option(names = "--top-p", defaultValue = "1.0", description = "Sample within this probability mass (default: ${DEFAULT-VALUE}).")
        float topP;

        @Option(names = "--stop", paramLabel = "TEXT", description = "Stop after this token (for example \".\"); a"
                + " Hugging Face Llama, Qwen2 or Mistral folder stops at its eos_token_id otherwise.")
        String stop;

        @Option(names = "--min-p", defaultValue = "0", description = "Sample among tokens at least this share as likely as"
                + " the likeliest; 0 = all (default: ${DEFAULT-VALUE}).")
        float minP;

        @Option(names = "--repetition-penalty", defaultValue = "1", description = "Divide the logits of tokens already in"
                + " the text by this (multiply negative ones); 1 = none (default: ${DEFAULT-VALUE}).")
        float repetitionPenalty;

        @Option(names = "--stop-string", paramLabel = "TEXT", description = "Stop when the text contains TEXT and end it"
                + " before TEXT (repeatable).")
        List<String> stopStrings = new ArrayList<>();

        @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--no-cache", description = "Recompute every position at each step instead of using the KV cache.")
        boolean noCache;

        @Option(names = "--chat", description = "PROMPT is a user message: put it in the model's chat template"
                + " (chat_template.jinja or tokenizer_config.json) and print the reply.")
        boolean chat;

        @Option(names = "--system", paramLabel = "TEXT", description = "With --chat: a system message before PROMPT.")
        String system;

        @Option(names = "--dtype", defaultValue = "f32", paramLabel = "TYPE", description = "Weights for the products:"
                + " f32, bf16, or int8 with a scale per 32 values (default: ${DEFAULT-VALUE}).")
        String dtype;

        @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter folder, merged into the"
                + " model's weights first.")
        Path adapter;

        @Override
        public Integer call() throws IOException {
            Loaded loaded = Loaded.from(model).withAdapter(adapter);
            GptCheckpoint checkpoint = loaded.requireGpt("generate");
            GenerationConfig config = (temperature == 0 ? GenerationConfig.greedy(maxTokens)
                    : GenerationConfig.sampling(maxTokens, temperature, seed).withTopK(topK).withTopP(topP).withMinP(minP))
                    .withRepetitionPenalty(repetitionPenalty).withStopStrings(stopStrings)
                    .withStopTokens(loaded.endTokens()); // a Hugging Face decoder's eos_token_id, unless --stop says otherwise
            if (stop != null) {
                int[] ids = checkpoint.tokenizer().encode(stop);
                if (ids.length != 1) {
                    throw new IllegalArgumentException("--stop '" + stop + "' is " + ids.length + " tokens; it must be one");
                }
                config = config.withStopToken(ids[0]);
            }
            config = config.withCache(!noCache);
            Generator generator = new Generator(checkpoint.model(), checkpoint.tokenizer());
            PrintStream out = System.out;
            if (system != null && !chat) {
                throw new IllegalArgumentException("--system needs --chat");
            }
            int[] chatIds = null;
            if (chat) { // the template writes its own special tokens: its text is encoded as it is
                List<ChatTemplate.Message> messages = system == null ? List.of(ChatTemplate.Message.user(prompt))
                        : List.of(ChatTemplate.Message.system(system), ChatTemplate.Message.user(prompt));
                chatIds = checkpoint.tokenizer().encode(ChatTemplate.load(Loaded.modelFolder(model)).apply(messages, true));
            }
            Quantization weights = quantization(dtype, checkpoint.model());
            GenerationConfig settings = config;
            int[] ids = chatIds;
            withWeights(weights, () -> print(generator, checkpoint, ids, settings, out));
            return 0;
        }

        /** Generates and prints: the reply to {@code chatIds} when given, else the continuation of the prompt. */
        private void print(Generator generator, GptCheckpoint checkpoint, int[] chatIds, GenerationConfig config,
                           PrintStream out) {
            if (chatIds != null) {
                generator.generateText(chatIds, config, piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
            } else if (checkpoint.model().direction() == Direction.RIGHT_TO_LEFT) {
                out.println(generator.generate(prompt, config) + prompt);
            } else {
                out.print(prompt);
                generator.generate(prompt, config, piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
            }
        }
    }

    /** The weights {@code --dtype} asks for: null for f32 (the model's own), else a quantized copy. */
    static Quantization quantization(String dtype, Module model) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> null;
            case "bf16" -> Quantization.bf16(model);
            case "int8" -> Quantization.int8(model);
            default -> throw new IllegalArgumentException("--dtype '" + dtype + "' is not f32, bf16 or int8");
        };
    }

    /** Runs {@code body} with {@code weights} in use (none: the model's float32 weights). */
    static void withWeights(Quantization weights, Runnable body) {
        if (weights == null) {
            body.run();
        } else {
            weights.apply(() -> {
                body.run();
                return null;
            });
        }
    }

    @Command(name = "fill-mask", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Predict each [MASK] of a text with a BERT.",
            footer = {"", "Example:", "  orthrus fill-mask --model runs/bert \"the dogs [MASK] loudly .\""})
    static final class FillMaskCommand implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A BERT checkpoint or a run directory.")
        Path model;

        @Parameters(paramLabel = "TEXT", arity = "1..*", description = "Texts with one or more [MASK].")
        List<String> texts;

        @Option(names = "--top", defaultValue = "5", description = "Predictions per mask (default: ${DEFAULT-VALUE}).")
        int top;

        @Override
        public Integer call() throws IOException {
            BertCheckpoint checkpoint = Loaded.from(model).requireBert("fill-mask");
            FillMask fill = new FillMask(checkpoint.model(), checkpoint.tokenizer());
            for (String text : texts) {
                System.out.println(text);
                List<List<FillMask.Prediction>> masks = fill.fill(text, top);
                for (int m = 0; m < masks.size(); m++) {
                    StringBuilder line = new StringBuilder("  [MASK] " + (m + 1) + ":");
                    for (FillMask.Prediction p : masks.get(m)) {
                        line.append(String.format(Locale.ROOT, "  %s %.3f", p.token(), p.probability()));
                    }
                    System.out.println(line);
                }
            }
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Perplexity of texts under a GPT, or pseudo-perplexity under a BERT (each token masked in turn).",
            footer = {"", "Examples:", "  orthrus score --model runs/gpt \"the dog barks .\" \"the dog bark .\"",
                    "  orthrus score --model runs/bert --input sentences.txt"})
    static final class Score implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A GPT or BERT checkpoint, or a run directory.")
        Path model;

        @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to score.")
        List<String> texts = new ArrayList<>();

        @Option(names = "--input", paramLabel = "FILE", description = "Score each non-empty line of FILE too.")
        Path input;

        @Option(names = "--dtype", defaultValue = "f32", paramLabel = "TYPE", description = "Weights for the products:"
                + " f32, bf16, or int8 with a scale per 32 values (default: ${DEFAULT-VALUE}).")
        String dtype;

        @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter folder for a GPT, merged into"
                + " its weights first.")
        Path adapter;

        @Override
        public Integer call() throws IOException {
            Loaded loaded = Loaded.from(model).withAdapter(adapter);
            List<String> all = texts(texts, input);
            Quantization weights = quantization(dtype, loaded.gpt() != null ? loaded.gpt().model() : loaded.bert().model());
            double[] total = {0};
            long[] tokens = {0};
            String what = loaded.gpt() != null ? "perplexity" : "pseudo-perplexity";
            withWeights(weights, () -> {
                for (String text : all) {
                    Scorer.Score s = loaded.gpt() != null
                            ? Scorer.logLikelihood(loaded.gpt().model(), loaded.gpt().tokenizer(), text)
                            : Scorer.pseudoLogLikelihood(loaded.bert().model(), loaded.bert().tokenizer(), text);
                    total[0] += s.logLikelihood();
                    tokens[0] += s.tokens();
                    System.out.printf(Locale.ROOT, "%s %8.3f  tokens %4d  %s%n", what, s.perplexity(), s.tokens(), text);
                }
            });
            System.out.printf(Locale.ROOT, "overall %s %.3f over %d tokens%n", what, Math.exp(-total[0] / tokens[0]),
                    tokens[0]);
            return 0;
        }
    }

    @Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sentence vectors from a sentence-transformers folder or a BERT: printed as JSON arrays, or added as"
                    + " \"embedding\" to each line of a JSONL file (its \"text\" field).",
            footer = {"", "Examples:", "  orthrus embed --model runs/bert \"the dog barks .\"",
                    "  orthrus embed --model all-MiniLM-L6-v2 --input texts.jsonl --output vectors.jsonl",
                    "  orthrus embed --model runs/bert --input texts.jsonl --output vectors.jsonl --pooling cls"})
    static final class Embed implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "A sentence-transformers folder, a BERT checkpoint, a Hugging Face BERT folder or a run directory.")
        Path model;

        @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
        List<String> texts = new ArrayList<>();

        @Option(names = "--input", paramLabel = "IN.jsonl", description = "One JSON object per line with a \"text\" field.")
        Path input;

        @Option(names = "--output", paramLabel = "OUT.jsonl", description = "Where the objects go, with \"embedding\" added.")
        Path output;

        @Option(names = "--pooling", description = "mean or cls, for a model without a Pooling module (default: mean).")
        String pooling;

        @Option(names = "--prompt", paramLabel = "TEXT", description = "Put before every text, such as \"query: \".")
        String prompt;

        @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Texts per batch (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Override
        public Integer call() throws IOException {
            requireInputs(input, output, texts, "a TEXT argument");
            SentenceEncoder encoder = encoder().withBatchSize(batchSize).withPrompt(prompt);
            for (float[] vector : encoder.encode(texts)) {
                System.out.println(vector(vector));
            }
            if (input == null) {
                return 0;
            }
            return TokenizerCommand.transformInBatches(input, output, batchSize, ModelCommands::textField, (objects, batch) -> {
                float[][] vectors = encoder.encode(batch);
                for (int i = 0; i < objects.size(); i++) {
                    objects.get(i).add("embedding", vector(vectors[i]));
                }
            });
        }

        /** The folder's own pooling for a sentence-transformers folder, else {@code --pooling} over a BERT. */
        private SentenceEncoder encoder() throws IOException {
            if (SentenceTransformersFolder.isSentenceTransformers(model)) {
                if (pooling != null) {
                    throw new IllegalArgumentException(model + " is a sentence-transformers folder: its Pooling module says"
                            + " how to pool; leave out --pooling");
                }
                return SentenceEncoder.load(model);
            }
            Pooling.Mode how = switch (pooling == null ? "mean" : pooling) {
                case "mean" -> Pooling.Mode.MEAN;
                case "cls" -> Pooling.Mode.CLS;
                default -> throw new IllegalArgumentException("--pooling must be mean or cls, got '" + pooling + "'");
            };
            Path config = model.resolve("config.json");
            if (Files.isRegularFile(config) && JsonFiles.readObject(config).has("model_type")) { // any Hugging Face encoder
                HuggingFaceBert.Encoder encoder = HuggingFaceBert.loadEncoder(model);
                if (encoder.tokenizer() == null) {
                    throw new IllegalArgumentException(model + ": no tokenizer (tokenizer.json or vocab.txt) beside the encoder");
                }
                return new SentenceEncoder(encoder.model(), encoder.tokenizer(), Pooling.of(how), false,
                        encoder.model().contextLength());
            }
            BertCheckpoint checkpoint = Loaded.from(model).requireBert("embed");
            return new SentenceEncoder(checkpoint.model(), checkpoint.tokenizer(), Pooling.of(how), false,
                    checkpoint.model().contextLength());
        }

        static JsonArray vector(float[] values) {
            JsonArray array = new JsonArray(values.length);
            for (float v : values) {
                array.add(v);
            }
            return array;
        }
    }

    @Command(name = "rerank", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Scores documents against a query with a cross-encoder: prints them best first, or adds"
                    + " \"score\" to each line of a JSONL file (its \"text\" field).",
            footer = {"", "Examples:", "  orthrus rerank --model ms-marco-MiniLM-L6-v2 --query \"how do cats sleep?\""
                    + " \"Cats sleep 15 hours a day.\" \"Dogs bark.\"",
                    "  orthrus rerank --model ms-marco-MiniLM-L6-v2 --query \"how do cats sleep?\" --input docs.jsonl"
                    + " --output scored.jsonl"})
    static final class Rerank implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "A cross-encoder folder (BertForSequenceClassification, as sentence-transformers saves it).")
        Path model;

        @Option(names = "--query", required = true, paramLabel = "TEXT", description = "What the documents should answer.")
        String query;

        @Parameters(paramLabel = "DOCUMENT", arity = "0..*", description = "Documents to rank.")
        List<String> documents = new ArrayList<>();

        @Option(names = "--input", paramLabel = "IN.jsonl", description = "One JSON object per line with a \"text\" field.")
        Path input;

        @Option(names = "--output", paramLabel = "OUT.jsonl", description = "Where the objects go, with \"score\" added.")
        Path output;

        @Option(names = "--top", paramLabel = "K", description = "Print only the K best documents (default: all).")
        Integer top;

        @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Pairs per batch (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Override
        public Integer call() throws IOException {
            requireInputs(input, output, documents, "DOCUMENT arguments");
            if (top != null && top < 1) {
                throw new IllegalArgumentException("--top must be >= 1, got " + top);
            }
            CrossEncoder reranker = CrossEncoder.load(model).withBatchSize(batchSize);
            if (!documents.isEmpty() && reranker.labels() != 1) {
                throw new IllegalArgumentException(model + " has " + reranker.labels() + " labels; a reranker has one");
            }
            List<CrossEncoder.Ranked> ranked = documents.isEmpty() ? List.of() : reranker.rank(query, documents);
            for (CrossEncoder.Ranked r : ranked.subList(0, top == null ? ranked.size() : Math.min(top, ranked.size()))) {
                System.out.println(String.format(Locale.ROOT, "%.4f\t%s", r.score(), r.document()));
            }
            if (input == null) {
                return 0;
            }
            return TokenizerCommand.transformInBatches(input, output, batchSize, ModelCommands::textField, (objects, batch) -> {
                float[][] scores = reranker.scores(query, batch);
                for (int i = 0; i < objects.size(); i++) {
                    if (scores[i].length == 1) {
                        objects.get(i).addProperty("score", scores[i][0]);
                    } else {
                        objects.get(i).add("score", Embed.vector(scores[i]));
                    }
                }
            });
        }
    }

    /** The {@code "text"} of a JSONL line, or a refusal of that line. */
    private static String textField(JsonObject object) {
        JsonElement text = object.get("text");
        if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("no string field \"text\"");
        }
        return text.getAsString();
    }

    /** Texts come as arguments or as {@code --input} with {@code --output}; {@code what} names the arguments in the error. */
    private static void requireInputs(Path input, Path output, List<String> arguments, String what) {
        if ((input == null) != (output == null)) {
            throw new IllegalArgumentException("--input and --output go together");
        }
        if (input == null && arguments.isEmpty()) {
            throw new IllegalArgumentException("give " + what + " or --input IN.jsonl --output OUT.jsonl");
        }
    }
}
