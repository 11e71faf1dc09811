package io.orthrus.jmh;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.JavaGemm;
import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * C = op(A)·op(B) on each GEMM kernel, for the square products of the kernel bars and the
 * products of a nanoGPT-recipe layer (forward X·Wᵀ, backward dY·W and dYᵀ·X). GFLOP/s =
 * 2·m·n·k / (time per operation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GemmBenchmark {
    /** {@code vector-api} (needs the module) or {@code plain-java}. */
    @Param({"vector-api", "plain-java"})
    public String kernel;

    /** Threads of the kernel's pool. */
    @Param({"1", "2"})
    public int threads;

    /** {@code m,k,n,transA,transB}. */
    @Param({"512,512,512,0,0", "1024,1024,1024,0,0", "768,128,384,0,1", "768,384,128,0,0", "384,768,128,1,0"})
    public String shape;

    private Gemm gemm;
    private int m, n, k;
    private boolean transA, transB;
    private float[] a, b, c;

    /** Builds the kernel and random operands. */
    @Setup
    public void setUp() {
        Parallel pool = new Parallel(threads);
        gemm = kernel.equals("plain-java") ? new JavaGemm(pool) : Kernels.vectorGemm(pool).orElseThrow(
                () -> new IllegalStateException("the vector-api kernel needs --add-modules jdk.incubator.vector"));
        String[] s = shape.split(",");
        m = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        n = Integer.parseInt(s[2]);
        transA = s[3].equals("1");
        transB = s[4].equals("1");
        Rng rng = new Rng(1);
        a = Tensor.randn(rng, m * k).toArray();
        b = Tensor.randn(rng, k * n).toArray();
        c = new float[m * n];
    }

    /** One product, C overwritten. */
    @Benchmark
    public float[] gemm() {
        gemm.gemm(transA, transB, m, n, k, a, 0, b, 0, c, 0, false);
        return c;
    }
}
