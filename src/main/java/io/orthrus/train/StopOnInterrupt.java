package io.orthrus.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns a JVM shutdown (Ctrl-C, SIGTERM) during training into a clean stop: the trainer finishes
 * the step in progress, {@link Trainer#fit} returns (a {@link CheckpointListener} saves the step
 * as it does at every end of fit), and the JVM exits once this guard is closed, or after two
 * minutes at most. Opt-in, since a library should not hold an application's exit unasked:
 *
 * <pre>{@code
 * try (StopOnInterrupt interrupt = StopOnInterrupt.install(trainer)) {
 *     trainer.fit(train, validation);
 *     boolean stoppedEarly = interrupt.interrupted(); // a Ctrl-C came: the step in progress finished
 * }
 * }</pre>
 */
public final class StopOnInterrupt implements AutoCloseable {
    /** How long a shutdown waits for the step in progress, its checkpoint and the caller's last words. */
    private static final long WAIT_SECONDS = 120;

    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean interrupted;

    private StopOnInterrupt(Trainer<?, ?> trainer) {
        hook = new Thread(() -> {
            trainer.requestStop(); // before the flag: whoever sees interrupted() sees the stop requested
            interrupted = true;
            try {
                closed.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "orthrus-stop-on-interrupt");
    }

    /** Registers the shutdown hook for {@code trainer} until {@link #close()}. */
    public static StopOnInterrupt install(Trainer<?, ?> trainer) {
        StopOnInterrupt guard = new StopOnInterrupt(trainer);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    /** Whether a shutdown asked the trainer to stop. */
    public boolean interrupted() {
        return interrupted;
    }

    /** The registered hook, which the JVM runs on shutdown (for tests). */
    Thread hook() {
        return hook;
    }

    /** Removes the hook, or, when a shutdown is under way, lets it return so that the JVM exits. */
    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running; it returns now that the latch is open
        }
    }
}
