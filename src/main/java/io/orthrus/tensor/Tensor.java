package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Gemm;
import io.orthrus.tensor.kernel.QuantizedMatrix;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array of float32 values in row-major order, with reverse-mode autograd.
 *
 * <p>Storage is one contiguous {@code float[]} read by {@link #data()}; the shape is fixed at
 * creation. Every op returns a new tensor; when an input {@link #requiresGrad() requires
 * gradients} and recording is on (no {@link NoGrad} scope), the output remembers the op, so that
 * {@link #backward()} can walk the graph in reverse and add dL/dx into each leaf's {@link #grad()}.
 *
 * <p>Shapes are written {@code (B, T, C)} in the docs: batch, time (sequence position),
 * channels. Dimensions may be given negative, counting from the end ({@code -1} is the last).
 * Binary element-wise ops broadcast by NumPy rules. Bad shapes, dimensions and indices throw
 * {@link IllegalArgumentException} naming the op, the shapes and what was expected.
 */
public class Tensor {
    private final float[] data;
    private final int[] shape;
    private float[] grad;
    private boolean requiresGrad;
    Node node;

    /** Wraps {@code data} (not copied) as a tensor of {@code shape}; for subclasses such as parameters. */
    protected Tensor(float[] data, int[] shape) {
        int size = Shapes.size("Tensor", shape);
        if (data.length != size) {
            throw new IllegalArgumentException("Tensor: " + data.length + " values do not fill shape "
                    + Arrays.toString(shape) + ", which holds " + size);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    // ---------------------------------------------------------------- creation

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.size("zeros", shape)], shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** A tensor whose every element is {@code value}. */
    public static Tensor full(float value, int... shape) {
        float[] data = new float[Shapes.size("full", shape)];
        Arrays.fill(data, value);
        return new Tensor(data, shape);
    }

    /** A tensor holding a copy of {@code values}, which must fill {@code shape} exactly. */
    public static Tensor of(float[] values, int... shape) {
        return new Tensor(values.clone(), shape);
    }

    /** A tensor over {@code values} itself (no copy): later writes to the array show in the tensor. */
    public static Tensor wrap(float[] values, int... shape) {
        return new Tensor(values, shape);
    }

    /** A 0-dimensional tensor holding one value. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /** The 1-D tensor {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** The 1-D tensor {@code [start, start+step, ...]} of the values below {@code end} (above, if step &lt; 0). */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || !Float.isFinite(step) || !Float.isFinite(start) || !Float.isFinite(end)) {
            throw new IllegalArgumentException("arange: need finite start, end and a non-zero step, got start="
                    + start + ", end=" + end + ", step=" + step);
        }
        int n = Math.max(0, (int) Math.ceil((end - start) / step));
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = start + i * step;
        }
        return new Tensor(data, new int[] {n});
    }

    /** Samples from the normal distribution with mean 0 and standard deviation 1. */
    public static Tensor randn(Rng rng, int... shape) {
        return normal(rng, 0f, 1f, shape);
    }

    /** Samples from the normal distribution with the given mean and standard deviation. */
    public static Tensor normal(Rng rng, float mean, float std, int... shape) {
        float[] data = new float[Shapes.size("normal", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = mean + std * (float) rng.nextGaussian();
        }
        return new Tensor(data, shape);
    }

    /** Samples uniformly from {@code [low, high)}. */
    public static Tensor uniform(Rng rng, float low, float high, int... shape) {
        if (!(high >= low)) {
            throw new IllegalArgumentException("uniform: need low <= high, got low=" + low + ", high=" + high);
        }
        float[] data = new float[Shapes.size("uniform", shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = low + (high - low) * rng.nextFloat();
        }
        return new Tensor(data, shape);
    }

    /**
     * The output of a user-defined op: a tensor over {@code data} that, when any input requires
     * gradients and recording is on, calls {@code backward} during {@link #backward()}. Built-in ops
     * are written the same way; check new ones with {@link GradCheck}.
     */
    public static Tensor fromOp(String op, float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(data, shape);
        if (NoGrad.isGradEnabled()) {
            for (Tensor in : inputs) {
                if (in.requiresGrad) {
                    out.requiresGrad = true;
                    out.node = new Node(op, inputs.clone(), backward);
                    break;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- shape and element access

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return shape[Shapes.dim("size", shape, dim)];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /**
     * The backing array itself, row-major. Writing to it changes the tensor without recording
     * anything for autograd: use it for initialisation, optimizers and kernels, not inside a model.
     */
    public float[] data() {
        return data;
    }

    /** A copy of the values, row-major. */
    public float[] toArray() {
        return data.clone();
    }

    /** The element at {@code index} (one index per dimension). */
    public float get(int... index) {
        return data[flatIndex(index)];
    }

    /** Sets the element at {@code index}, bypassing autograd (for tests and initialisation). */
    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
    }

    /** The value of a one-element tensor, such as a loss. */
    public float item() {
        if (data.length != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + Arrays.toString(shape)
                    + " has " + data.length + " elements; item() needs exactly one");
        }
        return data[0];
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get/set: " + index.length + " indices given for a tensor of rank "
                    + shape.length + " (shape " + Arrays.toString(shape) + ")");
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IllegalArgumentException("get/set: index " + Arrays.toString(index)
                        + " is out of range for shape " + Arrays.toString(shape) + " at dimension " + d);
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    // ---------------------------------------------------------------- autograd

    /** True when gradients flow into this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient {@link #backward()} should compute; returns this. */
    public Tensor requiresGrad(boolean requires) {
        if (node != null && !requires) {
            throw new IllegalStateException("requiresGrad(false): this tensor is the output of op '" + node.op
                    + "'; use detach() to cut it from the graph");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** True when a backward pass has produced a gradient for this tensor (see {@link #grad()}). */
    public boolean hasGrad() {
        return grad != null;
    }

    /** dL/d(this) accumulated by backward passes, as a tensor over the live gradient array, or null. */
    public Tensor grad() {
        return grad == null ? null : new Tensor(grad, shape);
    }

    /**
     * The live gradient array, allocated (zeroed) on first use; {@code null} when this tensor does
     * not require gradients. Backward functions add into it.
     */
    public float[] gradBuffer() {
        if (!requiresGrad) {
            return null;
        }
        if (grad == null) {
            // An intermediate's gradient lives for one backward pass: take it from the workspace, if any.
            grad = node == null ? new float[data.length] : Workspace.zeroed(data.length);
        }
        return grad;
    }

    /**
     * For a backward function that assigns every element of this tensor's gradient: when the
     * tensor requires a gradient and has none yet, creates the gradient array without zeroing it
     * and returns it, and the caller must store into every element (not add); otherwise returns
     * null, and the caller adds into {@link #gradBuffer()} as usual. The first op to reach a
     * gradient thus skips both zeroing it and reading the zeros back.
     */
    float[] gradBufferToOverwrite() {
        if (!requiresGrad || grad != null) {
            return null;
        }
        grad = node == null ? new float[data.length] : Workspace.uninitialized(data.length);
        return grad;
    }

    void releaseGrad() {
        if (grad != null) {
            Workspace.release(grad);
            grad = null;
        }
    }

    /** Drops the accumulated gradient array (a parameter that is frozen keeps none). */
    protected final void discardGrad() {
        grad = null;
    }

    /** Sets the accumulated gradient to zero (keeps the array). */
    public void zeroGrad() {
        if (grad != null) {
            Arrays.fill(grad, 0f);
        }
    }

    /** A tensor over the same values that is cut from the graph and does not require gradients. */
    public Tensor detach() {
        return new Tensor(data, shape);
    }

    /** Back-propagates from this one-element tensor (a loss): adds dL/dx into every leaf's grad. */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalArgumentException("backward: tensor of shape " + Arrays.toString(shape)
                    + " is not a scalar; pass the upstream gradient with backward(Tensor)");
        }
        backward(ones(shape));
    }

    /**
     * Back-propagates an upstream gradient dL/d(this), which must have this tensor's shape. The
     * graph is freed as it is walked: calling backward again without a new forward pass throws.
     */
    public void backward(Tensor upstream) {
        if (!Arrays.equals(upstream.shape, shape)) {
            throw new IllegalArgumentException("backward: upstream gradient of shape " + Arrays.toString(upstream.shape)
                    + " does not match the tensor's shape " + Arrays.toString(shape));
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require gradients; mark the leaves with "
                    + "requiresGrad(true) before the forward pass (and not inside a NoGrad scope)");
        }
        Autograd.backward(this, upstream.data);
    }

    // ---------------------------------------------------------------- element-wise arithmetic

    /** {@code this + other}, broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /** {@code this * other} element-wise, broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /** {@code this / other} element-wise, broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /** {@code this + value}. */
    public Tensor add(float value) {
        return Elementwise.affine(this, 1f, value, "add");
    }

    /** {@code this - value}. */
    public Tensor sub(float value) {
        return Elementwise.affine(this, 1f, -value, "sub");
    }

    /** {@code this * value}. */
    public Tensor mul(float value) {
        return Elementwise.affine(this, value, 0f, "mul");
    }

    /** {@code this / value}. */
    public Tensor div(float value) {
        return Elementwise.affine(this, 1f / value, 0f, "div");
    }

    /** {@code -this}. */
    public Tensor neg() {
        return Elementwise.affine(this, -1f, 0f, "neg");
    }

    /** {@code this ^ exponent} element-wise. */
    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** e to the power of each element. */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /** Natural logarithm of each element. */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /** Square root of each element. */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    /** Hyperbolic tangent of each element. */
    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /** Logistic sigmoid {@code 1 / (1 + e^-x)} of each element. */
    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    /** SiLU (swish) {@code x·σ(x)} of each element: the activation of Llama-family feed-forward layers. */
    public Tensor silu() {
        return Elementwise.silu(this);
    }

    /**
     * SwiGLU's gate: {@code silu(this) ⊙ up}, element by element, as one op; {@code up} has this
     * tensor's shape. Llama's feed-forward is {@code down(silu(gate(x)) ⊙ up(x))}.
     */
    public Tensor siluGate(Tensor up) {
        return Elementwise.siluGate(this, up);
    }

    /** {@code max(x, 0)} of each element. */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /** GELU with the tanh approximation used by GPT-2 and BERT: {@code 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))}. */
    public Tensor gelu() {
        return Elementwise.geluTanh(this);
    }

    /** GELU in its exact form {@code x·Φ(x) = 0.5x(1 + erf(x/√2))}. */
    public Tensor geluExact() {
        return Elementwise.geluErf(this);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements: a 0-dimensional tensor. */
    public Tensor sum() {
        return Reductions.sumAll(this);
    }

    /** Mean of all elements: a 0-dimensional tensor. */
    public Tensor mean() {
        return Reductions.sumAll(this).div(Math.max(1, numel()));
    }

    /** Sum over {@code dim}; keeps it with size 1 when {@code keepDim}. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, dim, keepDim, false);
    }

    /** Mean over {@code dim}; keeps it with size 1 when {@code keepDim}. */
    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.sum(this, dim, keepDim, true);
    }

    /** Maximum over {@code dim}; the gradient flows to the first maximal element. */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, dim, keepDim);
    }

    /**
     * Index along {@code dim} of the largest element (the first one on ties), for each position of
     * the other dimensions: {@code (..., N, ...) -> (..., ...)} ids; not differentiable.
     */
    public IntTensor argmax(int dim) {
        return Reductions.argmax(this, dim);
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * Matrix product over the last two dimensions, {@code (..., M, K) @ (..., K, N) -> (..., M, N)},
     * with the leading (batch) dimensions broadcast.
     */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    /**
     * The affine map of a linear layer, {@code this (..., in) · weightᵀ + bias -> (..., out)},
     * with {@code weight (out, in)} as in PyTorch and {@code bias (out)} or null; fused, so that
     * neither the transpose nor the broadcast sum is materialised.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return MatMul.linear(this, weight, bias);
    }

    /**
     * {@link #linear(Tensor, Tensor)} with the weight {@code (out, in)} packed beforehand by
     * {@code Kernels.gemm().pack(true, in, out, weight, 0)}, as inference packs the weights it reads
     * many times (the same bits). Forward only: call it inside {@link NoGrad}.
     */
    public Tensor linear(Gemm.Packed weight, Tensor bias) {
        return MatMul.linear(this, weight, bias);
    }

    /**
     * {@link #linear(Tensor, Tensor)} with the weight {@code (out, in)} held as bfloat16 or int8
     * ({@link QuantizedMatrix}): what generation reads when memory bandwidth bounds its speed. Forward
     * only: call it inside {@link NoGrad}.
     */
    public Tensor linear(QuantizedMatrix weight, Tensor bias) {
        return MatMul.linear(this, weight, bias);
    }

    // ---------------------------------------------------------------- shape ops

    /** The same values in a new shape of equal size (shares storage); one size may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        return ShapeOps.reshape(this, newShape);
    }

    /** Alias of {@link #reshape}: storage is always contiguous, so every reshape is a view. */
    public Tensor view(int... newShape) {
        return ShapeOps.reshape(this, newShape);
    }

    /** Swaps two dimensions (copies into the new layout). */
    public Tensor transpose(int dim0, int dim1) {
        return ShapeOps.transpose(this, dim0, dim1);
    }

    /** Reorders dimensions: output dimension {@code i} is input dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        return ShapeOps.permute(this, order);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        return ShapeOps.narrow(this, dim, start, length);
    }

    /** Elements {@code start .. end-1} along {@code dim} (negative start/end count from the end). */
    public Tensor slice(int dim, int start, int end) {
        int d = Shapes.dim("slice", shape, dim);
        int n = shape[d];
        int from = start < 0 ? start + n : start;
        int to = end < 0 ? end + n : end;
        if (from < 0 || to > n || from > to) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is not valid for dimension "
                    + dim + " of size " + n + " in shape " + Arrays.toString(shape));
        }
        return ShapeOps.narrow(this, d, from, to - from);
    }

    /**
     * This tensor with {@code part} added to channels {@code start .. start + w − 1} of its last
     * dimension, where {@code part} has this shape but for a last dimension of {@code w}: a low-rank
     * update of some rows of a fused projection (the query rows of Q, K, V), say.
     */
    public Tensor addInto(Tensor part, int start) {
        return ShapeOps.addIntoLast(this, part, start);
    }

    /** Splits along {@code dim} into pieces of the given sizes, which must add up to the dimension's size. */
    public List<Tensor> split(int dim, int... sizes) {
        return ShapeOps.split(this, dim, sizes);
    }

    /** Joins tensors along {@code dim}; all other sizes must match. */
    public static Tensor concat(int dim, Tensor... tensors) {
        return ShapeOps.concat(dim, tensors);
    }

    // ---------------------------------------------------------------- indexing and masking

    /** Slices of this tensor along {@code dim} at the given indices: the size of {@code dim} becomes {@code index.numel()}. */
    public Tensor indexSelect(int dim, IntTensor index) {
        return IndexOps.indexSelect(this, dim, index);
    }

    /** Embedding lookup: rows of this {@code (V, C)} table for each id, giving shape {@code ids.shape + (C)}. */
    public Tensor embeddingLookup(IntTensor ids) {
        return IndexOps.embedding(this, ids);
    }

    /** Replaces elements where {@code mask} (broadcast to this shape) is non-zero by {@code value}. */
    public Tensor maskedFill(Tensor mask, float value) {
        return IndexOps.maskedFill(this, mask, value);
    }

    /** Element-wise choice: {@code a} where {@code condition} is non-zero, else {@code b}; all three broadcast. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return IndexOps.where(condition, a, b);
    }

    // ---------------------------------------------------------------- normalisation

    /** Softmax over {@code dim}, computed stably (the maximum is subtracted first). */
    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim, false);
    }

    /** Log-softmax over {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) {
        return Softmax.softmax(this, dim, true);
    }

    /**
     * Layer normalisation over the last dimension: {@code (x - mean) / sqrt(var + eps) * weight + bias},
     * with the biased variance; {@code weight} and {@code bias} have shape {@code (C)} and may be null.
     */
    public Tensor layerNorm(Tensor weight, Tensor bias, float eps) {
        return LayerNormOp.layerNorm(this, weight, bias, eps);
    }

    /**
     * RMS normalisation over the last dimension (Zhang and Sennrich, 2019; Llama's RMSNorm):
     * {@code x / √(mean(x²) + eps) · weight}, no centring and no bias; {@code weight} {@code (C)} or null.
     */
    public Tensor rmsNorm(Tensor weight, float eps) {
        return LayerNormOp.rmsNorm(this, weight, eps);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} (drawn from
     * {@code rng}) and scales the rest by {@code 1/(1-p)}; when not training, returns this tensor.
     */
    public Tensor dropout(float p, Rng rng, boolean training) {
        return DropoutOp.dropout(this, p, rng, training);
    }

    // ---------------------------------------------------------------- printing

    /** Shape, whether it requires gradients, and up to 8 values from the start and end. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape));
        if (node != null) {
            sb.append(" op=").append(node.op);
        } else if (requiresGrad) {
            sb.append(" requiresGrad");
        }
        sb.append(" [");
        int n = data.length;
        int head = n <= 8 ? n : 4;
        for (int i = 0; i < head; i++) {
            sb.append(i == 0 ? "" : ", ").append(format(data[i]));
        }
        if (n > 8) {
            sb.append(", ...");
            for (int i = n - 4; i < n; i++) {
                sb.append(", ").append(format(data[i]));
            }
        }
        return sb.append(']').toString();
    }

    private static String format(float v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
