package io.orthrus.train;

import io.orthrus.data.BatchSource;
import io.orthrus.nn.Module;
import io.orthrus.objective.Objective;
import io.orthrus.optim.AdamW;
import io.orthrus.optim.GradClip;
import io.orthrus.optim.LrSchedule;
import io.orthrus.optim.ParamGroup;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * stops training with a {@link TrainingDivergedException} before anything is updated.
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
    private int step;

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

    /** The optimizer, whose state a checkpoint can save. */
    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * Trains for {@code options.steps()} steps on batches from {@code train}; evaluates on
     * {@code evalBatches} batches drawn once from {@code validation} at the start, so that every
     * evaluation sees the same data.
     */
    public TrainingResult fit(BatchSource<B> train, BatchSource<B> validation) {
        List<B> evaluationSet = new ArrayList<>(options.evalBatches());
        for (int i = 0; i < options.evalBatches(); i++) {
            evaluationSet.add(validation.next());
        }
        double[] millis = new double[options.steps()];
        double[] losses = new double[options.steps()];
        long predictions = 0;
        double validationLoss = Double.NaN;
        model.train();
        for (int s = 0; s < options.steps(); s++) {
            long start = System.nanoTime();
            double lr = schedule.at(step);
            optimizer.setLearningRate(lr);
            double loss = 0;
            predictions = 0;
            for (int micro = 0; micro < options.accumulationSteps(); micro++) {
                B batch = train.next();
                Tensor batchLoss = objective.loss(model, batch);
                double value = batchLoss.item();
                if (!Double.isFinite(value)) {
                    optimizer.zeroGrad();
                    throw new TrainingDivergedException(step + 1, value, lr);
                }
                loss += value / options.accumulationSteps();
                predictions += objective.predictions(batch);
                (options.accumulationSteps() == 1 ? batchLoss : batchLoss.div(options.accumulationSteps())).backward();
            }
            // With clipping off, the norm is still measured (and logged) but never reached.
            double gradNorm = GradClip.clipGlobalNorm(model.parameters(),
                    options.clipNorm() > 0 ? options.clipNorm() : Double.MAX_VALUE);
            optimizer.step();
            optimizer.zeroGrad();
            step++;
            millis[s] = (System.nanoTime() - start) / 1e6;
            losses[s] = loss;
            TrainingListener.StepMetrics stepMetrics =
                    new TrainingListener.StepMetrics(step, loss, lr, gradNorm, millis[s], predictions);
            listeners.forEach(l -> l.onStep(stepMetrics));
            boolean last = s == options.steps() - 1;
            if (last || (options.evalInterval() > 0 && step % options.evalInterval() == 0)) {
                validationLoss = evaluate(evaluationSet);
                TrainingListener.EvaluationMetrics metrics =
                        new TrainingListener.EvaluationMetrics(step, validationLoss, Math.exp(validationLoss));
                listeners.forEach(l -> l.onEvaluation(metrics));
            }
        }
        int tail = Math.min(100, losses.length);
        double trainLoss = Arrays.stream(losses, losses.length - tail, losses.length).average().orElse(Double.NaN);
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new TrainingResult(options.steps(), trainLoss, validationLoss, sorted[sorted.length / 2], predictions);
    }

    /** Mean loss over {@code batches} in evaluation mode, without gradients. */
    public double evaluate(List<B> batches) {
        return model.evaluating(() -> {
            double total = 0;
            for (B batch : batches) {
                total += objective.loss(model, batch).item();
            }
            return total / batches.size();
        });
    }
}
