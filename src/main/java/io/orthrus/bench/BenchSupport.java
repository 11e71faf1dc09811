package io.orthrus.bench;

import io.orthrus.train.TrainingListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine;

/** What the benchmarks share: option parsing, the corpus check, rounding for the JSON line, memory figures. */
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

    /** {@code file}, or an error naming it and {@code option}, the option that sets it, when it is not a file. */
    static Path requireFile(String bench, String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(bench + ": " + option + " file " + file.toAbsolutePath() + " does not exist");
        }
        return file;
    }

    /** Throws an error naming the missing file and the option that sets it, unless {@code corpus} is a file. */
    static void requireCorpus(String bench, Path corpus) {
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException(bench + ": corpus file " + corpus.toAbsolutePath()
                    + " does not exist; pass --corpus FILE");
        }
    }

    /** {@code value} rounded to 4 decimals. */
    static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }

    /**
     * Heap in use after a full collection, in bytes: what the run really holds (weights,
     * gradients, optimizer state, workspaces, data), unlike the peak, which the collector's sizing
     * of the young generation dominates.
     */
    static long liveHeapBytes() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Bytes allocated on the heap by every thread of the JVM so far, or -1 when the JVM cannot
     * tell ({@code com.sun.management.ThreadMXBean}, which HotSpot JVMs provide).
     */
    static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    /**
     * A training listener that records the bytes allocated between consecutive steps (all
     * threads); {@link #medianBytesPerStep} skips the first {@code warmUpSteps}, where the JIT
     * and the first allocation of every buffer dominate.
     */
    static final class AllocationMeter implements TrainingListener {
        private final int warmUpSteps;
        private final List<Long> perStep = new ArrayList<>();
        private long last = allocatedBytes();

        AllocationMeter(int warmUpSteps) {
            this.warmUpSteps = warmUpSteps;
        }

        @Override
        public void onStep(StepMetrics metrics) {
            long now = allocatedBytes();
            perStep.add(now - last);
            last = now;
        }

        /** Median bytes allocated per step after warm-up, or -1 when unknown or too few steps. */
        long medianBytesPerStep() {
            if (last < 0 || perStep.size() <= warmUpSteps) {
                return -1;
            }
            List<Long> steady = new ArrayList<>(perStep.subList(warmUpSteps, perStep.size()));
            Collections.sort(steady);
            return steady.get(steady.size() / 2);
        }
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
