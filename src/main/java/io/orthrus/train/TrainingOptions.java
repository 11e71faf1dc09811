package io.orthrus.train;

/**
 * How to train: AdamW with linear warm-up and cosine decay, global-norm clipping, optional
 * gradient accumulation, and periodic evaluation on a fixed set of validation batches.
 *
 * @param steps             optimizer steps
 * @param learningRate      peak learning rate, reached after the warm-up
 * @param minLearningRate   learning rate at the end of the cosine decay
 * @param warmupSteps       steps of linear warm-up
 * @param weightDecay       decoupled decay λ of weight matrices and embeddings (biases and norms are not decayed)
 * @param beta1             AdamW β₁
 * @param beta2             AdamW β₂
 * @param clipNorm          global gradient-norm bound (0 = no clipping)
 * @param accumulationSteps micro-batches whose gradients are summed (and averaged) per step
 * @param evalInterval      evaluate every this many steps and after the last (0 = only after the last)
 * @param evalBatches       validation batches in the fixed evaluation set
 */
public record TrainingOptions(int steps, double learningRate, double minLearningRate, int warmupSteps,
                              double weightDecay, double beta1, double beta2, double clipNorm,
                              int accumulationSteps, int evalInterval, int evalBatches) {
    /** Checks every field, naming the one that is wrong. */
    public TrainingOptions {
        require(steps > 0, "steps must be positive, got " + steps);
        require(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate,
                "need 0 <= minLearningRate <= learningRate and learningRate > 0, got " + minLearningRate + " and " + learningRate);
        require(warmupSteps >= 0 && warmupSteps <= steps, "warmupSteps must be in [0, steps], got " + warmupSteps);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1 + ", " + beta2);
        require(clipNorm >= 0, "clipNorm must be >= 0 (0 disables clipping), got " + clipNorm);
        require(accumulationSteps >= 1, "accumulationSteps must be >= 1, got " + accumulationSteps);
        require(evalInterval >= 0, "evalInterval must be >= 0, got " + evalInterval);
        require(evalBatches >= 1, "evalBatches must be >= 1, got " + evalBatches);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("TrainingOptions: " + message);
        }
    }

    /**
     * nanoGPT's recipe for character-level Shakespeare on a CPU, for {@code steps} steps:
     * lr 1e-3 with 100 warm-up steps and cosine decay to 1e-4, AdamW β = (0.9, 0.99),
     * weight decay 0.1, clip 1.0, evaluation on 200 batches at the end.
     */
    public static TrainingOptions nanoGpt(int steps) {
        return new TrainingOptions(steps, 1e-3, 1e-4, Math.min(100, steps), 0.1, 0.9, 0.99, 1.0, 1, 0, 200);
    }

    /** A copy evaluating every {@code interval} steps on {@code batches} batches. */
    public TrainingOptions withEvaluation(int interval, int batches) {
        return new TrainingOptions(steps, learningRate, minLearningRate, warmupSteps, weightDecay, beta1, beta2, clipNorm,
                accumulationSteps, interval, batches);
    }

    /** A copy with another peak and final learning rate. */
    public TrainingOptions withLearningRate(double peak, double end) {
        return new TrainingOptions(steps, peak, end, warmupSteps, weightDecay, beta1, beta2, clipNorm,
                accumulationSteps, evalInterval, evalBatches);
    }

    /** A copy with another decoupled weight decay λ for weight matrices and embeddings. */
    public TrainingOptions withWeightDecay(double value) {
        return new TrainingOptions(steps, learningRate, minLearningRate, warmupSteps, value, beta1, beta2, clipNorm,
                accumulationSteps, evalInterval, evalBatches);
    }

    /** A copy summing gradients over {@code micro} batches per step. */
    public TrainingOptions withAccumulation(int micro) {
        return new TrainingOptions(steps, learningRate, minLearningRate, warmupSteps, weightDecay, beta1, beta2, clipNorm,
                micro, evalInterval, evalBatches);
    }
}
