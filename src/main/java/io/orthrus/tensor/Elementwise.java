package io.orthrus.tensor;

import io.orthrus.tensor.kernel.Kernels;
import io.orthrus.tensor.kernel.MathKernel;
import io.orthrus.tensor.kernel.Parallel;

/**
 * Element-wise ops. Each forward is followed by its backward: the local derivative times the
 * output gradient, added into the input's gradient (summed over broadcast dimensions).
 */
final class Elementwise {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;
    /** Elements per parallel chunk of the loops that run on the shared pool (a multiple of every SIMD width). */
    static final int PARALLEL_GRAIN = 16384;

    private Elementwise() {}

    // ------------------------------------------------------------ binary, broadcasting

    static Tensor add(Tensor a, Tensor b) {
        Broadcast bc = Broadcast.of("add", a, b);
        float[] x = a.data(), y = b.data(), out = Workspace.uninitialized(bc.size);
        if (bc.same(0) && bc.same(1)) { // same shapes (a residual connection)
            Parallel.shared().forRange(out.length, PARALLEL_GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = x[i] + y[i];
                }
            });
        } else if (bc.period[0] > 0 && bc.period[1] > 0) { // a bias or position table repeated along the rows
            // Both periods are products of trailing dimensions, so the shorter divides the longer: rows of the
            // shorter period start at a multiple of it in both inputs.
            int px = bc.period[0], py = bc.period[1], row = Math.min(px, py);
            Parallel.shared().forRange(out.length / row, Math.max(1, PARALLEL_GRAIN / row), (from, to) -> {
                for (int r = from; r < to; r++) {
                    int at = r * row, xAt = at % px, yAt = at % py;
                    for (int j = 0; j < row; j++) {
                        out[at + j] = x[xAt + j] + y[yAt + j];
                    }
                }
            });
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = x[bc.at(0, i)] + y[bc.at(1, i)];
            }
        }
        return Tensor.fromOp("add", out, bc.shape, g -> {
            addOrStore(a, bc, 0, g);
            addOrStore(b, bc, 1, g);
        }, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Broadcast bc = Broadcast.of("sub", a, b);
        float[] x = a.data(), y = b.data(), out = Workspace.uninitialized(bc.size);
        for (int i = 0; i < out.length; i++) {
            out[i] = x[bc.at(0, i)] - y[bc.at(1, i)];
        }
        return Tensor.fromOp("sub", out, bc.shape, g -> {
            addInto(a.gradBuffer(), bc, 0, g, 1f);
            addInto(b.gradBuffer(), bc, 1, g, -1f);
        }, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Broadcast bc = Broadcast.of("mul", a, b);
        float[] x = a.data(), y = b.data(), out = Workspace.uninitialized(bc.size);
        for (int i = 0; i < out.length; i++) {
            out[i] = x[bc.at(0, i)] * y[bc.at(1, i)];
        }
        return Tensor.fromOp("mul", out, bc.shape, g -> {
            float[] ga = a.gradBuffer(), gb = b.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                int ia = bc.at(0, i), ib = bc.at(1, i);
                if (ga != null) {
                    ga[ia] += g[i] * y[ib]; // d(xy)/dx = y
                }
                if (gb != null) {
                    gb[ib] += g[i] * x[ia]; // d(xy)/dy = x
                }
            }
        }, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        Broadcast bc = Broadcast.of("div", a, b);
        float[] x = a.data(), y = b.data(), out = Workspace.uninitialized(bc.size);
        for (int i = 0; i < out.length; i++) {
            out[i] = x[bc.at(0, i)] / y[bc.at(1, i)];
        }
        return Tensor.fromOp("div", out, bc.shape, g -> {
            float[] ga = a.gradBuffer(), gb = b.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                int ia = bc.at(0, i), ib = bc.at(1, i);
                if (ga != null) {
                    ga[ia] += g[i] / y[ib]; // d(x/y)/dx = 1/y
                }
                if (gb != null) {
                    gb[ib] -= g[i] * out[i] / y[ib]; // d(x/y)/dy = -x/y² = -out/y
                }
            }
        }, a, b);
    }

    /**
     * The backward of add for one input: copies the output's gradient when it has the input's shape
     * and is the first to reach it (a residual branch), else adds it in.
     */
    private static void addOrStore(Tensor input, Broadcast bc, int which, float[] g) {
        float[] fresh = bc.same(which) ? input.gradBufferToOverwrite() : null;
        if (fresh != null) {
            Parallel.shared().forRange(g.length, PARALLEL_GRAIN,
                    (from, to) -> System.arraycopy(g, from, fresh, from, to - from));
        } else {
            addInto(input.gradBuffer(), bc, which, g, 1f);
        }
    }

    /** grad[input's element] += scale · g[i], summing where the input was broadcast. */
    private static void addInto(float[] grad, Broadcast bc, int input, float[] g, float scale) {
        if (grad == null) {
            return;
        }
        int[] map = bc.index[input];
        if (bc.same(input)) {
            Parallel.shared().forRange(g.length, PARALLEL_GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    grad[i] += scale * g[i];
                }
            });
        } else if (map == null) { // the input repeats every `period` elements: sum the repeats, in order
            int period = bc.period[input], repeats = g.length / period;
            Parallel.shared().forRange(period, Math.max(64, PARALLEL_GRAIN / repeats), (from, to) -> {
                for (int r = 0; r < repeats; r++) {
                    int at = r * period;
                    for (int j = from; j < to; j++) {
                        grad[j] += scale * g[at + j];
                    }
                }
            });
        } else {
            for (int i = 0; i < g.length; i++) {
                grad[map[i]] += scale * g[i];
            }
        }
    }

    // ------------------------------------------------------------ unary

    /** {@code scale · x + shift}: the scalar add, sub, mul, div and neg. */
    static Tensor affine(Tensor a, float scale, float shift, String op) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = scale * x[i] + shift;
        }
        return Tensor.fromOp(op, out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += scale * g[i];
            }
        }, a);
    }

    static Tensor pow(Tensor a, float exponent) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.pow(x[i], exponent);
        }
        return Tensor.fromOp("pow", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * exponent * (float) Math.pow(x[i], exponent - 1); // d(x^p)/dx = p·x^(p-1)
            }
        }, a);
    }

    static Tensor exp(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.exp(x[i]);
        }
        return Tensor.fromOp("exp", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * out[i]; // d(e^x)/dx = e^x
            }
        }, a);
    }

    static Tensor log(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.log(x[i]);
        }
        return Tensor.fromOp("log", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] / x[i];
            }
        }, a);
    }

    static Tensor sqrt(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.sqrt(x[i]);
        }
        return Tensor.fromOp("sqrt", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * 0.5f / out[i]; // d√x/dx = 1/(2√x)
            }
        }, a);
    }

    static Tensor tanh(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.tanh(x[i]);
        }
        return Tensor.fromOp("tanh", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * (1f - out[i] * out[i]); // d tanh/dx = 1 - tanh²
            }
        }, a);
    }

    static Tensor sigmoid(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = sigmoid(x[i]);
        }
        return Tensor.fromOp("sigmoid", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                ga[i] += g[i] * out[i] * (1f - out[i]); // dσ/dx = σ(1-σ)
            }
        }, a);
    }

    /** SiLU (swish): {@code x·σ(x)}. */
    static Tensor silu(Tensor a) {
        return siluGated(a, null);
    }

    /**
     * SwiGLU's gated product {@code silu(gate) ⊙ up} as one op (Llama's feed-forward before its down
     * projection), without the intermediate {@code silu(gate)} tensor; same shapes in and out.
     */
    static Tensor siluGate(Tensor gate, Tensor up) {
        if (!java.util.Arrays.equals(gate.shape(), up.shape())) {
            throw new IllegalArgumentException("siluGate: gate " + java.util.Arrays.toString(gate.shape())
                    + " and up " + java.util.Arrays.toString(up.shape()) + " must have the same shape");
        }
        return siluGated(gate, up);
    }

    /** {@code silu(gate) ⊙ up}, or {@code silu(gate)} when {@code up} is null, through {@link MathKernel#siluGate}. */
    private static Tensor siluGated(Tensor gate, Tensor up) {
        MathKernel math = Kernels.math();
        Parallel pool = Parallel.shared();
        float[] x = gate.data(), u = up == null ? null : up.data(), out = Workspace.uninitialized(x.length);
        pool.forRange(x.length, PARALLEL_GRAIN, (from, to) -> math.siluGate(x, u, out, from, to));
        Backward backward = g -> {
            float[] gx = gate.gradBuffer(), gu = up == null ? null : up.gradBuffer();
            pool.forRange(g.length, PARALLEL_GRAIN, (from, to) -> math.siluGateBackward(x, u, g, gx, gu, from, to));
        };
        return up == null ? Tensor.fromOp("silu", out, gate.shape(), backward, gate)
                : Tensor.fromOp("siluGate", out, gate.shape(), backward, gate, up);
    }

    /** The logistic function, without overflow for large |x|. */
    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    static Tensor relu(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] > 0 ? x[i] : 0f;
        }
        return Tensor.fromOp("relu", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                if (x[i] > 0) {
                    ga[i] += g[i];
                }
            }
        }, a);
    }

    static Tensor geluTanh(Tensor a) {
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            float inner = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
            out[i] = 0.5f * v * (1f + (float) Math.tanh(inner));
        }
        return Tensor.fromOp("gelu", out, a.shape(), g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                float v = x[i];
                float inner = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
                float t = (float) Math.tanh(inner);
                float dInner = SQRT_2_OVER_PI * (1f + 3f * GELU_CUBIC * v * v);
                // d/dx [0.5x(1+t)] = 0.5(1+t) + 0.5x(1-t²)·dinner/dx
                ga[i] += g[i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * dInner);
            }
        }, a);
    }

    static Tensor geluErf(Tensor a) {
        MathKernel math = Kernels.math();
        float[] x = a.data(), out = Workspace.uninitialized(x.length);
        Parallel pool = Parallel.shared();
        pool.forRange(x.length, PARALLEL_GRAIN, (from, to) -> math.gelu(x, out, from, to));
        return Tensor.fromOp("gelu_exact", out, a.shape(), g -> {
            float[] newGx = a.gradBufferToOverwrite(); // stored when this is the first gradient to reach a
            float[] gx = newGx != null ? newGx : a.gradBuffer();
            pool.forRange(g.length, PARALLEL_GRAIN, (from, to) -> math.geluBackward(x, g, gx, from, to, newGx == null));
        }, a);
    }
}
