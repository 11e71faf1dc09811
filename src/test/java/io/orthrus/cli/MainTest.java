package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    private static String run(int expectedStatus, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int status = Main.commandLine().execute(args);
            if (expectedStatus == 0) {
                assertEquals(0, status, captured.toString(StandardCharsets.UTF_8));
            } else {
                assertNotEquals(0, status);
            }
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void benchPassesItsOptionsToTheBenchmark() {
        String out = run(0, "bench", "gemm", "--quick", "--shapes", "8,8,8");
        assertTrue(out.startsWith("{\"results\":["), out);
    }

    @Test
    void demoTrainsAGptAndABertAndGradesThemOnTheGrammar() {
        String out = run(0, "demo", "--steps", "20");
        assertTrue(out.contains("[1/2] GPT") && out.contains("continuations (greedy):") && out.contains("of 200 sampled"
                + " sentences:") && out.contains("[2/2] BERT") && out.contains("masked-token accuracy")
                && out.contains("fill-mask (top 3):") && out.contains("keeps the sentence grammatical"), out);
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void tokenizerEncodesAndDecodesJsonlKeepingOrderAndReportingBadLines() throws Exception {
        java.nio.file.Path corpus = dir.resolve("corpus.txt");
        java.nio.file.Files.writeString(corpus, "the dog barks. the cat meows. ".repeat(40));
        java.nio.file.Path tokenizer = dir.resolve("tokenizer.json");
        String trained = run(0, "tokenizer", "train", "--kind", "bpe", "--vocab-size", "300", "--corpus", corpus.toString(),
                "--output", tokenizer.toString());
        assertTrue(trained.contains("saved"), trained);
        java.nio.file.Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl"), back = dir.resolve("back.jsonl");
        java.nio.file.Files.writeString(in, "{\"id\": 1, \"text\": \"the dog\"}\nnot json\n{\"text\": 5}\n"
                + "{\"id\": 4, \"text\": \"meows 😀\"}\n");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            run(1, "tokenizer", "encode", "--tokenizer", tokenizer.toString(), "--input", in.toString(), "--output",
                    out.toString());
        } finally {
            System.setErr(originalErr);
        }
        String report = errors.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("in.jsonl:2: ") && report.contains("in.jsonl:3: no string field \"text\""), report);
        java.util.List<String> lines = java.nio.file.Files.readAllLines(out);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("{\"id\":1,\"text\":\"the dog\",\"ids\":[") && lines.get(0).contains("\"tokens\":["),
                lines.get(0));
        assertTrue(lines.get(1).contains("\"id\":4"), lines.get(1));
        java.nio.file.Path idsOnly = dir.resolve("ids.jsonl");
        StringBuilder idLines = new StringBuilder();
        for (String line : lines) { // keep only the ids, so that decoding must produce the text
            idLines.append("{\"ids\":").append(com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("ids"))
                    .append("}\n");
        }
        java.nio.file.Files.writeString(idsOnly, idLines);
        run(0, "tokenizer", "decode", "--tokenizer", tokenizer.toString(), "--input", idsOnly.toString(), "--output",
                back.toString());
        java.util.List<String> decoded = java.nio.file.Files.readAllLines(back);
        assertEquals("the dog", com.google.gson.JsonParser.parseString(decoded.get(0)).getAsJsonObject().get("text").getAsString());
        assertEquals("meows 😀", com.google.gson.JsonParser.parseString(decoded.get(1)).getAsJsonObject().get("text").getAsString());
    }

    @Test
    void aMissingTokenizerIsOneLineAndExitCodeOne() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.commandLine().execute("tokenizer", "encode", "--tokenizer", dir.resolve("none").toString(),
                    "--input", dir.resolve("in.jsonl").toString(), "--output", dir.resolve("out.jsonl").toString());
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(1, status);
        String message = errors.toString(StandardCharsets.UTF_8).trim();
        assertTrue(message.startsWith("orthrus encode: ") && message.contains("no such file or directory")
                && !message.contains("\n"), message);
        errors.reset();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            status = Main.commandLine().execute("tokenizer", "encode", "--verbose", "--tokenizer",
                    dir.resolve("none").toString(), "--input", "x", "--output", "y");
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(1, status);
        String verbose = errors.toString(StandardCharsets.UTF_8);
        assertTrue(verbose.contains("\tat io.orthrus.") && verbose.contains("orthrus encode: "), verbose);
    }

    @Test
    void everyCommandsHelpHasExamplesAndFormatsCleanly() {
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Main.commandLine()));
        int commands = 0;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            while (!todo.isEmpty()) {
                picocli.CommandLine command = todo.pop();
                String usage = command.getUsageMessage();
                assertTrue(usage.contains("Example"), command.getCommandSpec().qualifiedName() + " has no examples:\n"
                        + usage);
                todo.addAll(command.getSubcommands().values());
                commands++;
            }
        } finally {
            System.setErr(originalErr);
        }
        assertTrue(commands >= 17, "only " + commands + " commands");
        // A lone % in a description ("15% of") is a format specifier to picocli: it warns and prints the text raw.
        assertEquals("", errors.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownBenchmarksAndOptionsFail() {
        run(2, "bench", "nope");
        run(2, "demo", "--no-such-option");
    }
}
