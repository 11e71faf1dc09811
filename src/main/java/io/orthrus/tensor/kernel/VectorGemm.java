package io.orthrus.tensor.kernel;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A GEMM on the Vector API ({@code jdk.incubator.vector}), blocked for the caches and for the
 * registers in the way of GotoBLAS and BLIS.
 *
 * <p>The rows of C are split into one contiguous run per worker; each worker runs the whole
 * blocked product on its rows, with no barrier in between. B is packed, per block of {@code KC}
 * steps of k, into slivers {@code NR} columns wide (two SIMD vectors), stored step by step, so
 * that the micro-kernel reads them contiguously; the workers pack it once between them, each
 * sliver by the first worker to need it, into a buffer they share. Each worker runs the
 * micro-kernel on each {@code MR × NR} tile of its rows, {@code MC_MAX} rows at a time. When
 * C is wide (many slivers of B reuse each row of A) a task first packs its band of A into
 * slivers {@code MR} rows tall; when C is narrow, packing would cost about as much as the
 * multiply, so the micro-kernel reads A where it lies (a broadcast per row and step, so A's
 * layout, plain or transposed, is just a pair of strides). The micro-kernel keeps its 16
 * accumulators in registers and does {@code MR · 2} fused multiply-adds per step of k from {@code MR}
 * broadcasts of A and two vector loads of B. Packing pads edges with zeros, so the micro-kernel
 * never branches on size; partial tiles are written back through a small buffer.
 *
 * <p>Load this class only when the JVM has the {@code jdk.incubator.vector} module:
 * {@link Kernels} does that check. Each element of C is summed in the same order whatever the
 * thread count, so results are bit-identical across pools.
 */
