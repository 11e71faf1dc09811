package io.orthrus.tools;

import com.google.gson.JsonObject;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A/B timing of two builds of the library on a machine whose speed drifts: loads the classes of
 * each build (a {@code target/classes} directory) in a class loader of its own, trains the same
 * GPT recipe with both in one JVM, one step each in turn, and reports the median of the per-step
 * time ratios B / A after warm-up, as one JSON line. Both sides of a pair run within tens of
 * milliseconds of each other, so drift that moves whole-run medians by ±20% cancels out. A
 * developer tool (test scope), described in {@code docs/performance.md}.
 */
@Command(name = "lockstep-ab", mixinStandardHelpOptions = true,
        description = "Per-step time ratio of build B to build A, trained in lockstep in one JVM.")
public final class LockstepAb implements Callable<String> {
    @Parameters(index = "0", paramLabel = "CLASSES_A", description = "Compiled classes of build A (the reference).")
    Path classesA;

    @Parameters(index = "1", paramLabel = "CLASSES_B", description = "Compiled classes of build B.")
    Path classesB;

    @Option(names = "--corpus", defaultValue = "../shared/data/tinyshakespeare.txt", paramLabel = "FILE",
            description = "UTF-8 training text (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "300", description = "Steps per side (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "60", description = "Leading steps left out (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--layers", defaultValue = "4")
    int layers;

    @Option(names = "--heads", defaultValue = "4")
    int heads;

    @Option(names = "--width", defaultValue = "128")
    int width;

    @Option(names = "--context", defaultValue = "64")
    int context;

    @Option(names = "--batch", defaultValue = "12")
    int batch;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LockstepAb()).setExecutionStrategy(parse -> {
            if (CommandLine.printHelpIfRequested(parse)) {
                return 0;
            }
            try {
                System.out.println(((LockstepAb) parse.commandSpec().userObject()).call());
                return 0;
            } catch (Exception e) {
                throw new CommandLine.ExecutionException(parse.commandSpec().commandLine(), e.getMessage(), e);
            }
        }).execute(args));
    }

    /** Runs both sides and returns the JSON line. */
    @Override
    public String call() throws Exception {
        for (Path dir : List.of(classesA, classesB)) {
            if (!Files.isDirectory(dir.resolve("io/orthrus"))) {
                throw new IllegalArgumentException("lockstep-ab: " + dir + " holds no compiled io.orthrus classes");
            }
        }
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException("lockstep-ab: corpus file " + corpus + " does not exist");
        }
        if (steps <= warmup + 1) {
            throw new IllegalArgumentException("lockstep-ab: --steps " + steps + " must exceed --warmup " + warmup + " + 1");
        }
        Semaphore[] batons = {new Semaphore(0), new Semaphore(0)};
        double[][] millis = new double[2][steps];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] sides = new Thread[2];
        int[] shape = {steps, layers, heads, width, context, batch};
        Path[] builds = {classesA, classesB};
        for (int side = 0; side < 2; side++) {
            Method run = sideLoader(builds[side]).loadClass(LockstepTrainer.class.getName())
                    .getMethod("run", String.class, int[].class, Semaphore.class, Semaphore.class, double[].class);
            int me = side;
            sides[side] = new Thread(() -> {
                try {
                    run.invoke(null, corpus.toString(), shape, batons[me], batons[1 - me], millis[me]);
                } catch (Exception e) {
                    failure.compareAndSet(null, e.getCause() != null ? e.getCause() : e);
                }
            }, "lockstep-" + (side == 0 ? "a" : "b"));
            sides[side].start();
        }
        batons[0].release();
        for (Thread t : sides) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("lockstep-ab: a side failed: " + failure.get(), failure.get());
        }
        int pairs = steps - warmup;
        double[] ratio = new double[pairs], a = new double[pairs], b = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            a[i] = millis[0][warmup + i];
            b[i] = millis[1][warmup + i];
            ratio[i] = b[i] / a[i];
        }
        Arrays.sort(ratio);
        Arrays.sort(a);
        Arrays.sort(b);
        JsonObject json = new JsonObject();
        json.addProperty("a", classesA.toString());
        json.addProperty("b", classesB.toString());
        json.addProperty("pairs", pairs);
        json.addProperty("median_ms_a", round(a[pairs / 2]));
        json.addProperty("median_ms_b", round(b[pairs / 2]));
        json.addProperty("ratio_b_over_a", round(ratio[pairs / 2]));
        json.addProperty("ratio_q1", round(ratio[pairs / 4]));
        json.addProperty("ratio_q3", round(ratio[3 * pairs / 4]));
        return json.toString();
    }

    /** The build's classes, then this tool's own classes, then the jars of the class path (the dependencies). */
    private static ClassLoader sideLoader(Path build) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(build.toUri().toURL());
        urls.add(LockstepAb.class.getProtectionDomain().getCodeSource().getLocation());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
