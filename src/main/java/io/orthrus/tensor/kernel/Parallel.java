package io.orthrus.tensor.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * A pool of worker threads that kernels split their work over.
 *
 * <p>Kernels split work into tasks whose results do not depend on which thread runs them or in
 * what order (each task writes its own part of the output), so a result is bit-identical for any
 * thread count. {@link #shared()} is sized to the available processors; a pool of one thread
 * runs everything on the caller.
 */
public final class Parallel {
    /** System property that sets the size of the shared pool (default: the available processors). */
    public static final String THREADS_PROPERTY = "orthrus.threads";
    private static final Parallel SHARED = new Parallel(Integer.getInteger(THREADS_PROPERTY,
            Runtime.getRuntime().availableProcessors()));

    private final int threads;
    private final ForkJoinPool pool;

    /** A pool with {@code threads} workers (the caller's thread counts as one). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Parallel: threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("orthrus-kernel-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** The pool shared by default kernels: one worker per available processor, or {@code -Dorthrus.threads=K}. */
    public static Parallel shared() {
        return SHARED;
    }

    /** Number of workers. */
    public int threads() {
        return threads;
    }

    /** Runs {@code task.accept(i)} for every i in {@code [0, count)}, spread over the workers; returns when all are done. */
    public void forEach(int count, IntConsumer task) {
        if (count <= 0) {
            return;
        }
        if (pool == null || count == 1) {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
            return;
        }
        RangeTask root = new RangeTask(0, count, task);
        if (callerIsWorker()) {
            root.invoke();
        } else {
            pool.invoke(root);
        }
    }

    private boolean callerIsWorker() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
    }

    private static final class RangeTask extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int from;
        private final int to;
        private final transient IntConsumer task;

        RangeTask(int from, int to, IntConsumer task) {
            this.from = from;
            this.to = to;
            this.task = task;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                task.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new RangeTask(from, mid, task), new RangeTask(mid, to, task));
        }
    }
}
