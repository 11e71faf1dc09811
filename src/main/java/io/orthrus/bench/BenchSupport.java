package io.orthrus.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks share: option values, the corpus file, rounding for the JSON line, peak heap. */
final class BenchSupport {
    private BenchSupport() {}

    /** The value after {@code option}, or an error naming the option. */
    static String require(String bench, String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(bench + ": option " + option + " needs a value");
        }
        return value;
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
