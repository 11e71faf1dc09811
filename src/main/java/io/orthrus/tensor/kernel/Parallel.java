package io.orthrus.tensor.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A pool of worker threads that kernels split their work over.
 *
 * <p>Kernels split work into tasks whose results do not depend on which thread runs them or in
 * what order (each task writes its own part of the output, and any reduction over tasks is summed
 * afterwards in task order), so a result is bit-identical for any thread count. {@link #shared()}
 * is sized to the available processors; a pool of one thread runs everything on the caller.
 *
 * <p>The pool is built for the many short parallel sections of a training step (a GEMM of a
 * fraction of a millisecond, then a layer norm, then another GEMM): the calling thread works on
 * the tasks itself, and idle workers spin for a short while before they park, as OpenMP runtimes
 * do, because waking a parked thread costs tens of microseconds on a virtual machine — as much
 * as a small kernel. After {@link #SPIN_NANOS} without work a worker parks and uses no CPU.
 *
 * <p>One parallel section runs at a time. A {@link #forEach} called from inside a task, or while
 * another thread's section is running, runs its tasks on the calling thread; this keeps nested
 * and concurrent use correct without deadlock.
 *
 * <p>A pool's workers are daemon threads that live as long as the JVM: create few pools (usually
 * just use {@link #shared()}), not one per call.
 */
public final class Parallel {
    /** System property that sets the size of the shared pool (default: the available processors). */
    public static final String THREADS_PROPERTY = "orthrus.threads";
    /** How long an idle worker spins, waiting for the next section, before it parks. */
    static final long SPIN_NANOS = 2_000_000L;
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock section = new ReentrantLock();
    /** Set between sections, so that no thread keeps the last section's task (and its arrays) alive. */
    private static final Section IDLE = new Section(i -> { }, 0, 1);
    // Created after POOL_IDS and IDLE, which its constructor uses.
    private static final Parallel SHARED = new Parallel(Integer.getInteger(THREADS_PROPERTY,
            Runtime.getRuntime().availableProcessors()));
    /** The section in progress, or {@link #IDLE}; workers watch this reference for a new one. */
    private final AtomicReference<Section> current = new AtomicReference<>(IDLE);
    /** Threads currently running tasks of a section: their nested calls run serially. */
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** A pool with {@code threads} workers (the caller's thread counts as one). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Parallel: threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        int poolId = POOL_IDS.getAndIncrement();
        for (int i = 0; i < workers.length; i++) {
            int slot = i + 1;
            Thread t = new Thread(() -> workerLoop(slot), "orthrus-kernel-" + poolId + "-" + slot);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The pool shared by default kernels: one worker per available processor, or {@code -Dorthrus.threads=K}. */
    public static Parallel shared() {
        return SHARED;
    }

    /** Number of workers, the calling thread included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task.accept(i)} for every i in {@code [0, count)}, spread over the workers and
     * the calling thread; returns when all are done. If a task throws, the other tasks still run
     * to completion and the first exception is rethrown here.
     */
    public void forEach(int count, IntConsumer task) {
        if (count <= 0) {
            return;
        }
        if (workers.length == 0 || count == 1 || inTask.get() || !section.tryLock()) {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
            return;
        }
        try {
            Section s = new Section(task, count, threads);
            current.set(s);
            for (Thread w : workers) {
                LockSupport.unpark(w); // cheap when the worker is spinning: it only sets a permit
            }
            s.work(inTask, 0);
            s.awaitCompletion();
            current.set(IDLE);
            s.rethrow();
        } finally {
            section.unlock();
        }
    }

    /**
     * Runs {@code body.run(from, to)} over {@code [0, n)} cut into chunks of {@code grain}
     * elements (the last one shorter). The chunks depend only on {@code n} and {@code grain},
     * never on the thread count, so a kernel that keeps one partial result per chunk and adds
     * them in chunk order is deterministic for any pool.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (grain < 1) {
            throw new IllegalArgumentException("Parallel.forRange: grain must be >= 1, got " + grain);
        }
        int chunks = chunks(n, grain);
        forEach(chunks, i -> body.run(i * grain, Math.min(n, (i + 1) * grain)));
    }

    /** The number of chunks {@link #forRange} cuts {@code n} elements into. */
    public static int chunks(int n, int grain) {
        return n <= 0 ? 0 : (n + grain - 1) / grain;
    }

    /** The body of a {@link #forRange} loop: processes elements {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        /** Processes elements {@code [from, to)}. */
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over the concatenation of several arrays (the parameters of a model, say)
     * in one parallel section, as if they were one flat buffer. The concatenation of
     * {@code lengths[0], lengths[1], …} elements is cut into chunks of {@code grain} elements; a
     * chunk may span several segments, and the cut depends only on the lengths and the grain, never
     * on the thread count. For each chunk {@code c}, {@code body.run(c, segment, from, to)} is
     * called once per segment piece in the chunk, in segment order and on one thread, with
     * {@code [from, to)} indexing within the segment. A kernel that keeps one partial result per
     * chunk ({@link #segmentChunks} of them) and adds them in chunk order is deterministic for any pool.
     *
     * <p>For a heavy vector kernel that runs often, write the loop over a {@link Segments} in a
     * lambda of your own instead (see there): the JIT compiles this method's loop together with
     * every body it has seen.
     *
     * @throws IllegalArgumentException if {@code grain < 1}, a length is negative, or the lengths sum to more than
     *                                  {@code Integer.MAX_VALUE} chunks' worth
     */
    public void forSegments(int[] lengths, int grain, SegmentBody body) {
        Segments cut = Segments.of(lengths, grain);
        forEach(cut.chunks(), c -> {
            for (int s = cut.firstSegment(c), end = cut.endSegment(c); s < end; s++) {
                int from = cut.from(c, s), to = cut.to(c, s);
                if (to > from) { // empty segments have nothing to run
                    body.run(c, s, from, to);
                }
            }
        });
    }

    /** The number of chunks {@link #forSegments} cuts segments of the given lengths into. */
    public static int segmentChunks(int[] lengths, int grain) {
        return Segments.of(lengths, grain).chunks();
    }

    /**
     * The cut of several arrays' concatenation into chunks of {@code grain} elements that
     * {@link #forSegments} makes, for a loop written where the kernel is called:
     * <pre>{@code
     * Parallel.Segments cut = Parallel.Segments.of(lengths, grain);
     * pool.forEach(cut.chunks(), c -> {
     *     for (int s = cut.firstSegment(c), end = cut.endSegment(c); s < end; s++) {
     *         kernel(arrays[s], cut.from(c, s), cut.to(c, s)); // from == to for an empty segment
     *     }
     * });
     * }</pre>
     * Use it rather than {@link #forSegments} for a hot vector kernel: the chunk loop there is
     * compiled with every body its call site has seen, and two vector kernels in one compilation
     * can lose their intrinsics; a lambda of the caller's own, given to {@link #forEach}, is
     * compiled alone (docs/performance.md#one-hot-kernel-per-call-site).
     */
    public static final class Segments {
        /** starts[s]: where segment s begins in the concatenation; starts[segments] = the total length. */
        private final long[] starts;
        private final int grain;
        private final int chunks;

        private Segments(long[] starts, int grain) {
            this.starts = starts;
            this.grain = grain;
            this.chunks = (int) ((starts[starts.length - 1] + grain - 1) / grain);
        }

        /**
         * The cut of segments of these lengths into chunks of {@code grain} elements.
         *
         * @throws IllegalArgumentException if {@code grain < 1}, a length is negative, or the lengths sum to more
         *                                  than {@code Integer.MAX_VALUE} chunks' worth
         */
        public static Segments of(int[] lengths, int grain) {
            if (grain < 1) {
                throw new IllegalArgumentException("Parallel.Segments: grain must be >= 1, got " + grain);
            }
            long[] starts = new long[lengths.length + 1];
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] < 0) {
                    throw new IllegalArgumentException("Parallel.Segments: segment " + s + " has negative length "
                            + lengths[s]);
                }
                starts[s + 1] = starts[s] + lengths[s];
            }
            if ((starts[lengths.length] + grain - 1) / grain > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Parallel.Segments: " + starts[lengths.length]
                        + " elements in chunks of " + grain + " is more than Integer.MAX_VALUE chunks");
            }
            return new Segments(starts, grain);
        }

        /** The number of chunks. */
        public int chunks() {
            return chunks;
        }

        /** The first segment with an element in chunk {@code chunk}. */
        public int firstSegment(int chunk) {
            return firstStartAbove((long) chunk * grain) - 1;
        }

        /** One past the last segment with an element in chunk {@code chunk}. */
        public int endSegment(int chunk) {
            return firstStartAbove(chunkEnd(chunk) - 1);
        }

        /** Where the piece of segment {@code segment} in chunk {@code chunk} begins, within the segment. */
        public int from(int chunk, int segment) {
            return (int) (Math.max((long) chunk * grain, starts[segment]) - starts[segment]);
        }

        /** Where that piece ends (exclusive), within the segment; equal to {@link #from} when it is empty. */
        public int to(int chunk, int segment) {
            return (int) (Math.max(starts[segment], Math.min(chunkEnd(chunk), starts[segment + 1])) - starts[segment]);
        }

        private long chunkEnd(int chunk) {
            return Math.min(starts[starts.length - 1], (long) chunk * grain + grain);
        }

        /** The first segment that starts after {@code element}, or the segment count when none does. */
        private int firstStartAbove(long element) {
            int lo = 0, hi = starts.length - 1; // the answer is in [lo, hi]: starts[hi], the total, is > element
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (starts[mid] > element) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }

    /** The body of a {@link #forSegments} loop: processes elements {@code [from, to)} of one segment. */
    @FunctionalInterface
    public interface SegmentBody {
        /** Processes elements {@code [from, to)} of segment {@code segment}, part of chunk {@code chunk}. */
        void run(int chunk, int segment, int from, int to);
    }

    private void workerLoop(int slot) {
        Section seen = IDLE;
        while (true) {
            Section s = current.get();
            if (s != seen) {
                seen = s;
                s.work(inTask, slot);
                continue;
            }
            long idleSince = System.nanoTime();
            while ((s = current.get()) == seen && System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            }
            if (s == seen) {
                LockSupport.park(this);
            }
        }
    }

    /**
     * One call of {@link #forEach}. The tasks are cut into one contiguous run per thread (the
     * caller's first, then each worker's); a thread works through its own run, then takes what is
     * left of the others'. Each task is claimed once, through its run's counter. The same thread
     * usually gets the same run in consecutive sections, so the rows a GEMM task reads are the rows
     * the same thread wrote in the element-wise op before it, still in its core's cache; taking
     * from the others' runs keeps a thread that is late, or asleep, from holding the section up.
     */
    private static final class Section {
        private final IntConsumer task;
        private final int count;
        private final int runs;
        /** Per run: the next unclaimed task of that run. */
        private final AtomicIntegerArray cursor;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Section(IntConsumer task, int count, int threads) {
            this.task = task;
            this.count = count;
            this.runs = Math.max(1, Math.min(threads, count));
            this.cursor = new AtomicIntegerArray(runs);
            for (int r = 0; r < runs; r++) {
                cursor.set(r, runStart(r));
            }
        }

        private int runStart(int run) {
            return (int) ((long) count * run / runs);
        }

        /** Runs tasks until none is left unclaimed: those of run {@code slot} first, then the others'. */
        void work(ThreadLocal<Boolean> inTask, int slot) {
            if (done.get() >= count) {
                return;
            }
            inTask.set(Boolean.TRUE);
            try {
                for (int k = 0; k < runs; k++) {
                    int run = (slot + k) % runs, end = runStart(run + 1), i;
                    while (cursor.get(run) < end && (i = cursor.getAndIncrement(run)) < end) {
                        try {
                            task.accept(i);
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        } finally {
                            done.incrementAndGet();
                        }
                    }
                }
            } finally {
                inTask.set(Boolean.FALSE);
            }
        }

        void awaitCompletion() {
            while (done.get() < count) {
                Thread.onSpinWait();
            }
        }

        void rethrow() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("Parallel: a task failed", t);
            }
        }
    }
}
