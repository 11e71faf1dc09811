package io.orthrus.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The reverse walk: topological order of the graph behind a tensor, then each node's backward
 * in reverse order. Iterative, so a chain of any length runs without deep recursion.
 */
final class Autograd {
    private Autograd() {}

    static void backward(Tensor root, float[] upstream) {
        List<Tensor> order = topologicalOrder(root);
        float[] rootGrad = root.gradBuffer();
        for (int i = 0; i < upstream.length; i++) {
            rootGrad[i] += upstream[i];
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Node node = t.node;
            if (node == null) {
                continue; // a leaf: its gradient stays for the optimizer
            }
            float[] grad = t.gradBuffer();
            node.backward.apply(grad);
            node.free();
            t.releaseGrad(); // intermediate gradients are not kept
        }
    }

    /** Post-order DFS with an explicit stack: inputs come before the tensors made from them. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextInput = new ArrayDeque<>();
        stack.push(root);
        nextInput.push(0);
        visited.add(root);
        checkNotFreed(root);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int next = nextInput.pop();
            Tensor[] inputs = t.node == null ? null : t.node.inputs;
            if (inputs != null && next < inputs.length) {
                nextInput.push(next + 1);
                Tensor in = inputs[next];
                if (in.requiresGrad() && visited.add(in)) {
                    checkNotFreed(in);
                    stack.push(in);
                    nextInput.push(0);
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    private static void checkNotFreed(Tensor t) {
        if (t.node != null && t.node.freed) {
            throw new IllegalStateException("backward: the graph through op '" + t.node.op + "' (output shape "
                    + java.util.Arrays.toString(t.shape()) + ") was already freed by an earlier backward(); "
                    + "run the forward pass again before calling backward() a second time");
        }
    }
}
