package io.orthrus.nn;

import java.util.Locale;

/**
 * Checks that the JVM can hold an allocation before it is made, so that a size read from a file
 * or an option ends in one clear error instead of an {@link OutOfMemoryError} half-way through.
 */
public final class Memory {
    private Memory() {}

    /**
     * Throws an {@link IllegalArgumentException} naming {@code what}, the bytes it needs and the
     * bytes the JVM can still allocate (its {@code -Xmx} limit less what is in use), unless
     * {@code bytes} fits.
     */
    public static void require(String what, long bytes) {
        Runtime runtime = Runtime.getRuntime();
        long available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (bytes > available) { // "used" counts garbage not yet collected: collect once before refusing
            System.gc();
            available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        }
        if (bytes > available) {
            throw new IllegalArgumentException(what + " needs about " + format(bytes) + " of memory but the JVM can"
                    + " allocate " + format(Math.max(0, available)) + " more (its limit is " + format(runtime.maxMemory())
                    + "); give the JVM more with -Xmx, or make it smaller");
        }
    }

    /** {@code bytes} in B, KB, MB, GB or TB (powers of 1000), three significant figures. */
    public static String format(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.3g %s", value, units[unit]);
    }
}
