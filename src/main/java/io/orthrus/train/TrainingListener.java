package io.orthrus.train;

/** Receives progress from a {@link Trainer}; every method has an empty default. */
public interface TrainingListener {
    /** When {@link Trainer#fit} starts, before its first step; {@code step} is the steps already taken. */
    default void beforeFit(int step) {}

    /** After each optimizer step. */
    default void onStep(StepMetrics metrics) {}

    /** After each evaluation on the fixed validation batches. */
    default void onEvaluation(EvaluationMetrics metrics) {}

    /**
     * When a step is complete, its evaluation (if the step has one) included: the place to save a
     * checkpoint, so that a run resumed from it never skips an evaluation.
     */
    default void afterStep(StepMetrics metrics) {}

    /**
     * When {@link Trainer#fit} returns ({@code failure} null) or is about to throw
     * {@code failure}; {@code step} is the steps taken by then.
     */
    default void afterFit(int step, Throwable failure) {}

    /**
     * One optimizer step.
     *
     * @param step         1-based step number
     * @param loss         mean training loss of the step's batches
     * @param learningRate learning rate used
     * @param gradNorm     global gradient norm before clipping
     * @param millis       wall time of the step
     * @param predictions  predicted positions in the step (tokens for a language model)
     */
    record StepMetrics(int step, double loss, double learningRate, double gradNorm, double millis, long predictions) {}

    /**
     * An evaluation.
     *
     * @param step           steps taken so far
     * @param validationLoss mean loss over the fixed validation batches
     * @param perplexity     {@code exp(validationLoss)}
     */
    record EvaluationMetrics(int step, double validationLoss, double perplexity) {}
}
