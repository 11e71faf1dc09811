package io.orthrus.train;

/**
 * What a run produced.
 *
 * @param steps              the trainer's step count when fit returned (all steps taken, before a stop or restore included)
 * @param finalTrainLoss     mean training loss over the last min(100, steps) steps
 * @param validationLoss     mean loss on the fixed validation batches after the last step
 * @param medianStepMillis   median wall time of a step
 * @param predictionsPerStep predicted positions per step (tokens for a language model)
 */
public record TrainingResult(int steps, double finalTrainLoss, double validationLoss, double medianStepMillis,
                             long predictionsPerStep) {
    /** Predicted positions per second at the median step time. */
    public double predictionsPerSecond() {
        return predictionsPerStep * 1000.0 / medianStepMillis;
    }
}
