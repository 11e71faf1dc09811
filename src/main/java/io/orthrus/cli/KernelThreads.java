package io.orthrus.cli;

import io.orthrus.tensor.kernel.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The {@code --threads K} option of the commands that train: the size of the kernels' shared thread pool. */
final class KernelThreads {
    @Option(names = "--threads", paramLabel = "K", description = "Kernel threads (default: the available processors).")
    Integer threads;

    /**
     * Sizes the pool, unless the option was not given; must run before the first kernel call,
     * which creates the pool. A count below 1 is a usage error of {@code command}.
     */
    void apply(CommandLine command) {
        if (threads == null) {
            return;
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(command, "--threads must be >= 1, got " + threads);
        }
        System.setProperty(Parallel.THREADS_PROPERTY, threads.toString());
    }
}
