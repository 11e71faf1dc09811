package io.orthrus.bench;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.JavaGemm;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.NaiveGemm;
import io.orthrus.tensor.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * GFLOP/s of each GEMM kernel (Vector API, plain Java, naive, EJML) at the shapes a small GPT
 * uses, on one thread and on all cores, as one JSON line ({@code orthrus bench gemm} prints it):
 * {@code {"results":[{"kernel":…,"threads":…,"m":…,"k":…,"n":…,"gflops":…},…]}}.
 *
 * <p>Each figure is the median of 7 timed batches of about 0.2 s, after 2 s of warm-up. Run it with
 * {@code --add-modules jdk.incubator.vector} to include the Vector API kernel (see
 * {@code docs/performance.md}). Optional arguments: {@code --quick} (fewer repetitions) and
 * {@code --shapes M,K,N;M,K,N…}.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, sortOptions = false,
        footer = {"", "Example:", "  orthrus bench gemm --quick --shapes 512,512,512"},
        description = "GFLOP/s of each GEMM kernel at a small GPT's shapes, on one thread and on all; prints one JSON line.")
public final class GemmBench implements Callable<String> {
    /** A benchmark with its default options (picocli sets the ones given). */
    public GemmBench() {}

    private static final int[][] DEFAULT_SHAPES = {
        {768, 128, 384}, {768, 512, 128}, {768, 128, 65}, {512, 512, 512}, {1024, 1024, 1024},
    };
    /** The naive kernel is O(mnk) at ~1 GFLOP/s: skip it above this many multiply-adds. */
    private static final long NAIVE_LIMIT = 200_000_000L;

    @Option(names = "--quick", description = "Fewer repetitions: for a smoke test, not for figures.")
    boolean quick;

    @Option(names = "--shapes", paramLabel = "M,K,N;M,K,N…", description = "Shapes to measure (default: a small GPT's and"
            + " 512³, 1024³).")
    String shapes;


    /** Runs the benchmark and returns its JSON line (the options are listed in the class comment; {@code orthrus bench} prints it). */
    public static String run(String... args) {
        return BenchSupport.parse(new GemmBench(), args).call();
    }

    /** Measures and returns the JSON line. */
    @Override
    public String call() {
        int[][] shapes = this.shapes == null ? DEFAULT_SHAPES : parseShapes(this.shapes);
        int cores = Runtime.getRuntime().availableProcessors();
        int[] threadCounts = cores == 1 ? new int[] {1} : new int[] {1, cores};
        List<String> results = new ArrayList<>();
        Rng rng = new Rng(42);
        for (int[] shape : shapes) {
            int m = shape[0], k = shape[1], n = shape[2];
            float[] a = randomArray(rng, m * k), b = randomArray(rng, k * n), c = new float[m * n];
            for (int threads : threadCounts) {
                Parallel parallel = threads == Parallel.shared().threads() ? Parallel.shared() : new Parallel(threads);
                List<Gemm> kernels = new ArrayList<>();
                Kernels.vectorGemm(parallel).ifPresent(kernels::add);
                kernels.add(new JavaGemm(parallel));
                if (threads == 1 && (long) m * n * k <= NAIVE_LIMIT) {
                    kernels.add(new NaiveGemm());
                }
                kernels.add(ejml(threads > 1));
                for (Gemm kernel : kernels) {
                    double gflops = measure(kernel, m, n, k, a, b, c, quick);
                    results.add(String.format(Locale.ROOT,
                            "{\"kernel\":\"%s\",\"threads\":%d,\"m\":%d,\"k\":%d,\"n\":%d,\"gflops\":%.2f}",
                            kernel.name(), threads, m, k, n, gflops));
                }
            }
        }
        return "{\"results\":[" + String.join(",", results) + "]}";
    }

    private static double measure(Gemm kernel, int m, int n, int k, float[] a, float[] b, float[] c, boolean quick) {
        double flops = 2.0 * m * n * k;
        long warmupNanos = quick ? 500_000_000L : 2_000_000_000L;
        long batchNanos = quick ? 50_000_000L : 200_000_000L;
        // Warm-up for a fixed time: Vector API code runs ~100x slower until C2 has compiled it,
        // and reaches its steady speed only after 1-2 s.
        long start = System.nanoTime();
        while (System.nanoTime() - start < warmupNanos) {
            time(kernel, m, n, k, a, b, c, 1);
        }
        // Then batches of about batchNanos, sized from the last warm-up call.
        long oneCall = Math.max(1, time(kernel, m, n, k, a, b, c, 1));
        int calls = (int) Math.max(1, Math.min(1_000_000, batchNanos / oneCall));
        int batches = quick ? 3 : 7;
        double[] gflops = new double[batches];
        for (int i = 0; i < batches; i++) {
            gflops[i] = flops * calls / time(kernel, m, n, k, a, b, c, calls);
        }
        Arrays.sort(gflops);
        return gflops[batches / 2];
    }

    private static long time(Gemm kernel, int m, int n, int k, float[] a, float[] b, float[] c, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            kernel.gemm(false, false, m, n, k, a, 0, b, 0, c, 0, false);
        }
        return System.nanoTime() - start;
    }

    /** EJML's float GEMM behind the same interface, for comparison only. */
    private static Gemm ejml(boolean multiThreaded) {
        return new Gemm() {
            @Override
            public String name() {
                return "ejml";
            }

            @Override
            public void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset, float[] b,
                             int bOffset, float[] c, int cOffset, boolean accumulate) {
                FMatrixRMaj ma = FMatrixRMaj.wrap(m, k, a);
                FMatrixRMaj mb = FMatrixRMaj.wrap(k, n, b);
                FMatrixRMaj mc = FMatrixRMaj.wrap(m, n, c);
                if (multiThreaded) {
                    CommonOps_MT_FDRM.mult(ma, mb, mc);
                } else {
                    CommonOps_FDRM.mult(ma, mb, mc);
                }
            }
        };
    }

    private static float[] randomArray(Rng rng, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return values;
    }

    private static int[][] parseShapes(String spec) {
        String[] parts = spec.split(";");
        int[][] shapes = new int[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            String[] dims = parts[i].split(",");
            if (dims.length != 3) {
                throw new IllegalArgumentException("--shapes: expected M,K,N triples separated by ';', got '" + parts[i] + "'");
            }
            shapes[i] = new int[] {Integer.parseInt(dims[0].trim()), Integer.parseInt(dims[1].trim()),
                Integer.parseInt(dims[2].trim())};
        }
        return shapes;
    }
}
