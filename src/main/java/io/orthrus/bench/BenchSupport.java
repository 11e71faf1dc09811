package io.orthrus.bench;

import io.orthrus.nn.TransformerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;

/** What the benchmarks share: option parsing, the corpus file, rounding for the JSON line, peak heap. */
final class BenchSupport {
    /** The corpus the benchmarks read unless given {@code --corpus}: Tiny Shakespeare beside the project. */
    static final String DEFAULT_CORPUS = "../shared/data/tinyshakespeare.txt";

    private BenchSupport() {}

    /** Fills {@code bench}'s options from {@code args}; an unknown or malformed option is an error naming it. */
    static <T> T parse(T bench, String... args) {
        CommandLine commandLine = new CommandLine(bench);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("bench " + commandLine.getCommandName() + ": " + e.getMessage()
                    + " (see --help)", e);
        }
        return bench;
    }

    /** {@code pre} or {@code post}, in any case. */
    static final class NormConverter implements CommandLine.ITypeConverter<TransformerConfig.NormPlacement> {
        @Override
        public TransformerConfig.NormPlacement convert(String value) {
            return TransformerConfig.NormPlacement.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** The UTF-8 text of {@code corpus}, or an error naming the missing file and the option that sets it. */
    static String readCorpus(String bench, Path corpus) throws IOException {
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException(bench + ": corpus file " + corpus.toAbsolutePath()
                    + " does not exist; pass --corpus FILE");
        }
        return Files.readString(corpus, StandardCharsets.UTF_8);
    }

    /** {@code value} rounded to 4 decimals. */
    static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }

    /** The highest heap use seen so far, summed over the heap pools, in bytes. */
    static long peakHeapBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
    }
}
