package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.orthrus.data.grammar.Grammar;
import io.orthrus.tensor.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code orthrus} commands the docs show: every one parses (its command and options exist,
 * its values convert), the example config of cli.md builds a run, and (tagged slow) the
 * walkthrough of getting-started.md runs from start to end in a fresh directory.
 */
class DocCommandsTest {
    private static final Pattern BLOCK = Pattern.compile("```shell\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern WORD = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)");

    @TempDir
    Path dir;

    /** The argument lists of the lines starting with "orthrus " in the shell blocks of {@code page}. */
    static List<List<String>> commands(String page) throws Exception {
        Path file = Path.of("docs", page);
        assumeTrue(Files.isRegularFile(file), "run from the project directory");
        List<List<String>> out = new ArrayList<>();
        Matcher block = BLOCK.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (block.find()) {
            for (String line : block.group(1).split("\n")) {
                if (line.startsWith("orthrus ")) {
                    List<String> args = new ArrayList<>();
                    Matcher word = WORD.matcher(line.substring("orthrus ".length()));
                    while (word.find()) {
                        args.add(word.group(1) != null ? word.group(1) : word.group(2) != null ? word.group(2) : word.group(3));
                    }
                    out.add(args);
                }
            }
        }
        return out;
    }

    @Test
    void everyDocumentedCommandParses() throws Exception {
        int parsed = 0;
        for (String page : List.of("cli.md", "getting-started.md")) {
            for (List<String> args : commands(page)) {
                CommandLine commandLine = new CommandLine(new io.orthrus.cli.Main());
                try {
                    commandLine.parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(page + ": 'orthrus " + String.join(" ", args) + "' does not parse: "
                            + e.getMessage(), e);
                }
                parsed++;
            }
        }
        assertTrue(parsed >= 25, "found only " + parsed + " commands");
    }

    @Test
    void theExampleConfigOfTheCliPageBuildsARun() throws Exception {
        String page = Files.readString(Path.of("docs", "cli.md"), StandardCharsets.UTF_8);
        Matcher json = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertTrue(json.find(), "cli.md has a JSON config");
        Files.writeString(dir.resolve("gpt.json"), json.group(1));
        Files.writeString(dir.resolve("input.txt"), Grammar.english().text(3000, new Rng(1)));
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = io.orthrus.cli.Main.commandLine().execute("train", "--config", dir.resolve("gpt.json").toString(),
                    "--stop-at", "2");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
        // Paths in a config file are relative to the file: the run lands beside it.
        assertTrue(Files.isRegularFile(dir.resolve("runs/shakespeare/checkpoints/step-00000002/state.json")));
    }

    @Tag("slow")
    @Test
    void theGettingStartedWalkthroughRuns() throws Exception {
        Files.writeString(dir.resolve("input.txt"), Grammar.english().text(5000, new Rng(1)));
        for (List<String> args : commands("getting-started.md")) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    io.orthrus.cli.Main.class.getName()));
            command.addAll(args);
            Path log = dir.resolve("command.log");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                assertTrue(process.waitFor(300, TimeUnit.SECONDS), "timed out: " + args);
            } finally {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "orthrus " + String.join(" ", args) + "\n" + output);
        }
        assertTrue(Files.isRegularFile(dir.resolve("losses.png")));
        assertTrue(Files.isRegularFile(dir.resolve("runs/long/checkpoints/step-00000600/model.safetensors")));
    }
}
