package io.orthrus.tensor;

/**
 * The index maps of a broadcasting op: for each output element, the flat index of the element
 * of each input that it reads. A map is {@code null} when the input already has the output's
 * shape. Backward reuses the maps to sum gradients back into the inputs' shapes.
 */
final class Broadcast {
    final int[] shape;
    final int size;
    final int[][] index;

    private Broadcast(int[] shape, int[][] index) {
        this.shape = shape;
        this.size = Shapes.size("broadcast", shape);
        this.index = index;
    }

    static Broadcast of(String op, Tensor... inputs) {
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            shapes[i] = inputs[i].shape();
        }
        int[] out = Shapes.broadcast(op, shapes);
        int[][] index = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            index[i] = Shapes.broadcastIndex(shapes[i], out);
        }
        return new Broadcast(out, index);
    }

    /** Flat index into input {@code input} read by output element {@code i}. */
    int at(int input, int i) {
        int[] map = index[input];
        return map == null ? i : map[i];
    }
}
