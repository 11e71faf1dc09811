package io.orthrus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orthrus plot}: loss curves of one or more runs, overlaid, as SVG and PNG. */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Draw the training and validation loss of runs (their metrics.jsonl), overlaid, as SVG and PNG.",
        footer = {"", "Examples:", "  orthrus plot runs/gpt", "  orthrus plot runs/gpt-lr1e-3 runs/gpt-lr3e-3 --output compare"})
final class PlotCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "Run directories or metrics.jsonl files.")
    List<Path> runs;

    @Option(names = "--output", defaultValue = "loss", paramLabel = "BASE",
            description = "Writes BASE.svg and BASE.png (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--title", defaultValue = "loss", description = "Title of the plot (default: ${DEFAULT-VALUE}).")
    String title;

    @Override
    public Integer call() throws IOException {
        List<LossPlot.Series> series = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Path run = runs.get(i);
            Path metrics = Files.isDirectory(run) ? run.resolve(TrainCommand.METRICS) : run;
            Path named = Files.isDirectory(run) ? run : run.toAbsolutePath().getParent();
            String label = runs.size() == 1 ? "" : named.getFileName() + "";
            series.addAll(LossPlot.read(metrics, label, i));
        }
        Path svg = Path.of(output + ".svg"), png = Path.of(output + ".png");
        String warning = LossPlot.write(series, title, svg, png);
        System.out.println("wrote " + svg + (warning == null ? " and " + png : ""));
        if (warning != null) {
            System.err.println("warning: " + warning);
        }
        return 0;
    }
}
