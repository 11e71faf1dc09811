package io.orthrus.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.files.TextFiles;
import io.orthrus.recipe.Recipes;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code orthrus tokenizer encode|decode|train}: batch tokenization of JSONL files and tokenizer training. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Encode or decode JSONL files with a tokenizer, or train one.",
        footer = {"", "Examples:", "  orthrus tokenizer train --kind bpe --vocab-size 8000 --corpus input.txt --output tokenizer.json",
                "  orthrus tokenizer encode --tokenizer tokenizer.json --input texts.jsonl --output ids.jsonl"},
        subcommands = {TokenizerCommand.Encode.class, TokenizerCommand.Decode.class, TokenizerCommand.Train.class})
final class TokenizerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    /** Options shared by encode and decode. */
    static class JsonlFiles {
        @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
                description = "A directory or file holding GPT-2's encoder.json + vocab.bpe, Hugging Face's vocab.json +"
                        + " merges.txt, a tokenizer.json, or a BERT vocab.txt.")
        Path tokenizer;

        @Option(names = "--input", required = true, paramLabel = "IN.jsonl", description = "One JSON object per line.")
        Path input;

        @Option(names = "--output", required = true, paramLabel = "OUT.jsonl",
                description = "The same objects, in order, with the new fields; written atomically.")
        Path output;
    }

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = "Add \"ids\" and \"tokens\" to each line's \"text\"; a malformed line is reported with its"
                    + " number and left out, the others are processed; exit code 1 if any line failed.",
            footer = {"", "Example:", "  orthrus tokenizer encode --tokenizer gpt2/ --input texts.jsonl --output ids.jsonl"})
    static final class Encode implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        JsonlFiles files;

        @Option(names = "--allow-special", description = "Encode special tokens such as <|endoftext|> as their id (GPT-2).")
        boolean allowSpecial;

        @Option(names = "--special-as-text", description = "Read special tokens written in the text (<s>, <|im_start|>,"
                + " …) as plain text, as transformers' split_special_tokens.")
        boolean specialAsText;

        @Override
        public Integer call() throws IOException {
            if (allowSpecial && specialAsText) {
                throw new IllegalArgumentException("--allow-special and --special-as-text say opposite things; give one");
            }
            Tokenizer tokenizer = Tokenizers.open(files.tokenizer);
            return transform(files.input, files.output, (object, out) -> {
                JsonElement text = object.get("text");
                if (text == null || !text.isJsonPrimitive() || !text.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException("no string field \"text\"");
                }
                int[] ids = specialAsText ? tokenizer.encodeAsText(text.getAsString())
                        : allowSpecial && tokenizer instanceof ByteLevelBpe bpe ? bpe.encode(text.getAsString(), true)
                        : tokenizer.encode(text.getAsString());
                // Streamed, not built as JSON arrays of boxed elements: memory stays near the output line's size.
                out.beginObject();
                for (var field : object.entrySet()) {
                    if (!field.getKey().equals("ids") && !field.getKey().equals("tokens")) {
                        JSON.toJson(field.getValue(), out.name(field.getKey()));
                    }
                }
                out.name("ids").beginArray();
                for (int id : ids) {
                    out.value(id);
                }
                out.endArray().name("tokens").beginArray();
                for (int id : ids) {
                    out.value(tokenizer.token(id));
                }
                out.endArray().endObject();
            });
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Add \"text\" to each line's \"ids\"; malformed lines as for encode.",
            footer = {"", "Example:", "  orthrus tokenizer decode --tokenizer gpt2/ --input ids.jsonl --output texts.jsonl"})
    static final class Decode implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        JsonlFiles files;

        @Override
        public Integer call() throws IOException {
            Tokenizer tokenizer = Tokenizers.open(files.tokenizer);
            return transform(files.input, files.output, (object, out) -> {
                JsonElement ids = object.get("ids");
                if (ids == null || !ids.isJsonArray()) {
                    throw new IllegalArgumentException("no array field \"ids\"");
                }
                int[] values = new int[ids.getAsJsonArray().size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = id(ids.getAsJsonArray().get(i), i);
                }
                object.addProperty("text", tokenizer.decode(values));
                JSON.toJson(object, out);
            });
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a tokenizer on a UTF-8 text file and save it as a Hugging Face tokenizer.json.",
            footer = {"", "Example:", "  orthrus tokenizer train --kind bpe --vocab-size 8000 --corpus input.txt"
                    + " --output tokenizer.json"})
    static final class Train implements Callable<Integer> {
        @Option(names = "--kind", defaultValue = "bpe", description = "bpe (byte-level, GPT-2 style), wordpiece (BERT"
                + " style, lower-cased) or char (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--vocab-size", defaultValue = "8000", description = "Tokens in the vocabulary (default:"
                + " ${DEFAULT-VALUE}; not used by char).")
        int vocabSize;

        @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "UTF-8 text to learn from.")
        Path corpus;

        @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where to write the tokenizer.")
        Path output;

        @Override
        public Integer call() throws IOException {
            String text = readText("--corpus", corpus);
            if (!Recipes.TOKENIZER_KINDS.contains(kind)) {
                throw new IllegalArgumentException("--kind must be bpe, wordpiece or char, got '" + kind + "'");
            }
            Tokenizer tokenizer = Recipes.trainTokenizer(kind, text, vocabSize);
            Tokenizers.save(tokenizer, output);
            System.out.println("trained " + tokenizer + " on " + corpus + ": " + tokenizer.vocabSize() + " tokens, "
                    + tokenizer.encode(text).length + " tokens for the corpus; saved " + output);
            return 0;
        }
    }

    /**
     * Reads {@code input} line by line, applies {@code change} to each JSON object and writes
     * the results in order; a line that fails (not UTF-8, not strict JSON, not an object, or
     * refused by {@code change}) is reported on stderr as {@code FILE:LINE: reason} and skipped.
     * Returns 1 when any line failed.
     */
    static int transform(Path input, Path output, LineWriter change) throws IOException {
        return eachLine(input, output, (lines, out, refused) -> {
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            JsonObject object = lines.get(0).object();
            try (JsonWriter writer = new JsonWriter(new OutputStreamWriter(result, StandardCharsets.UTF_8))) {
                change.write(object, writer);
            } catch (IllegalArgumentException | IllegalStateException e) {
                refused.accept(lines.get(0).number(), e.getMessage());
                return;
            }
            result.write('\n');
            result.writeTo(out); // only a line written whole reaches the output
        }, 1);
    }

    /**
     * {@link #transform}, {@code batch} lines at a time: {@code prepare} takes from each object
     * what the batch needs (throwing IllegalArgumentException refuses that line alone, reported as
     * {@code FILE:LINE: reason}), {@code complete} adds its results to the batch's objects, which are
     * then written in order. Returns 1 when any line failed.
     */
    static <T> int transformInBatches(Path input, Path output, int batch, java.util.function.Function<JsonObject, T> prepare,
                                      java.util.function.BiConsumer<java.util.List<JsonObject>, java.util.List<T>> complete)
            throws IOException {
        return eachLine(input, output, (lines, out, refused) -> {
            java.util.List<JsonObject> objects = new java.util.ArrayList<>();
            java.util.List<T> prepared = new java.util.ArrayList<>();
            for (Line line : lines) {
                try {
                    prepared.add(prepare.apply(line.object()));
                    objects.add(line.object());
                } catch (IllegalArgumentException | IllegalStateException e) {
                    refused.accept(line.number(), e.getMessage());
                }
            }
            if (objects.isEmpty()) {
                return;
            }
            complete.accept(objects, prepared);
            for (JsonObject object : objects) {
                ByteArrayOutputStream result = new ByteArrayOutputStream();
                try (JsonWriter writer = new JsonWriter(new OutputStreamWriter(result, StandardCharsets.UTF_8))) {
                    JSON.toJson(object, writer);
                }
                result.write('\n');
                result.writeTo(out);
            }
        }, batch);
    }

    /** One line of a JSONL input, parsed, with its 1-based number. */
    private record Line(int number, JsonObject object) {}

    /** Handles a group of parsed lines; reports a refused line through {@code refused}. */
    private interface LineGroup {
        void handle(java.util.List<Line> lines, OutputStream out, java.util.function.BiConsumer<Integer, String> refused)
                throws IOException;
    }

    /**
     * Reads {@code input} line by line into groups of up to {@code group} parsed objects for
     * {@code handler}, writing {@code output} atomically; a line that is not UTF-8 or not a strict
     * JSON object is reported as {@code FILE:LINE: reason} and skipped, blank lines are skipped.
     */
    private static int eachLine(Path input, Path output, LineGroup handler, int group) throws IOException {
        int[] failed = {0};
        int[] lines = {0};
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        java.util.function.BiConsumer<Integer, String> refused = (number, reason) -> {
            failed[0]++;
            err.println(input + ":" + number + ": " + reason);
        };
        try (InputStream in = new BufferedInputStream(Files.newInputStream(JsonFiles.regularFile(input)))) {
            AtomicFiles.write(output, (OutputStream out) -> {
                java.util.List<Line> pending = new java.util.ArrayList<>();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                boolean more = true;
                while (more) {
                    line.reset();
                    int b;
                    while ((b = in.read()) >= 0 && b != '\n') {
                        line.write(b);
                    }
                    more = b >= 0;
                    if (!more && line.size() == 0) {
                        break;
                    }
                    lines[0]++;
                    try {
                        String text = TextFiles.decode(line.toByteArray(), 0, line.size());
                        if (!text.isBlank()) {
                            pending.add(new Line(lines[0], strictObject(text)));
                        }
                    } catch (JsonParseException | IllegalArgumentException | IllegalStateException e) {
                        refused.accept(lines[0], e.getMessage());
                    }
                    if (pending.size() == group) {
                        handler.handle(pending, out, refused);
                        pending.clear();
                    }
                }
                if (!pending.isEmpty()) {
                    handler.handle(pending, out, refused);
                }
            });
        }
        if (failed[0] > 0) {
            err.println(failed[0] + " of " + lines[0] + " lines failed; the others are in " + output);
            return 1;
        }
        return 0;
    }

    /** The UTF-8 text of the file given to {@code option}; what is wrong is one line naming the option and the file. */
    static String readText(String option, Path file) throws IOException {
        try {
            return TextFiles.readUtf8(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage(), e);
        }
    }

    /** Writes the output object of one input line. */
    @FunctionalInterface
    interface LineWriter {
        /** Writes the object that replaces {@code object}; throws IllegalArgumentException to refuse the line. */
        void write(JsonObject object, JsonWriter out) throws IOException;
    }

    /** Writes JSON as {@link JsonObject#toString()} does: nulls kept, no HTML escapes. */
    static final com.google.gson.Gson JSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().serializeNulls()
            .create();

    /** One JSON object as RFC 8259 writes it: no single quotes, no comments, nothing after it. */
    private static JsonObject strictObject(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement parsed = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("more than one JSON value on the line");
            }
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + JsonFiles.describe(e));
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse(""));
        }
    }

    /** The integer {@code ids[i]} of a decode line: a JSON integer within int range, else an error naming it. */
    static int id(JsonElement e, int i) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsString().matches("-?[0-9]+")) {
            try {
                return e.getAsBigDecimal().intValueExact();
            } catch (ArithmeticException outOfRange) {
                // reported below
            }
        }
        throw new IllegalArgumentException("ids[" + i + "] must be a whole number within int range, found " + e);
    }
}
