package io.orthrus.tensor.kernel;

/**
 * A float array per thread that grows to the largest size asked of it and is then reused: the
 * temporaries of a kernel that runs thousands of times a step (packed panels, one attention head's
 * matrices), which would otherwise be allocated each time. Its contents are whatever the
 * thread's previous user left there.
 */
public final class Scratch {
    private final ThreadLocal<float[]> arrays = ThreadLocal.withInitial(() -> new float[0]);

    /** A scratch space of its own, distinct from every other {@code Scratch}. */
    public Scratch() {}

    /** The calling thread's array, at least {@code size} floats long. */
    public float[] atLeast(int size) {
        float[] array = arrays.get();
        if (array.length < size) {
            array = new float[size];
            arrays.set(array);
        }
        return array;
    }
}
