package io.orthrus.train;

import io.orthrus.data.BatchSource;
import io.orthrus.nn.Module;
import io.orthrus.objective.Objective;
import io.orthrus.optim.AdamW;
import io.orthrus.optim.GradClip;
import io.orthrus.optim.LrSchedule;
import io.orthrus.optim.OptimizerState;
import io.orthrus.optim.ParamGroup;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop. It knows a model, an objective and batches, and nothing of GPT or BERT:
 *
 * <pre>
 * for each step:  lr ← schedule(step)
 *                 for each micro-batch: loss ← objective.loss(model, batch) / micro; loss.backward()
 *                 clip the global gradient norm; AdamW step; zero gradients
 *                 every evalInterval steps: mean loss over the fixed validation batches
 * </pre>
 *
 * Weight matrices and embeddings are decayed, biases and norm gains are not. A non-finite loss
 * or gradient norm stops training with a {@link TrainingDivergedException} before anything is
 * updated (or, with {@link #withDivergencePatience}, after several such steps in a row, each
 * skipped and counted in {@link #skippedSteps()}). {@link #step()}, {@link #restore},
 * {@link #generators} and {@link #requestStop()} are what a resumable checkpoint needs. Each
 * step's activations and gradients come from a {@link Workspace} and are reused by the next step
 * (see {@link #reuseBuffers}).
 *
 * @param <M> the model type
 * @param <B> the batch type
 */
public final class Trainer<M extends Module, B> {
    private final M model;
    private final Objective<? super M, B> objective;
    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final AdamW optimizer;
    private final LrSchedule schedule;
    /** The arrays of one training step's activations and gradients, reused from step to step. */
    private final Workspace stepWorkspace = new Workspace();
    private int step;
    private int divergencePatience = 1;
    private long skippedSteps;
    /** The training loss a fit reports is the mean over this many last steps. */
    private static final int LOSS_WINDOW = 100;
    private boolean reuseBuffers = true;
    private volatile boolean stopRequested;

    /** A trainer of {@code model} on {@code objective}; the optimizer is created here, so its state persists across {@link #fit} calls. */
    public Trainer(M model, Objective<? super M, B> objective, TrainingOptions options) {
        this.model = model;
        this.objective = objective;
        this.options = options;
        this.optimizer = new AdamW(ParamGroup.decayMatricesOnly(model, options.weightDecay()), options.learningRate(),
                options.beta1(), options.beta2(), 1e-8);
        this.schedule = LrSchedule.warmupCosine(options.learningRate(), options.warmupSteps(), options.steps(),
                options.minLearningRate());
    }

    /** Adds a listener; returns this. */
    public Trainer<M, B> addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Tolerates up to {@code steps − 1} consecutive steps whose loss or gradient norm is not finite (each is
     * skipped: no update, the schedule does not advance) before {@link #fit} throws a
     * {@link TrainingDivergedException}; 1, the default, throws at the first. Returns this.
     */
    public Trainer<M, B> withDivergencePatience(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("Trainer: divergence patience must be >= 1 step, got " + steps);
        }
        this.divergencePatience = steps;
        return this;
    }

    /**
     * Whether each training step runs in a {@link Workspace} scope, so that the next step reuses
     * its arrays (the default, {@code true}). Turn it off only for an objective or listener that
     * keeps a tensor computed in one step for a later one, which a workspace would overwrite.
     * Results are bit-identical either way. Returns this.
     */
    public Trainer<M, B> reuseBuffers(boolean reuse) {
        this.reuseBuffers = reuse;
        return this;
    }

    /**
     * Bytes of a training step's activations and gradients that this trainer keeps for the next
     * step; 0 before the first step or with {@link #reuseBuffers} off.
     */
    public long workspaceBytes() {
        return stepWorkspace.pooledBytes();
    }

    /** Steps skipped so far because their loss or gradient norm was not finite (see {@link #withDivergencePatience}). */
    public long skippedSteps() {
        return skippedSteps;
    }

    /** The model being trained. */
    public M model() {
        return model;
    }

    /** The objective. */
    public Objective<? super M, B> objective() {
        return objective;
    }

    /** The options. */
    public TrainingOptions options() {
        return options;
    }

    /** The optimizer, whose state a checkpoint can save. */
    public AdamW optimizer() {
        return optimizer;
    }

    /** Optimizer steps taken so far, which is also the position in the learning-rate schedule. */
    public int step() {
        return step;
    }

    /**
     * Puts the trainer back at {@code step} with the optimizer's moments in {@code state}: what a
     * checkpoint saved. The next {@link #fit} continues from there to {@code options.steps()}.
     * Checks everything before changing anything.
     */
    public void restore(int step, OptimizerState state) {
        if (step < 0 || step > options.steps()) {
            throw new IllegalArgumentException("Trainer.restore: step " + step + " is outside [0, " + options.steps()
                    + "] (the run's steps)");
        }
        optimizer.loadState(state);
        this.step = step;
    }

    /**
     * Every random generator the run draws from, by name: the model's ({@code "model.…"}, such
     * as dropout), the objective's ({@code "objective.…"}) and those of {@code train}
     * ({@code "data.…"}). A checkpoint saves their states; restoring them makes a resumed run
     * draw exactly what the uninterrupted run would have.
     */
    public Map<String, Rng> generators(BatchSource<B> train) {
        Map<String, Rng> out = new LinkedHashMap<>();
        model.namedGenerators().forEach((name, rng) -> out.put("model." + name, rng));
        objective.generators().forEach((name, rng) -> out.put("objective." + name, rng));
        train.generators().forEach((name, rng) -> out.put("data." + name, rng));
        return out;
    }

    /**
     * Asks {@link #fit} to return after the step in progress (from any thread, such as a signal
     * handler), leaving the model, optimizer and generators consistent for a checkpoint.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains on batches from {@code train} until {@code options.steps()} steps have been taken in
     * all (every step on a new trainer, the rest after {@link #restore}), or until
     * {@link #requestStop()}; evaluates on {@code evalBatches} batches drawn once from
     * {@code validation} at the start, so that every evaluation sees the same data. The result's
     * {@code steps} is the trainer's step count when it returns.
     */
    public TrainingResult fit(BatchSource<B> train, BatchSource<B> validation) {
        List<B> evaluationSet = new ArrayList<>(options.evalBatches());
        for (int i = 0; i < options.evalBatches(); i++) {
            evaluationSet.add(validation.next());
        }
        // Sized by the steps done, not the steps asked for: steps = 2^31 − 1 must not allocate 34 GB up front.
        double[] millis = new double[Math.min(options.steps() - step, 1024)];
        double[] losses = new double[LOSS_WINDOW]; // the last steps' losses, as a ring
        int done = 0;
        long predictions = 0;
        double validationLoss = Double.NaN;
        int nonFinite = 0;
        stopRequested = false;
        model.train();
        while (step < options.steps() && !stopRequested) {
            long start = System.nanoTime();
            double lr = schedule.at(step);
            optimizer.setLearningRate(lr);
            double loss = 0;
            predictions = 0;
            boolean finite = true;
            for (int micro = 0; micro < options.accumulationSteps() && finite; micro++) {
                B batch = train.next();
                double value;
                try (Workspace.Scope scope = open(stepWorkspace)) {
                    Tensor batchLoss = objective.loss(model, batch);
                    value = batchLoss.item();
                    if (Double.isFinite(value)) {
                        (options.accumulationSteps() == 1 ? batchLoss : batchLoss.div(options.accumulationSteps()))
                                .backward();
                    }
                }
                if (!Double.isFinite(value)) {
                    optimizer.zeroGrad();
                    if (++nonFinite >= divergencePatience) {
                        throw new TrainingDivergedException(step + 1, "loss", value, lr);
                    }
                    finite = false;
                    skippedSteps++;
                } else {
                    loss += value / options.accumulationSteps();
                    predictions += objective.predictions(batch);
                }
            }
            if (!finite) {
                continue; // skipped: no update, and the schedule stays where it is
            }
            // With clipping off, the norm is still measured (and logged) but never reached. The optimizer's
            // pass scales each piece of the gradients before its update and zeroes it after.
            double gradNorm = GradClip.globalNorm(model.parameters());
            if (!Double.isFinite(gradNorm)) { // an overflowed gradient would write NaN into every weight it reaches
                optimizer.zeroGrad();
                skippedSteps++;
                if (++nonFinite >= divergencePatience) {
                    throw new TrainingDivergedException(step + 1, "gradient norm", gradNorm, lr);
                }
                continue;
            }
            nonFinite = 0;
            optimizer.stepAndZeroGrad(GradClip.scale(gradNorm,
                    options.clipNorm() > 0 ? options.clipNorm() : Double.MAX_VALUE));
            step++;
            if (done == millis.length) {
                millis = Arrays.copyOf(millis, 2 * millis.length);
            }
            millis[done] = (System.nanoTime() - start) / 1e6;
            losses[done % LOSS_WINDOW] = loss;
            done++;
            TrainingListener.StepMetrics stepMetrics =
                    new TrainingListener.StepMetrics(step, loss, lr, gradNorm, millis[done - 1], predictions);
            listeners.forEach(l -> l.onStep(stepMetrics));
            boolean last = step == options.steps();
            if (last || (options.evalInterval() > 0 && step % options.evalInterval() == 0)) {
                validationLoss = evaluate(evaluationSet);
                TrainingListener.EvaluationMetrics metrics =
                        new TrainingListener.EvaluationMetrics(step, validationLoss, Math.exp(validationLoss));
                listeners.forEach(l -> l.onEvaluation(metrics));
            }
            listeners.forEach(l -> l.afterStep(stepMetrics));
        }
        int tail = Math.min(LOSS_WINDOW, done);
        double trainLoss = java.util.stream.IntStream.range(done - tail, done).mapToDouble(i -> losses[i % LOSS_WINDOW])
                .average().orElse(Double.NaN); // oldest first, as the steps came
        double[] sorted = Arrays.copyOf(millis, done);
        Arrays.sort(sorted);
        return new TrainingResult(step, trainLoss, validationLoss, done == 0 ? Double.NaN : sorted[done / 2], predictions);
    }

    /** A scope of {@code workspace}, or none (null, which try-with-resources accepts) when buffers are not reused. */
    private Workspace.Scope open(Workspace workspace) {
        return reuseBuffers ? workspace.open() : null;
    }

    /** Mean loss over {@code batches} in evaluation mode, without gradients. */
    public double evaluate(List<B> batches) {
        // No workspace here: without a graph, each activation is garbage as soon as the next layer has
        // read it, while a workspace would hold a whole forward pass until the batch ends.
        return model.evaluating(() -> {
            double total = 0;
            for (B batch : batches) {
                total += objective.loss(model, batch).item();
            }
            return total / batches.size();
        });
    }
}
