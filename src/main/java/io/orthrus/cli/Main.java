package io.orthrus.cli;

import io.orthrus.bench.BertBench;
import io.orthrus.bench.BartBench;
import io.orthrus.bench.ElmoBench;
import io.orthrus.bench.EmbedBench;
import io.orthrus.bench.GemmBench;
import io.orthrus.bench.GenerateBench;
import io.orthrus.bench.GptBench;
import io.orthrus.bench.LoraBench;
import io.orthrus.bench.Word2VecBench;
import io.orthrus.nn.Memory;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code orthrus} command line: {@code demo}, {@code train}, {@code generate},
 * {@code fill-mask}, {@code embed}, {@code score}, {@code tokenizer}, {@code plot} and
 * {@code bench} (docs/cli.md). Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(name = "orthrus", mixinStandardHelpOptions = true, version = "orthrus 0.1.0",
        description = "Pure-Java neural language models.",
        footer = {"", "Examples:", "  orthrus demo", "  orthrus train --objective causal-lm --corpus input.txt --output runs/gpt",
                "  orthrus generate --model runs/gpt \"the \"", "  orthrus COMMAND --help", "",
                "Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted. See docs/cli.md."},
        subcommands = {DemoCommand.class, TrainCommand.class, ModelCommands.Generate.class, MergeCommand.class,
                ModelCommands.FillMaskCommand.class, ModelCommands.Embed.class, ModelCommands.Rerank.class, ModelCommands.Score.class,
                TokenizerCommand.class, PlotCommand.class, Main.Bench.class})
public final class Main implements Callable<Integer> {
    /** The root command; {@link #commandLine()} wraps it with the error handling. */
    public Main() {}

    @picocli.CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print the stack trace as well as the one-line message.")
    boolean verbose;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/orthrus/cli/logback-cli.xml");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command tree with its error handling (one-line errors, exit codes) and the printing of benchmark results. */
    public static CommandLine commandLine() {
        Main main = new Main();
        return new CommandLine(main)
                .setExecutionStrategy(parseResult -> {
                    // A benchmark returns its JSON line; the command line prints it.
                    int status;
                    try {
                        status = new CommandLine.RunLast().execute(parseResult);
                    } catch (OutOfMemoryError e) { // one line with what to do, as for every other failure
                        List<CommandLine> chain = parseResult.asCommandLineList();
                        chain.get(chain.size() - 1).getErr().println("orthrus " + chain.get(chain.size() - 1)
                                .getCommandName() + ": out of memory (the JVM may use " + Memory.format(Runtime.getRuntime()
                                .maxMemory()) + "); give it more with -Xmx, for example JAVA_TOOL_OPTIONS=-Xmx8g, or make"
                                + " the model, batch or input smaller");
                        return 1;
                    }
                    List<CommandLine> chain = parseResult.asCommandLineList();
                    CommandLine last = chain.get(chain.size() - 1);
                    if (last.getExecutionResult() instanceof String line) {
                        System.out.println(line);
                    }
                    return status;
                })
                .setParameterExceptionHandler((e, args) -> {
                    // A usage error is one line and a pointer to the help, not the whole usage text.
                    CommandLine failed = e.getCommandLine();
                    failed.getErr().println("orthrus " + failed.getCommandName() + ": " + e.getMessage());
                    failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for the options.");
                    return 2;
                })
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    // A failure the user can act on is one line, not a stack trace (unless --verbose).
                    if (main.verbose || parseResult.hasMatchedOption("--verbose")
                            || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().println("orthrus " + commandLine.getCommandName() + ": "
                            + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return 1;
                });
    }

    @Override
    public Integer call() {
        commandLine().usage(System.out);
        return 0;
    }

    /** {@code orthrus bench gemm|gpt|generate|bert|word2vec|elmo|bart|embed|lora [options]}: benchmarks that print one JSON line (docs/performance.md). */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Run a benchmark and print one JSON line (see docs/performance.md).",
            subcommands = {GemmBench.class, GptBench.class, GenerateBench.class, BertBench.class, Word2VecBench.class, ElmoBench.class,
                    BartBench.class, EmbedBench.class, LoraBench.class},
            footer = {"", "Examples:", "  orthrus bench gemm --quick", "  orthrus bench gpt --steps 200 --threads 2"})
    static final class Bench implements Callable<Integer> {
        @Override
        public Integer call() {
            new CommandLine(this).usage(System.out);
            return 0;
        }
    }
}
