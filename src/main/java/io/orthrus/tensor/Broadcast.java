package io.orthrus.tensor;

/**
 * The index maps of a broadcasting op: for each output element, the flat index of the element
 * of each input that it reads. Backward reuses the maps to sum gradients back into the inputs'
 * shapes.
 *
 * <p>An input whose shape is a trailing part of the output's (a bias {@code (C)} or a position
 * table {@code (T, C)} added to {@code (B, T, C)}, or the output's own shape) repeats with a
 * period of its own size: it gets no map, only {@link #period}, and element i reads
 * {@code i % period}. Other inputs get a map.
 */
final class Broadcast {
    final int[] shape;
    final int size;
    /** Per input: the index map, or null when the input repeats with {@link #period}. */
    final int[][] index;
    /** Per input: its size when it repeats contiguously (the output's size when the shapes are equal), else 0. */
    final int[] period;

    private Broadcast(int[] shape, int[][] index, int[] period) {
        this.shape = shape;
        this.size = Shapes.size("broadcast", shape);
        this.index = index;
        this.period = period;
    }

    static Broadcast of(String op, Tensor... inputs) {
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            shapes[i] = inputs[i].shape();
        }
        int[] out = Shapes.broadcast(op, shapes);
        int[][] index = new int[inputs.length][];
        int[] period = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (isTrailingPart(shapes[i], out)) {
                period[i] = inputs[i].numel();
            } else {
                index[i] = Shapes.broadcastIndex(shapes[i], out);
            }
        }
        return new Broadcast(out, index, period);
    }

    /** True when {@code shape}, without its leading 1s, equals the last dimensions of {@code out}. */
    private static boolean isTrailingPart(int[] shape, int[] out) {
        int lead = 0;
        while (lead < shape.length && shape[lead] == 1) {
            lead++;
        }
        for (int i = lead; i < shape.length; i++) {
            if (shape[i] != out[out.length - shape.length + i]) {
                return false;
            }
        }
        return true;
    }

    /** True when input {@code input} has the output's shape (up to leading 1s): element i reads element i. */
    boolean same(int input) {
        return period[input] == size;
    }

    /** Flat index into input {@code input} read by output element {@code i}. */
    int at(int input, int i) {
        int[] map = index[input];
        return map != null ? map[i] : period[input] == size ? i : i % period[input];
    }
}
