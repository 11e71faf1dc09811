package io.orthrus.tensor;

/** Records how a tensor was made: the op's name, its inputs and its backward function. */
final class Node {
    final String op;
    Tensor[] inputs;
    Backward backward;
    boolean freed;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** Drops the references that keep the graph (and its saved activations) alive. */
    void free() {
        inputs = null;
        backward = null;
        freed = true;
    }
}
