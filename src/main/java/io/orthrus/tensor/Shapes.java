package io.orthrus.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: sizes, strides, broadcasting, dimension checks. */
final class Shapes {
    private Shapes() {}

    /** Number of elements of a shape; checks that no size is negative. */
    static int size(String op, int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative size in shape " + Arrays.toString(shape));
            }
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape)
                        + " has more elements than a Java array can hold");
            }
        }
        return (int) size;
    }

    /** Row-major strides of a shape. */
    static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /** Resolves a possibly negative dimension index ({@code -1} is the last) and checks its range. */
    static int dim(String op, int[] shape, int dim) {
        int resolved = dim < 0 ? dim + shape.length : dim;
        if (resolved < 0 || resolved >= shape.length) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for shape "
                    + Arrays.toString(shape) + " (valid: " + -shape.length + " to " + (shape.length - 1) + ")");
        }
        return resolved;
    }

    /** Product of the sizes before {@code dim}. */
    static int outer(int[] shape, int dim) {
        int n = 1;
        for (int d = 0; d < dim; d++) {
            n *= shape[d];
        }
        return n;
    }

    /** Product of the sizes after {@code dim}. */
    static int inner(int[] shape, int dim) {
        int n = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }

    /** NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1. */
    static int[] broadcast(String op, int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                if (s[i] == out[d] || s[i] == 1) {
                    continue;
                }
                if (out[d] == 1) {
                    out[d] = s[i];
                } else {
                    throw new IllegalArgumentException(op + ": shapes " + describe(shapes)
                            + " cannot be broadcast together: dimension " + d + " has sizes " + out[d]
                            + " and " + s[i] + " (each pair of trailing sizes must be equal or 1)");
                }
            }
        }
        return out;
    }

    /**
     * For each element of a tensor of shape {@code outShape}, the flat index of the element of a
     * tensor of shape {@code shape} that broadcasting maps to it; {@code null} when the two shapes
     * are equal and the map is the identity.
     */
    static int[] broadcastIndex(int[] shape, int[] outShape) {
        if (Arrays.equals(shape, outShape)) {
            return null;
        }
        int rank = outShape.length;
        int[] srcStrides = new int[rank];
        int[] own = strides(shape);
        for (int i = 0; i < shape.length; i++) {
            int d = rank - shape.length + i;
            srcStrides[d] = shape[i] == 1 ? 0 : own[i];
        }
        return strideIndex(outShape, srcStrides);
    }

    /**
     * For each element of {@code shape} in row-major order, the sum of its coordinates times
     * {@code strides}: the source index of a broadcast (zero strides) or a permutation (permuted strides).
     */
    static int[] strideIndex(int[] shape, int[] strides) {
        int total = size("strideIndex", shape);
        int[] index = new int[total];
        int[] counter = new int[shape.length];
        int src = 0;
        for (int i = 0; i < total; i++) {
            index[i] = src;
            for (int d = shape.length - 1; d >= 0; d--) { // odometer increment
                counter[d]++;
                src += strides[d];
                if (counter[d] < shape[d]) {
                    break;
                }
                src -= strides[d] * shape[d];
                counter[d] = 0;
            }
        }
        return index;
    }

    static String describe(int[]... shapes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shapes.length; i++) {
            sb.append(i == 0 ? "" : " and ").append(Arrays.toString(shapes[i]));
        }
        return sb.toString();
    }
}
