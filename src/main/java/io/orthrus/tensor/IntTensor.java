package io.orthrus.tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of int32 values in row-major order: token ids, targets and other
 * indices. It takes part in no gradient computation.
 */
public final class IntTensor {
    private final int[] data;
    private final int[] shape;

    private IntTensor(int[] data, int[] shape) {
        int size = Shapes.size("IntTensor", shape);
        if (data.length != size) {
            throw new IllegalArgumentException("IntTensor: " + data.length + " values do not fill shape "
                    + Arrays.toString(shape) + ", which holds " + size);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A tensor holding a copy of {@code values}, which must fill {@code shape} exactly. */
    public static IntTensor of(int[] values, int... shape) {
        return new IntTensor(values.clone(), shape);
    }

    /** A 1-D tensor of the given values. */
    public static IntTensor vector(int... values) {
        return new IntTensor(values.clone(), new int[] {values.length});
    }

    /** A tensor over {@code values} itself (no copy). */
    public static IntTensor wrap(int[] values, int... shape) {
        return new IntTensor(values, shape);
    }

    /**
     * Converts a float tensor that holds whole numbers (as indices sometimes arrive) into indices;
     * throws when an element is not a whole number in int range.
     */
    public static IntTensor fromFloats(Tensor values) {
        float[] src = values.data();
        int[] out = new int[src.length];
        for (int i = 0; i < src.length; i++) {
            float v = src[i];
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("IntTensor.fromFloats: index tensors must hold whole numbers, "
                        + "found " + v + " at flat position " + i + " of shape " + Arrays.toString(values.shape()));
            }
            out[i] = (int) v;
        }
        return new IntTensor(out, values.shape());
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /** The backing array itself, row-major. */
    public int[] data() {
        return data;
    }

    /** The element at {@code index} (one index per dimension). */
    public int get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("IntTensor.get: " + index.length + " indices for rank " + shape.length);
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IllegalArgumentException("IntTensor.get: index " + Arrays.toString(index)
                        + " is out of range for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return data[flat];
    }

    /** The same values in a new shape of equal size (shares storage). */
    public IntTensor reshape(int... newShape) {
        return new IntTensor(data, newShape);
    }

    /** Throws unless every value lies in {@code [0, bound)}; {@code op} and {@code what} name the caller in the message. */
    public void checkRange(String op, String what, int bound) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] < 0 || data[i] >= bound) {
                throw new IllegalArgumentException(op + ": " + what + " " + data[i] + " at flat position " + i
                        + " is out of range [0, " + bound + ")");
            }
        }
    }

    @Override
    public String toString() {
        return "IntTensor" + Arrays.toString(shape) + " "
                + (data.length <= 16 ? Arrays.toString(data) : Arrays.toString(Arrays.copyOf(data, 16)) + "...");
    }
}
