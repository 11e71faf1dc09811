package io.orthrus.jmh;

import io.orthrus.nn.AttentionMask;
import io.orthrus.optim.AdamW;
import io.orthrus.optim.ParamGroup;
import io.orthrus.tensor.Attention;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.Workspace;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused ops of a nanoGPT-recipe step (B = 12, T = 64, C = 128, 4 heads, 65 tokens), each
 * forward and backward, in a workspace as the trainer runs them, on the kernels the JVM chose
 * ({@code Kernels.gemm()}, {@code Kernels.math()}) and the shared pool; plus one AdamW step over
 * the recipe's 804,096 parameters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OpsBenchmark {
    private static final int B = 12, T = 64, C = 128, HEADS = 4, VOCAB = 65;

    private final Workspace workspace = new Workspace();
    private Tensor qkv, hidden, wide, gain, shift, logits, upstream, upstreamWide;
    private Tensor causal;
    private IntTensor targets;
    private AdamW optimizer;

    /** Random activations of the recipe's shapes; a model whose gradients are set for the optimizer. */
    @Setup
    public void setUp() {
        Rng rng = new Rng(1);
        qkv = Tensor.randn(rng, B, T, 3 * C).requiresGrad(true);
        hidden = Tensor.randn(rng, B, T, C).requiresGrad(true);
        wide = Tensor.randn(rng, B, T, 4 * C).requiresGrad(true);
        gain = Tensor.ones(C).requiresGrad(true);
        shift = Tensor.zeros(C).requiresGrad(true);
        logits = Tensor.randn(rng, B * T, VOCAB).requiresGrad(true);
        upstream = Tensor.randn(rng, B, T, C);
        upstreamWide = Tensor.randn(rng, B, T, 4 * C);
        causal = AttentionMask.causal().blocked(1, T, T, 0); // (1, 1, T, T)
        int[] ids = new int[B * T];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % VOCAB;
        }
        targets = IntTensor.wrap(ids, B * T);
        Gpt model = new Gpt(TransformerConfig.nanoGptCpu(VOCAB), new Rng(2));
        for (Parameter p : model.parameters()) {
            float[] grad = p.gradBuffer();
            for (int i = 0; i < grad.length; i++) {
                grad[i] = 1e-3f * ((i % 7) - 3);
            }
        }
        optimizer = new AdamW(ParamGroup.decayMatricesOnly(model, 0.1), 1e-3, 0.9, 0.99, 1e-8);
    }

    /** Fused causal self-attention, forward and backward. */
    @Benchmark
    public float attention() {
        try (Workspace.Scope scope = workspace.open()) {
            Tensor out = Attention.selfAttention(qkv, HEADS, causal);
            out.backward(upstream);
            return out.data()[0];
        }
    }

    /** Layer norm with gain and bias, forward and backward. */
    @Benchmark
    public float layerNorm() {
        try (Workspace.Scope scope = workspace.open()) {
            Tensor out = hidden.layerNorm(gain, shift, 1e-5f);
            out.backward(upstream);
            return out.data()[0];
        }
    }

    /** Exact GELU over the feed-forward width, forward and backward. */
    @Benchmark
    public float gelu() {
        try (Workspace.Scope scope = workspace.open()) {
            Tensor out = wide.geluExact();
            out.backward(upstreamWide);
            return out.data()[0];
        }
    }

    /** Cross-entropy over the logits of a batch, forward and backward. */
    @Benchmark
    public float crossEntropy() {
        try (Workspace.Scope scope = workspace.open()) {
            Tensor loss = Losses.crossEntropy(logits, targets);
            loss.backward();
            return loss.item();
        }
    }

    /** One AdamW update of every parameter. */
    @Benchmark
    public void adamW() {
        optimizer.step();
    }
}
