package io.orthrus.tensor.kernel;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the GEMM once, at start-up: the Vector API kernel when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, the plain-Java kernel otherwise. Both give correct
 * results; the first is several times faster. The choice is logged once at INFO.
 *
 * <p>The Vector API class is loaded reflectively, only after the module check, so this class
 * links on any JVM (the approach of Lucene's {@code VectorizationProvider}).
 */
public final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_GEMM = "io.orthrus.tensor.kernel.VectorGemm";
    private static final String VECTOR_MATH = "io.orthrus.tensor.kernel.VectorMath";
    private static final Gemm GEMM = choose();
    private static final MathKernel MATH = vectorMath().orElseGet(JavaMath::new);
    private static final Gemm SERIAL_GEMM = vectorGemm(new Parallel(1)).orElseGet(() -> new JavaGemm(new Parallel(1)));

    private Kernels() {}

    /** The GEMM that tensor ops use, on the shared pool. */
    public static Gemm gemm() {
        return GEMM;
    }

    /**
     * The same kind of GEMM on one thread, for callers that already run in parallel over many
     * small products (attention heads), where splitting each product again would cost more than it gains.
     */
    public static Gemm serialGemm() {
        return SERIAL_GEMM;
    }

    /** The element-wise math kernel: Vector API when the module is present, plain Java otherwise. */
    public static MathKernel math() {
        return MATH;
    }

    /** The Vector API math kernel, if this JVM has the module. */
    public static Optional<MathKernel> vectorMath() {
        if (!vectorApiAvailable()) {
            return Optional.empty();
        }
        try {
            return Optional.of((MathKernel) Class.forName(VECTOR_MATH).getConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("Vector API module present but {} could not be loaded ({}); using plain Java", VECTOR_MATH,
                    e.toString());
            return Optional.empty();
        }
    }

    /** True when the running JVM has the Vector API module. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The Vector API GEMM on {@code parallel}, if this JVM has the module. */
    public static Optional<Gemm> vectorGemm(Parallel parallel) {
        if (!vectorApiAvailable()) {
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(VECTOR_GEMM);
            return Optional.of((Gemm) type.getConstructor(Parallel.class).newInstance(parallel));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("Vector API module present but {} could not be loaded ({}); using plain Java", VECTOR_GEMM,
                    e.toString());
            return Optional.empty();
        }
    }

    private static Gemm choose() {
        Parallel parallel = Parallel.shared();
        Optional<Gemm> vector = vectorGemm(parallel);
        Gemm chosen = vector.orElseGet(() -> new JavaGemm(parallel));
        if (vector.isPresent()) {
            LOG.info("Orthrus GEMM: vector-api kernel, {} threads", parallel.threads());
        } else {
            LOG.info("Orthrus GEMM: plain-java kernel, {} threads (start the JVM with --add-modules {} "
                    + "for the faster Vector API kernel)", parallel.threads(), VECTOR_MODULE);
        }
        return chosen;
    }
}
