package io.orthrus.train;

import com.google.gson.JsonObject;
import io.orthrus.data.BatchSource;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.objective.Objective;
import io.orthrus.optim.AdamW;
import io.orthrus.optim.GradClip;
import io.orthrus.optim.LrSchedule;
import io.orthrus.optim.Optimizer;
import io.orthrus.optim.ParamGroup;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tensor.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The training loop. It knows a model, an objective and batches, and nothing of GPT or BERT:
 *
 * <pre>
 * for each step:  lr ← schedule(step)
 *                 for each micro-batch: loss ← objective.loss(model, batch) / micro; loss.backward()
 *                 clip the global gradient norm; optimizer step; zero gradients
 *                 every evalInterval steps: mean loss over the fixed validation batches
 * </pre>
 *
 * The optimizer is AdamW with warm-up and cosine decay from the {@link TrainingOptions} unless
 * the constructor is given another; with it, weight matrices and embeddings are decayed, biases
 * and norm gains are not. A non-finite loss or gradient norm stops training with a
 * {@link TrainingDivergedException} before anything is updated (or, with
 * {@link #withDivergencePatience}, after several such steps in a row, each skipped and counted in
 * {@link #skippedSteps()}). A run stops and resumes through {@link #state}, {@link #restore} and
 * {@link #requestStop()}; {@link CheckpointListener} does it in a few lines. Each step's
 * activations and gradients come from a {@link Workspace} and are reused by the next step (see
 * {@link #reuseBuffers}).
 *
 * @param <M> the model type
 * @param <B> the batch type
 */
public final class Trainer<M extends Module, B> {
    /** The training loss a fit reports is the mean over this many last steps. */
    private static final int LOSS_WINDOW = 100;

    private final M model;
    private final Objective<? super M, B> objective;
    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    /** The arrays of one training step's activations and gradients, reused from step to step. */
    private final Workspace stepWorkspace = new Workspace();
    private int step;
    private int divergencePatience = 1;
    /** Non-finite steps in a row so far. */
    private int nonFinite;
    private long skippedSteps;
    /** The step of the last evaluation and its loss, for {@link #state}; -1 before any. */
    private int evaluatedStep = -1;
    private double evaluatedLoss = Double.NaN;
    private boolean reuseBuffers = true;
    private volatile boolean stopRequested;

    /**
     * A trainer of {@code model} on {@code objective} with AdamW ({@code options}' β₁, β₂ and
     * weight decay of weight matrices and embeddings) and linear warm-up then cosine decay from
     * {@code options.learningRate()} to {@code options.minLearningRate()}. The optimizer is
     * created here, so its state persists across {@link #fit} calls.
     */
    public Trainer(M model, Objective<? super M, B> objective, TrainingOptions options) {
        this(model, objective, options,
                new AdamW(ParamGroup.decayMatricesOnly(model, options.weightDecay()), options.learningRate(),
                        options.beta1(), options.beta2(), 1e-8),
                LrSchedule.warmupCosine(options.learningRate(), options.warmupSteps(), options.steps(),
                        options.minLearningRate()));
    }

    /**
     * A trainer that updates with {@code optimizer} at the learning rate {@code schedule} gives
     * each 0-based step; {@code options}' learning rates, betas and weight decay are then unused
     * (its steps, clipping, accumulation and evaluation still apply). The optimizer must update
     * only parameters of {@code model}; parameters it leaves out stay as they are.
     *
     * @throws IllegalArgumentException if the optimizer holds a parameter that is not the model's
     */
    public Trainer(M model, Objective<? super M, B> objective, TrainingOptions options, Optimizer optimizer,
                   LrSchedule schedule) {
        Set<Parameter> own = Collections.newSetFromMap(new IdentityHashMap<>());
        own.addAll(model.parameters());
        for (ParamGroup group : optimizer.groups()) {
            group.parameters().forEach((name, p) -> {
                if (!own.contains(p)) {
                    throw new IllegalArgumentException("Trainer: the optimizer's parameter '" + name + "' (group '"
                            + group.name() + "') is not a parameter of the model being trained");
                }
            });
        }
        this.model = model;
        this.objective = objective;
        this.options = options;
        this.optimizer = optimizer;
        this.schedule = schedule;
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

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Optimizer steps taken so far, which is also the position in the learning-rate schedule. */
    public int step() {
        return step;
    }

    /**
     * Where the run stands, for a checkpoint: the step, a copy of the optimizer's state, the state
     * of every random generator the run draws from (the model's, the objective's and those of
     * {@code train}), the validation loss if the current step was evaluated, and an empty config
     * (see {@link RunState#withConfig}). The model's weights are not copied: save them beside it.
     */
    public RunState state(BatchSource<B> train) {
        Map<String, long[]> states = new LinkedHashMap<>();
        generators(train).forEach((name, rng) -> states.put(name, rng.state()));
        return new RunState(step, optimizer.state(), states, new JsonObject(),
                evaluatedStep == step ? evaluatedLoss : Double.NaN);
    }

    /**
     * Puts the trainer and {@code train} back where {@code state} was taken: the step, the
     * optimizer's state and every generator's. The model's weights are the caller's to restore
     * (as {@link TrainingCheckpoint#restore} does). The next {@link #fit} continues from there.
     * Checks everything before changing anything: the step against {@code options.steps()}, the
     * generator names against this run's, and the optimizer's kind, buffers and sizes.
     */
    public void restore(RunState state, BatchSource<B> train) {
        if (state.step() > options.steps()) {
            throw new IllegalArgumentException("Trainer.restore: step " + state.step() + " is outside [0, "
                    + options.steps() + "] (the run's steps)");
        }
        Map<String, Rng> live = generators(train);
        Map<String, long[]> saved = state.generators();
        if (!live.keySet().equals(saved.keySet())) {
            Set<String> missing = new TreeSet<>(live.keySet());
            missing.removeAll(saved.keySet());
            Set<String> unexpected = new TreeSet<>(saved.keySet());
            unexpected.removeAll(live.keySet());
            throw new IllegalArgumentException("Trainer.restore: the generators differ from the run's; missing " + missing
                    + ", unexpected " + unexpected + " (was the run built from the same config?)");
        }
        saved.forEach((name, words) -> new Rng(0).restore(words)); // checks each state's length before any change
        optimizer.loadState(state.optimizer()); // checks, then changes
        saved.forEach((name, words) -> live.get(name).restore(words));
        step = state.step();
        evaluatedStep = Double.isNaN(state.validationLoss()) ? -1 : step;
        evaluatedLoss = state.validationLoss();
    }

    /**
     * Every random generator the run draws from, by name: the model's ({@code "model.…"}, such
     * as dropout), the objective's ({@code "objective.…"}) and those of {@code train}
     * ({@code "data.…"}).
     */
    Map<String, Rng> generators(BatchSource<B> train) {
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

    /** {@link #fit(BatchSource, BatchSource, int)} to the run's last step, {@code options.steps()}. */
    public TrainingResult fit(BatchSource<B> train, BatchSource<B> validation) {
        return fit(train, validation, options.steps());
    }

    /**
     * Trains on batches from {@code train} until the trainer has taken {@code untilStep} steps in
     * all (every step on a new trainer, the rest after {@link #restore}), or until
     * {@link #requestStop()}; evaluates on {@code evalBatches} batches drawn once from
     * {@code validation} at the start, so that every evaluation sees the same data, every
     * {@code evalInterval} steps and after the run's last step. The result's {@code steps} is the
     * trainer's step count when it returns. Listeners hear {@code beforeFit} first and
     * {@code afterFit} last, also when training throws.
     *
     * @throws IllegalArgumentException if {@code untilStep} is not in [1, options.steps()]
     * @throws TrainingDivergedException when {@link #withDivergencePatience} non-finite steps came in a row
     */
    public TrainingResult fit(BatchSource<B> train, BatchSource<B> validation, int untilStep) {
        if (untilStep < 1 || untilStep > options.steps()) {
            throw new IllegalArgumentException("Trainer.fit: untilStep must be in [1, " + options.steps()
                    + "] (the run's steps), got " + untilStep);
        }
        List<B> evaluationSet = new ArrayList<>(options.evalBatches());
        for (int i = 0; i < options.evalBatches(); i++) {
            evaluationSet.add(validation.next());
        }
        stopRequested = false;
        nonFinite = 0;
        model.train();
        listeners.forEach(l -> l.beforeFit(step));
        TrainingResult result;
        try {
            result = loop(train, evaluationSet, untilStep);
        } catch (RuntimeException | Error e) {
            for (TrainingListener l : listeners) {
                try {
                    l.afterFit(step, e);
                } catch (RuntimeException | Error also) {
                    e.addSuppressed(also);
                }
            }
            throw e;
        }
        listeners.forEach(l -> l.afterFit(step, null));
        return result;
    }

    /** The steps of one fit, with their listeners and evaluations. */
    private TrainingResult loop(BatchSource<B> train, List<B> evaluationSet, int untilStep) {
        // Sized by the steps done, not the steps asked for: steps = 2^31 − 1 must not allocate 34 GB up front.
        double[] millis = new double[Math.max(1, Math.min(untilStep - step, 1024))];
        double[] losses = new double[LOSS_WINDOW]; // the last steps' losses, as a ring
        int done = 0;
        long predictions = 0;
        double validationLoss = Double.NaN;
        while (step < untilStep && !stopRequested) {
            TrainingListener.StepMetrics metrics = trainStep(train);
            if (metrics == null) {
                continue; // skipped: no update, and the schedule stays where it is
            }
            if (done == millis.length) {
                millis = Arrays.copyOf(millis, 2 * millis.length);
            }
            millis[done] = metrics.millis();
            losses[done % LOSS_WINDOW] = metrics.loss();
            predictions = metrics.predictions();
            done++;
            listeners.forEach(l -> l.onStep(metrics));
            if (step == options.steps() || (options.evalInterval() > 0 && step % options.evalInterval() == 0)) {
                validationLoss = evaluateAndReport(evaluationSet);
            }
            listeners.forEach(l -> l.afterStep(metrics));
        }
        int tail = Math.min(LOSS_WINDOW, done);
        double trainLoss = java.util.stream.IntStream.range(done - tail, done).mapToDouble(i -> losses[i % LOSS_WINDOW])
                .average().orElse(Double.NaN); // oldest first, as the steps came
        double[] sorted = Arrays.copyOf(millis, done);
        Arrays.sort(sorted);
        return new TrainingResult(step, trainLoss, validationLoss, done == 0 ? Double.NaN : sorted[done / 2], predictions);
    }

    /**
     * One optimizer step over {@code accumulationSteps} micro-batches: forward, backward, clip,
     * update. Returns its metrics, or null when it was skipped because its loss or gradient norm
     * was not finite (then nothing is updated and the gradients are zeroed).
     */
    private TrainingListener.StepMetrics trainStep(BatchSource<B> train) {
        long start = System.nanoTime();
        double lr = schedule.at(step);
        optimizer.setLearningRate(lr);
        double loss = 0;
        long predictions = 0;
        for (int micro = 0; micro < options.accumulationSteps(); micro++) {
            B batch = train.next();
            double value = lossAndBackward(batch);
            if (!Double.isFinite(value)) {
                skip("loss", value, lr);
                return null;
            }
            loss += value / options.accumulationSteps();
            predictions += objective.predictions(batch);
        }
        // With clipping off, the norm is still measured (and logged) but never reached. The optimizer's
        // pass scales each piece of the gradients before its update and zeroes it after.
        double gradNorm = GradClip.globalNorm(model.parameters());
        if (!Double.isFinite(gradNorm)) { // an overflowed gradient would write NaN into every weight it reaches
            skip("gradient norm", gradNorm, lr);
            return null;
        }
        nonFinite = 0;
        optimizer.stepAndZeroGrad(GradClip.scale(gradNorm, options.clipNorm() > 0 ? options.clipNorm() : Double.MAX_VALUE));
        step++;
        return new TrainingListener.StepMetrics(step, loss, lr, gradNorm, (System.nanoTime() - start) / 1e6, predictions);
    }

    /** The batch's loss; its gradients (divided by the micro-batch count) are added when the loss is finite. */
    private double lossAndBackward(B batch) {
        try (Workspace.Scope scope = reuseBuffers ? stepWorkspace.open() : null) { // null: try accepts it, closes nothing
            Tensor batchLoss = objective.loss(model, batch);
            double value = batchLoss.item();
            if (Double.isFinite(value)) {
                (options.accumulationSteps() == 1 ? batchLoss : batchLoss.div(options.accumulationSteps())).backward();
            }
            return value;
        }
    }

    /** Drops the step's gradients and counts it skipped, or throws once patience is spent. */
    private void skip(String quantity, double value, double lr) {
        optimizer.zeroGrad();
        if (++nonFinite >= divergencePatience) {
            throw new TrainingDivergedException(step + 1, quantity, value, lr);
        }
        skippedSteps++;
    }

    /** Evaluates, remembers the result for {@link #state} and tells the listeners; returns the loss. */
    private double evaluateAndReport(List<B> evaluationSet) {
        double loss = evaluate(evaluationSet);
        evaluatedStep = step;
        evaluatedLoss = loss;
        TrainingListener.EvaluationMetrics metrics = new TrainingListener.EvaluationMetrics(step, loss, Math.exp(loss));
        listeners.forEach(l -> l.onEvaluation(metrics));
        return loss;
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
