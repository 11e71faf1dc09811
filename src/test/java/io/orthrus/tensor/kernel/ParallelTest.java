package io.orthrus.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static final Parallel POOL = new Parallel(3);

    @Test
    void everyTaskRunsExactlyOnceOverManySections() {
        for (int round = 0; round < 2000; round++) {
            int count = 1 + round % 37;
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            POOL.forEach(count, runs::incrementAndGet);
            for (int i = 0; i < count; i++) {
                assertEquals(1, runs.get(i), "task " + i + " of " + count + " in round " + round);
            }
        }
    }

    @Test
    void theCallerTakesOverTheRunOfAWorkerThatIsHeldUp() {
        // Two runs of 10 tasks: the worker's first task holds it for 200 ms, so the caller, done with its
        // own run in microseconds, takes the rest of the worker's run instead of waiting for it.
        Parallel pool = new Parallel(2);
        Thread caller = Thread.currentThread();
        AtomicIntegerArray byCaller = new AtomicIntegerArray(20);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        long start = System.nanoTime();
        pool.forEach(20, i -> {
            if (Thread.currentThread() == caller) {
                byCaller.set(i, 1);
            } else if (held.compareAndSet(false, true)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        int taken = 0;
        for (int i = 10; i < 20; i++) {
            taken += byCaller.get(i);
        }
        assertTrue(taken >= 9, "the caller ran " + taken + " of the worker's 10 tasks");
        for (int i = 0; i < 10; i++) {
            assertEquals(1, byCaller.get(i), "the caller's own run comes first: task " + i);
        }
        assertTrue(System.nanoTime() - start >= 150_000_000L || !held.get(), "the section waits for the held task");
    }

    @Test
    void aFailingTaskIsRethrownAfterTheOthersFinish() {
        AtomicIntegerArray runs = new AtomicIntegerArray(50);
        IllegalStateException boom = new IllegalStateException("task 7 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> POOL.forEach(50, i -> {
            runs.incrementAndGet(i);
            if (i == 7) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        for (int i = 0; i < 50; i++) {
            assertEquals(1, runs.get(i));
        }
        // The pool still works afterwards.
        AtomicIntegerArray again = new AtomicIntegerArray(10);
        POOL.forEach(10, again::incrementAndGet);
        assertEquals(1, again.get(9));
    }

    @Test
    void nestedSectionsRunOnTheCallingTask() {
        AtomicIntegerArray runs = new AtomicIntegerArray(8 * 8);
        POOL.forEach(8, outer -> POOL.forEach(8, inner -> runs.incrementAndGet(outer * 8 + inner)));
        for (int i = 0; i < 64; i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void concurrentCallersEachGetAllTheirTasks() throws InterruptedException {
        List<Thread> callers = new ArrayList<>();
        AtomicIntegerArray runs = new AtomicIntegerArray(4 * 1000);
        for (int c = 0; c < 4; c++) {
            int caller = c;
            callers.add(new Thread(() -> {
                for (int round = 0; round < 100; round++) {
                    int base = caller * 1000 + round * 10;
                    POOL.forEach(10, i -> runs.incrementAndGet(base + i));
                }
            }));
        }
        callers.forEach(Thread::start);
        for (Thread t : callers) {
            t.join();
        }
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i), "slot " + i);
        }
    }

    @Test
    void forRangeCutsFixedChunksWhateverThePool() {
        for (Parallel pool : List.of(new Parallel(1), POOL)) {
            int[] owner = new int[103];
            pool.forRange(103, 10, (from, to) -> {
                for (int i = from; i < to; i++) {
                    owner[i] = from;
                }
            });
            int[] expected = new int[103];
            for (int i = 0; i < 103; i++) {
                expected[i] = i / 10 * 10;
            }
            assertArrayEquals(expected, owner);
        }
        assertEquals(11, Parallel.chunks(103, 10));
        assertEquals(0, Parallel.chunks(0, 10));
        assertThrows(IllegalArgumentException.class, () -> POOL.forRange(10, 0, (a, b) -> { }));
    }

    @Test
    void forSegmentsCoversTheConcatenationInFixedChunksWhateverThePool() {
        int[] lengths = {7, 0, 3, 12, 0, 0, 1, 9};
        int total = 32;
        for (Parallel pool : List.of(new Parallel(1), POOL)) {
            // For every element of the concatenation: which chunk saw it, and how many times.
            int[] chunkOf = new int[total];
            AtomicIntegerArray visits = new AtomicIntegerArray(total);
            int[] starts = {0, 7, 7, 10, 22, 22, 22, 23};
            pool.forSegments(lengths, 5, (chunk, segment, from, to) -> {
                assertTrue(lengths[segment] > 0 && 0 <= from && from < to && to <= lengths[segment],
                        "segment " + segment + " [" + from + ", " + to + ")");
                for (int i = from; i < to; i++) {
                    visits.incrementAndGet(starts[segment] + i);
                    chunkOf[starts[segment] + i] = chunk;
                }
            });
            for (int i = 0; i < total; i++) {
                assertEquals(1, visits.get(i), "element " + i);
                assertEquals(i / 5, chunkOf[i], "element " + i);
            }
        }
        assertEquals(7, Parallel.segmentChunks(lengths, 5));
        assertEquals(0, Parallel.segmentChunks(new int[] {0, 0}, 5));
        var negative = assertThrows(IllegalArgumentException.class,
                () -> POOL.forSegments(new int[] {3, -1}, 5, (c, s, a, b) -> { }));
        assertTrue(negative.getMessage().contains("segment 1"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> POOL.forSegments(lengths, 0, (c, s, a, b) -> { }));
    }

    @Test
    void aLoopOverSegmentsSeesThePiecesForSegmentsRuns() {
        java.util.Random random = new java.util.Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int[] lengths = new int[1 + random.nextInt(6)];
            for (int s = 0; s < lengths.length; s++) {
                lengths[s] = random.nextInt(3) == 0 ? 0 : random.nextInt(20);
            }
            int grain = 1 + random.nextInt(9);
            List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
            new Parallel(1).forSegments(lengths, grain, (chunk, segment, from, to) ->
                    expected.add(chunk + ":" + segment + "[" + from + "," + to + ")"));
            Parallel.Segments cut = Parallel.Segments.of(lengths, grain);
            assertEquals(Parallel.segmentChunks(lengths, grain), cut.chunks());
            for (int c = 0; c < cut.chunks(); c++) {
                for (int s = cut.firstSegment(c); s < cut.endSegment(c); s++) {
                    assertTrue(cut.from(c, s) <= cut.to(c, s));
                    if (cut.to(c, s) > cut.from(c, s)) {
                        actual.add(c + ":" + s + "[" + cut.from(c, s) + "," + cut.to(c, s) + ")");
                    }
                }
            }
            assertEquals(expected, actual, java.util.Arrays.toString(lengths) + " in chunks of " + grain);
        }
    }

    @Test
    void forSegmentsVisitsTheSegmentsOfAChunkInOrder() {
        List<String> pieces = new ArrayList<>();
        new Parallel(1).forSegments(new int[] {2, 0, 2, 5}, 4, (chunk, segment, from, to) ->
                pieces.add(chunk + ":" + segment + "[" + from + "," + to + ")"));
        assertEquals(List.of("0:0[0,2)", "0:2[0,2)", "1:3[0,4)", "2:3[4,5)"), pieces);
    }
}