public final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /**
     * The class of this species' vectors. Every micro-kernel store goes through
     * {@code (FloatVector) TILE_CLASS.cast(v)}, a class check after which C2 knows the exact class,
     * so the store's intrinsic cannot fail; not a helper method, which might not be inlined
     * (docs/performance.md#stores-through-one-class-check).
     */
    private static final Class<? extends Vector<Float>> TILE_CLASS = SPECIES.vectorType();
    private static final int MR = 8;
    private static final int NR = 2 * VL;
    /** Steps of k that one gather of a vector of A's rows covers when packing A (0 below MR lanes). */
    private static final int STEPS_PER_GATHER = VL % MR == 0 ? VL / MR : 0;
    private static final int KC = 256;
    private static final int MC_MAX = 144;
    private static final int PACK_A_MIN_SLIVERS = 5;
    /** At most this many rows of C: a matrix-vector product, done without packing (see {@link #smallM}). */
    private static final int SMALL_M = 2;
    /** Columns per task of a one- or two-row product; a multiple of 8 and of every vector length. */
    private static final int SMALL_M_COLUMNS = 256;
    /** Multiply-adds from which a one- or two-row product is split over the pool. */
    private static final long SMALL_M_PARALLEL_WORK = 1L << 17;
    /** Fewer rows than this per worker are not worth a task of their own. */
    private static final int MIN_ROWS_PER_WORKER = 64;
    /** Size of packed B (floats) above which row tasks each pack their own blocks rather than share a copy of all of B. */
    private static final long SHARED_PACK_MAX = 1L << 22;
    /** States of a sliver of shared packed B: no task has claimed it, one is packing it, it is packed, packing threw. */
    private static final int PACK_FREE = 0, PACK_BUSY = 1, PACK_DONE = 2, PACK_FAILED = 3;

    private final Parallel parallel;
    private final ThreadLocal<float[]> packedA = ThreadLocal.withInitial(() -> new float[MC_MAX * KC]);
    private final ThreadLocal<float[]> edgeA = ThreadLocal.withInitial(() -> new float[MR * KC]);
    private final ThreadLocal<float[]> edgeTile = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private final ThreadLocal<int[]> gatherMap = ThreadLocal.withInitial(() -> new int[VL]);
    private final ThreadLocal<int[]> rowStartMap = ThreadLocal.withInitial(() -> new int[NR]);
    private final Scratch packedB = new Scratch();
    private final Scratch sharedB = new Scratch();

    /** A kernel that runs on the shared pool. */
    public VectorGemm() {
        this(Parallel.shared());
    }

    /** A kernel that runs on {@code parallel}. */
    public VectorGemm(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public String name() {
        return "vector-api";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, boolean accumulate) {
        Gemm.checkArguments(name(), m, n, k, a, aOffset, b, bOffset, c, cOffset);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                java.util.Arrays.fill(c, cOffset, cOffset + m * n, 0f);
            }
            return;
        }
        if (m <= SMALL_M) {
            smallM(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate);
            return;
        }
        blocked(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate, null);
    }

    /** B in the layout the row tasks share: per block of KC steps, every sliver of NR columns, step by step. */
    @Override
    public Packed pack(boolean transB, int k, int n, float[] b, int bOffset) {
        Packed.checkShape(name(), k, n, b, bOffset);
        int slivers = ceilDiv(n, NR);
        if ((long) k * slivers * NR > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name() + ": B of " + k + " × " + n + " is too large to pack");
        }
        float[] packed = new float[k * slivers * NR];
        int[] rowStarts = transB ? rowStarts(k) : null;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int s = 0; s < slivers; s++) {
                packB(transB, k, n, b, bOffset, pc, kc, s * NR, packed, pc * slivers * NR + s * NR * kc, rowStarts);
            }
        }
        return new Packed(name(), transB, k, n, packed);
    }

    /** The product with B packed beforehand: the same path and order as with B unpacked. */
    @Override
    public void gemm(boolean transA, int m, float[] a, int aOffset, Packed b, float[] c, int cOffset, boolean accumulate) {
        b.checkKernel(name());
        Gemm.checkArguments(name(), m, b.n, b.k, a, aOffset, b.data, 0, c, cOffset);
        if (m > SMALL_M) {
            blocked(transA, b.transposed, m, b.n, b.k, a, aOffset, null, 0, c, cOffset, accumulate, b.data);
        } else if (m > 0) {
            smallMPacked(transA, m, b.n, b.k, a, aOffset, b.data, c, cOffset, accumulate);
        }
    }

    /**
     * {@link #smallM} on a packed B: each sliver is read once, a step (two vectors) at a time, in the
     * blocked kernel's order, so the rows are bit-identical to those of a blocked product. Slivers
     * are split over the pool in runs of {@link #SMALL_M_COLUMNS} columns.
     */
    private void smallMPacked(boolean transA, int m, int n, int k, float[] a, int aOffset, float[] bp, float[] c,
                              int cOffset, boolean accumulate) {
        int slivers = ceilDiv(n, NR), perRun = SMALL_M_COLUMNS / NR, runs = ceilDiv(slivers, perRun);
        IntConsumer run = r -> {
            float[] tile = edgeTile.get();
            for (int s = r * perRun, end = Math.min(slivers, s + perRun); s < end; s++) {
                int j0 = s * NR, cols = Math.min(NR, n - j0);
                for (int i = 0; i < m; i++) {
                    int aRow = transA ? aOffset + i : aOffset + i * k, aStep = transA ? m : 1, at = cOffset + i * n + j0;
                    FloatVector t0 = FloatVector.zero(SPECIES), t1 = FloatVector.zero(SPECIES);
                    if (accumulate) {
                        java.util.Arrays.fill(tile, 0, NR, 0f);
                        System.arraycopy(c, at, tile, 0, cols);
                        t0 = FloatVector.fromArray(SPECIES, tile, 0);
                        t1 = FloatVector.fromArray(SPECIES, tile, VL);
                    }
                    for (int pc = 0; pc < k; pc += KC) {
                        int kc = Math.min(KC, k - pc), base = pc * slivers * NR + s * NR * kc;
                        FloatVector b0 = FloatVector.zero(SPECIES), b1 = FloatVector.zero(SPECIES);
                        for (int p = 0; p < kc; p++) {
                            FloatVector ap = FloatVector.broadcast(SPECIES, a[aRow + (pc + p) * aStep]);
                            b0 = ap.fma(FloatVector.fromArray(SPECIES, bp, base + p * NR), b0);
                            b1 = ap.fma(FloatVector.fromArray(SPECIES, bp, base + p * NR + VL), b1);
                        }
                        boolean first = pc == 0 && !accumulate;
                        t0 = first ? b0 : b0.add(t0);
                        t1 = first ? b1 : b1.add(t1);
                    }
                    t0.intoArray(tile, 0);
                    t1.intoArray(tile, VL);
                    System.arraycopy(tile, 0, c, at, cols);
                }
            }
        };
        if ((long) m * n * k >= SMALL_M_PARALLEL_WORK) {
            parallel.forEach(runs, run);
        } else {
            for (int r = 0; r < runs; r++) {
                run.accept(r);
            }
        }
    }

    /**
     * The blocked product split over the pool, B read from {@code b} and packed on the way, or,
     * when {@code prepacked} is not null, read from there in {@link #pack}'s layout.
     */
    private void blocked(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset, float[] b,
                         int bOffset, float[] c, int cOffset, boolean accumulate, float[] prepacked) {
        int slivers = ceilDiv(n, NR);
        int workers = parallel.threads();
        if (n > m && slivers >= 2 * workers) {
            // Wide and short (a weight gradient dW = dYᵀ·X): one run of column slivers per worker, so that
            // each packs only its part of B instead of every worker packing all of it.
            int perTask = ceilDiv(slivers, workers);
            int tasks = ceilDiv(slivers, perTask);
            if (tasks == 1) { // on this thread, without a task object: attention's many small products per head
                rows(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate, 0, m, 0, slivers,
                        prepacked, null, 0);
                return;
            }
            parallel.forEach(tasks, t -> rows(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate,
                    0, m, t * perTask, Math.min(slivers, (t + 1) * perTask), prepacked, null, 0));
            return;
        }
        // One task per worker, each owning a contiguous run of rows. Every row task reads all of B, so the
        // tasks pack it once between them into one buffer, each sliver by whichever task reaches it first
        // (the others wait for it): no barrier and no parallel section of its own. Either way each element
        // of C is computed by one task, summed in the same order, so results do not depend on the split.
        workers = Math.min(workers, Math.max(1, m / MIN_ROWS_PER_WORKER));
        int chunk = roundUp(ceilDiv(m, workers), MR);
        int tasks = ceilDiv(m, chunk);
        if (tasks == 1) {
            rows(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate, 0, m, 0, slivers, prepacked,
                    null, 0);
            return;
        }
        boolean share = prepacked == null && (long) k * slivers * NR <= SHARED_PACK_MAX;
        float[] packed = prepacked != null ? prepacked : share ? sharedB.atLeast(k * slivers * NR) : null;
        AtomicIntegerArray packState = share ? new AtomicIntegerArray(ceilDiv(k, KC) * slivers) : null;
        parallel.forEach(tasks, t -> {
            int rowStart = t * chunk;
            rows(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate, rowStart,
                    Math.min(m, rowStart + chunk), 0, slivers, packed, packState, t * slivers / tasks);
        });
    }

    /**
     * The blocked product for rows {@code [rowStart, rowEnd)} and column slivers
     * {@code [sliverStart, sliverEnd)} of C, on the calling thread, visiting the slivers from
     * {@code firstSliver} round. {@code packed} is all of B in {@link #pack}'s layout: shared by the
     * row tasks of one product, which pack it on the way, with one {@code packState} entry per block
     * of k and sliver ({@link #PACK_FREE}, {@link #PACK_BUSY}, {@link #PACK_DONE}); or packed
     * beforehand, {@code packState} null; or both null, to pack each block of B here.
     */
    private void rows(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset, float[] b,
                      int bOffset, float[] c, int cOffset, boolean accumulate, int rowStart, int rowEnd,
                      int sliverStart, int sliverEnd, float[] packed, AtomicIntegerArray packState, int firstSliver) {
        int slivers = sliverEnd - sliverStart;
        float[] bp = packed != null ? packed : packedB.atLeast(slivers * NR * Math.min(KC, k));
        // Packing A costs about as much as PACK_A_MIN_SLIVERS slivers of multiply: worth it only when reused that often.
        boolean packBand = slivers >= PACK_A_MIN_SLIVERS;
        // This thread's buffers, looked up once per call rather than once per tile.
        float[] ap = packBand ? packedA.get() : null, edge = edgeTile.get();
        int[] map = gatherMap.get(), rowStarts = transB && b != null ? rowStarts(k) : null; // b is null when prepacked
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int base = packed != null ? pc * ceilDiv(n, NR) * NR + sliverStart * NR * kc : 0;
            if (packed == null) {
                for (int s = 0; s < slivers; s++) {
                    packB(transB, k, n, b, bOffset, pc, kc, (sliverStart + s) * NR, bp, s * NR * kc, rowStarts);
                }
            }
            boolean add = accumulate || pc > 0;
            for (int ic = rowStart; ic < rowEnd; ic += MC_MAX) {
                int rows = Math.min(MC_MAX, rowEnd - ic);
                if (packBand) {
                    packA(transA, m, k, a, aOffset, ic, rows, pc, kc, ap, map);
                }
                for (int visit = 0; visit < slivers; visit++) {
                    int s = firstSliver + visit < slivers ? firstSliver + visit : firstSliver + visit - slivers;
                    if (packState != null && ic == rowStart) { // the first use of this sliver by this task
                        awaitPacked(packState, (pc / KC) * slivers + s, transB, k, n, b, bOffset, pc, kc,
                                (sliverStart + s) * NR, bp, base + s * NR * kc, rowStarts);
                    }
                    int jr = (sliverStart + s) * NR;
                    int cols = Math.min(NR, n - jr);
                    for (int ir = 0; ir < rows; ir += MR) {
                        int i = ic + ir;
                        int cStart = cOffset + i * n + jr;
                        int valid = Math.min(MR, rows - ir);
                        if (packBand) {
                            tile(kc, ap, ir * kc, 1, MR, bp, base + s * NR * kc, c, cStart, n, valid, cols, add, edge);
                        } else if (valid == MR) {
                            // A read where it lies: element (r, p) at start + r·rowStride + p·colStride.
                            int aStart = transA ? aOffset + pc * m + i : aOffset + i * k + pc;
                            tile(kc, a, aStart, transA ? 1 : k, transA ? m : 1, bp, base + s * NR * kc, c, cStart, n,
                                    MR, cols, add, edge);
                        } else {
                            float[] rowsOfA = edgeA.get();
                            packA(transA, m, k, a, aOffset, i, valid, pc, kc, rowsOfA, map);
                            tile(kc, rowsOfA, 0, 1, MR, bp, base + s * NR * kc, c, cStart, n, valid, cols, add, edge);
                        }
                    }
                }
            }
        }
    }

    /**
     * Makes sure sliver {@code entry} of the shared packed B is there before a task reads it: packs
     * it if no task has claimed it yet, else waits for the task that did. A claimed sliver is always
     * being packed by a running task (packing waits for nothing), so the wait ends. The volatile
     * write of {@link #PACK_DONE} publishes the packed floats to every task that reads it.
     */
    private static void awaitPacked(AtomicIntegerArray state, int entry, boolean transB, int k, int n, float[] b,
                                    int bOffset, int pc, int kc, int j0, float[] bp, int dst, int[] rowStarts) {
        if (state.get(entry) == PACK_DONE) {
            return;
        }
        if (state.compareAndSet(entry, PACK_FREE, PACK_BUSY)) {
            try {
                packB(transB, k, n, b, bOffset, pc, kc, j0, bp, dst, rowStarts);
            } catch (RuntimeException | Error e) {
                state.set(entry, PACK_FAILED);
                throw e;
            }
            state.set(entry, PACK_DONE);
            return;
        }
        int seen;
        while ((seen = state.get(entry)) == PACK_BUSY) {
            Thread.onSpinWait();
        }
        if (seen == PACK_FAILED) {
            throw new IllegalStateException("VectorGemm: another task failed to pack B (sliver at column " + j0
                    + ", k from " + pc + ")");
        }
    }

    /**
     * C (+)= op(A)·op(B) for one or two rows of C (generating one token at a time), without packing
     * B: packing would read all of B to use one row of each sliver. Each element is summed in
     * exactly the blocked kernel's order (a fused multiply-add chain over each block of KC steps,
     * added to C block by block), so the result is bit-identical to the blocked path. The columns
     * are split over the pool in runs of {@link #SMALL_M_COLUMNS}; within a run, B stored row-major
     * is read a vector of columns at a time, and Bᵀ (a weight matrix, whose rows are contiguous
     * over k) eight columns at a time, as eight independent scalar chains that the CPU overlaps.
     */
    private void smallM(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset,
                        float[] b, int bOffset, float[] c, int cOffset, boolean accumulate) {
        int runs = ceilDiv(n, SMALL_M_COLUMNS);
        IntConsumer run = r -> {
            int from = r * SMALL_M_COLUMNS, to = Math.min(n, from + SMALL_M_COLUMNS);
            for (int i = 0; i < m; i++) {
                int aRow = transA ? aOffset + i : aOffset + i * k, aStep = transA ? m : 1;
                int j = from;
                if (transB) {
                    for (; j + 8 <= to; j += 8) {
                        rowTimesEightColumnsOfBt(k, a, aRow, aStep, b, bOffset + j * k, c, cOffset + i * n + j,
                                accumulate);
                    }
                } else {
                    for (; j + VL <= to; j += VL) {
                        rowTimesVectorOfB(k, n, a, aRow, aStep, b, bOffset + j, c, cOffset + i * n + j, accumulate);
                    }
                }
                for (; j < to; j++) {
                    int bStart = transB ? bOffset + j * k : bOffset + j, bStep = transB ? 1 : n;
                    rowTimesColumn(k, a, aRow, aStep, b, bStart, bStep, c, cOffset + i * n + j, accumulate);
                }
            }
        };
        if ((long) m * n * k >= SMALL_M_PARALLEL_WORK) {
            parallel.forEach(runs, run);
        } else {
            for (int r = 0; r < runs; r++) {
                run.accept(r);
            }
        }
    }

    /** c[at] (+)= Σₚ a[aRow + p·aStep] · b[bStart + p·bStep], in the blocked kernel's order. */
    private static void rowTimesColumn(int k, float[] a, int aRow, int aStep, float[] b, int bStart, int bStep,
                                       float[] c, int at, boolean accumulate) {
        float total = accumulate ? c[at] : 0f;
        for (int pc = 0; pc < k; pc += KC) {
            int end = Math.min(k, pc + KC);
            float block = 0f;
            for (int p = pc; p < end; p++) {
                block = Math.fma(a[aRow + p * aStep], b[bStart + p * bStep], block);
            }
            total = pc == 0 && !accumulate ? block : block + total;
        }
        c[at] = total;
    }

    /** {@link #rowTimesColumn} for the VL columns of row-major B starting at {@code bStart}, one vector. */
    private static void rowTimesVectorOfB(int k, int n, float[] a, int aRow, int aStep, float[] b, int bStart,
                                          float[] c, int at, boolean accumulate) {
        FloatVector total = accumulate ? FloatVector.fromArray(SPECIES, c, at) : FloatVector.zero(SPECIES);
        for (int pc = 0; pc < k; pc += KC) {
            int end = Math.min(k, pc + KC);
            FloatVector block = FloatVector.zero(SPECIES);
            for (int p = pc; p < end; p++) {
                block = FloatVector.broadcast(SPECIES, a[aRow + p * aStep])
                        .fma(FloatVector.fromArray(SPECIES, b, bStart + p * n), block);
            }
            total = pc == 0 && !accumulate ? block : block.add(total);
        }
        total.intoArray(c, at);
    }

    /**
     * {@link #rowTimesColumn} for eight columns of B stored transposed (rows of Bᵀ at
     * {@code rowStart + r·k}): eight chains in flight at once instead of one, each in its own order.
     */
    private static void rowTimesEightColumnsOfBt(int k, float[] a, int aRow, int aStep, float[] bt, int rowStart,
                                                 float[] c, int at, boolean accumulate) {
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f, t4 = 0f, t5 = 0f, t6 = 0f, t7 = 0f;
        if (accumulate) {
            t0 = c[at];
            t1 = c[at + 1];
            t2 = c[at + 2];
            t3 = c[at + 3];
            t4 = c[at + 4];
            t5 = c[at + 5];
            t6 = c[at + 6];
            t7 = c[at + 7];
        }
        for (int pc = 0; pc < k; pc += KC) {
            int end = Math.min(k, pc + KC);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int p = pc; p < end; p++) {
                float ap = a[aRow + p * aStep];
                int row = rowStart + p;
                s0 = Math.fma(ap, bt[row], s0);
                s1 = Math.fma(ap, bt[row + k], s1);
                s2 = Math.fma(ap, bt[row + 2 * k], s2);
                s3 = Math.fma(ap, bt[row + 3 * k], s3);
                s4 = Math.fma(ap, bt[row + 4 * k], s4);
                s5 = Math.fma(ap, bt[row + 5 * k], s5);
                s6 = Math.fma(ap, bt[row + 6 * k], s6);
                s7 = Math.fma(ap, bt[row + 7 * k], s7);
            }
            boolean first = pc == 0 && !accumulate;
            t0 = first ? s0 : s0 + t0;
            t1 = first ? s1 : s1 + t1;
            t2 = first ? s2 : s2 + t2;
            t3 = first ? s3 : s3 + t3;
            t4 = first ? s4 : s4 + t4;
            t5 = first ? s5 : s5 + t5;
            t6 = first ? s6 : s6 + t6;
            t7 = first ? s7 : s7 + t7;
        }
        c[at] = t0;
        c[at + 1] = t1;
        c[at + 2] = t2;
        c[at + 3] = t3;
        c[at + 4] = t4;
        c[at + 5] = t5;
        c[at + 6] = t6;
        c[at + 7] = t7;
    }

    /** This thread's map from each of NR lanes to the start of that row of a matrix with rows of k floats. */
    private int[] rowStarts(int k) {
        int[] starts = rowStartMap.get();
        for (int j = 0; j < NR; j++) {
            starts[j] = j * k;
        }
        return starts;
    }

    /**
     * Copies B[pc : pc+kc, j0 : j0+NR] into {@code bp} step by step, NR floats a step, zero beyond n.
     * A full sliver of a stored Bᵀ is a transposition, read with two gathers a step through
     * {@code rowStarts} (from {@link #rowStarts}; null to copy a float at a time).
     */
    private static void packB(boolean transB, int k, int n, float[] b, int bOffset, int pc, int kc, int j0,
                              float[] bp, int dst, int[] rowStarts) {
        int cols = Math.min(NR, n - j0);
        if (transB && cols == NR && rowStarts != null) {
            // Column j of the sliver is row j0 + j of the stored Bᵀ: a step gathers one float from each of NR rows.
            int src = bOffset + j0 * k + pc;
            for (int p = 0; p < kc; p++) {
                FloatVector.fromArray(SPECIES, b, src + p, rowStarts, 0).intoArray(bp, dst + p * NR);
                FloatVector.fromArray(SPECIES, b, src + p, rowStarts, VL).intoArray(bp, dst + p * NR + VL);
            }
            return;
        }
        if (transB) {
            // Column j of the sliver is row j0 + j of the stored Bᵀ: read it contiguously, write it strided.
            for (int j = 0; j < cols; j++) {
                int src = bOffset + (j0 + j) * k + pc;
                for (int p = 0; p < kc; p++) {
                    bp[dst + p * NR + j] = b[src + p];
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, dst + p * NR + cols, dst + (p + 1) * NR, 0f);
                }
            }
            return;
        }
        if (cols == NR) {
            // Two vector copies a step: System.arraycopy's call costs more than moving 2·VL floats.
            for (int p = 0, src = bOffset + pc * n + j0, out = dst; p < kc; p++, src += n, out += NR) {
                FloatVector.fromArray(SPECIES, b, src).intoArray(bp, out);
                FloatVector.fromArray(SPECIES, b, src + VL).intoArray(bp, out + VL);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int out = dst + p * NR;
            System.arraycopy(b, bOffset + (pc + p) * n + j0, bp, out, cols);
            for (int j = cols; j < NR; j++) {
                bp[out + j] = 0f;
            }
        }
    }

    /**
     * Copies A[ic : ic+rows, pc : pc+kc] into slivers of MR rows, MR floats a step, zero beyond the
     * rows. A full sliver of a row-major A is a transposition (each step takes one float from each
     * of MR rows): it is read with gathers of {@link #STEPS_PER_GATHER} steps at a time, through
     * {@code map} (this thread's {@code VL} ints). A float at a time, packing was ~10% of a larger
     * GPT's step; with gathers the step took 7% less time.
     */
    private static void packA(boolean transA, int m, int k, float[] a, int aOffset, int ic, int rows, int pc, int kc,
                              float[] ap, int[] map) {
        if (!transA && STEPS_PER_GATHER > 0) {
            for (int s = 0; s < STEPS_PER_GATHER; s++) {
                for (int r = 0; r < MR; r++) {
                    map[s * MR + r] = r * k + s;
                }
            }
        }
        for (int ir = 0; ir < rows; ir += MR) {
            int sliver = ir * kc;
            int valid = Math.min(MR, rows - ir);
            int p = 0;
            if (!transA && valid == MR && STEPS_PER_GATHER > 0) {
                int src = aOffset + (ic + ir) * k + pc;
                for (; p + STEPS_PER_GATHER <= kc; p += STEPS_PER_GATHER) {
                    FloatVector.fromArray(SPECIES, a, src + p, map, 0).intoArray(ap, sliver + p * MR);
                }
            }
            for (; p < kc; p++) {
                int out = sliver + p * MR;
                for (int r = 0; r < valid; r++) {
                    int i = ic + ir + r;
                    ap[out + r] = transA ? a[aOffset + (pc + p) * m + i] : a[aOffset + i * k + pc + p];
                }
                for (int r = valid; r < MR; r++) {
                    ap[out + r] = 0f;
                }
            }
        }
    }

    /**
     * Runs the micro-kernel on one tile of C. Full tiles are updated in place; a partial tile at
     * the bottom or right edge is computed into a full-size buffer and copied, so that the
     * micro-kernel itself has a single path (which keeps its vectors in registers).
     *
     * <p>Two copies of each micro-kernel, store and add: do not merge them behind an {@code add}
     * flag, C2 on JDK 17 then loses the vector class and boxes every vector; each store also goes
     * through {@link #TILE_CLASS}. See docs/performance.md#two-copies-of-each-micro-kernel.
     */
    private static void tile(int kc, float[] a, int aStart, int rowStride, int colStride, float[] bp, int bStart,
                             float[] c, int cStart, int ldc, int rows, int cols, boolean add, float[] edge) {
        boolean full = rows == MR && cols == NR;
        float[] target = full ? c : edge;
        int start = full ? cStart : 0, stride = full ? ldc : NR;
        boolean accumulate = full && add;
        if (rowStride == 1) {
            if (accumulate) {
                microKernelAdjacentRowsAdd(kc, a, aStart, colStride, bp, bStart, target, start, stride);
            } else {
                microKernelAdjacentRows(kc, a, aStart, colStride, bp, bStart, target, start, stride);
            }
        } else {
            if (accumulate) {
                microKernelAdd(kc, a, aStart, rowStride, colStride, bp, bStart, target, start, stride);
            } else {
                microKernel(kc, a, aStart, rowStride, colStride, bp, bStart, target, start, stride);
            }
        }
        if (full) {
            return;
        }
        float[] buffer = target;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int idx = cStart + r * ldc + j;
                c[idx] = add ? c[idx] + buffer[r * NR + j] : buffer[r * NR + j];
            }
        }
    }

    /**
     * C[MR × NR tile at cStart, row stride ldc] = A sliver · packed B sliver, where A's element
     * (r, p) is {@code a[aStart + r·rowStride + p·colStride]}.
     */
    private static void microKernel(int kc, float[] a, int aStart, int rowStride, int colStride, float[] bp, int bStart,
                                    float[] c, int cStart, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aStart + p * colStride, bi = bStart + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1 * rowStride]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2 * rowStride]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3 * rowStride]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4 * rowStride]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5 * rowStride]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6 * rowStride]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7 * rowStride]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int row = cStart;
        ((FloatVector) TILE_CLASS.cast(c00)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c01)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c10)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c11)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c20)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c21)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c30)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c31)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c40)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c41)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c50)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c51)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c60)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c61)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c70)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c71)).intoArray(c, row + VL);
    }

    /** {@link #microKernel} that adds the product to C: the same sums, then C's values added to them. */
    private static void microKernelAdd(int kc, float[] a, int aStart, int rowStride, int colStride, float[] bp,
                                       int bStart, float[] c, int cStart, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aStart + p * colStride, bi = bStart + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1 * rowStride]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2 * rowStride]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3 * rowStride]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4 * rowStride]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5 * rowStride]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6 * rowStride]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7 * rowStride]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int row = cStart;
        ((FloatVector) TILE_CLASS.cast(c00.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c01.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c10.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c11.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c20.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c21.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c30.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c31.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c40.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c41.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c50.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c51.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c60.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c61.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c70.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c71.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
    }

    /**
     * {@link #microKernel} for an A whose rows are adjacent ({@code rowStride} 1: a packed sliver,
     * or Aᵀ read in place). The eight loads of a step then sit at constant offsets from one index,
     * which the JIT bounds-checks once instead of eight times. The arithmetic is the same, in the
     * same order, so the results are bit-identical.
     */
    private static void microKernelAdjacentRows(int kc, float[] a, int aStart, int colStride, float[] bp, int bStart,
                                                float[] c, int cStart, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aStart + p * colStride, bi = bStart + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int row = cStart;
        ((FloatVector) TILE_CLASS.cast(c00)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c01)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c10)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c11)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c20)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c21)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c30)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c31)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c40)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c41)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c50)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c51)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c60)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c61)).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c70)).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c71)).intoArray(c, row + VL);
    }

    /** {@link #microKernelAdjacentRows} that adds the product to C, as {@link #microKernelAdd} does. */
    private static void microKernelAdjacentRowsAdd(int kc, float[] a, int aStart, int colStride, float[] bp,
                                                   int bStart, float[] c, int cStart, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int ai = aStart + p * colStride, bi = bStart + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int row = cStart;
        ((FloatVector) TILE_CLASS.cast(c00.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c01.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c10.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c11.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c20.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c21.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c30.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c31.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c40.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c41.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c50.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c51.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c60.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c61.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
        row += ldc;
        ((FloatVector) TILE_CLASS.cast(c70.add(FloatVector.fromArray(SPECIES, c, row)))).intoArray(c, row);
        ((FloatVector) TILE_CLASS.cast(c71.add(FloatVector.fromArray(SPECIES, c, row + VL)))).intoArray(c, row + VL);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
