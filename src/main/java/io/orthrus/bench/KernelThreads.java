package io.orthrus.bench;

import io.orthrus.tensor.kernel.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --threads K} option of every command that trains or measures (a picocli mixin): the
 * size of the kernels' shared thread pool.
 */
public final class KernelThreads {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--threads", paramLabel = "K", description = "Kernel threads (default: the available processors).")
    Integer threads;

    /** The option's default: the pool keeps its size unless {@code --threads} is given. */
    public KernelThreads() {}

    /**
     * Sizes the pool, unless the option was not given; must run before the first kernel call,
     * which creates the pool. A count below 1 is a usage error of the command.
     */
    public void apply() {
        if (threads == null) {
            return;
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(command.commandLine(), "--threads must be >= 1, got " + threads);
        }
        System.setProperty(Parallel.THREADS_PROPERTY, threads.toString());
    }
}
