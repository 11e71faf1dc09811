package io.orthrus.optim;

/** A learning rate as a function of the 0-based step number. */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate for step {@code step} (0-based). */
    double at(long step);

    /** Sets the optimizer's learning rate for {@code step}; call it before {@link Optimizer#step()}. */
    default void apply(Optimizer optimizer, long step) {
        optimizer.setLearningRate(at(step));
    }

    /** The same rate at every step. */
    static LrSchedule constant(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("constant schedule: learning rate must be >= 0, got " + lr);
        }
        return step -> lr;
    }

    /**
     * Linear warm-up to {@code peak} over {@code warmupSteps} steps ({@code peak·(s+1)/(warmup+1)},
     * as nanoGPT), then cosine decay to {@code floor} at {@code totalSteps}, and {@code floor} after.
     */
    static LrSchedule warmupCosine(double peak, long warmupSteps, long totalSteps, double floor) {
        if (!(peak >= floor && floor >= 0) || warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("warmupCosine: need peak >= floor >= 0 and 0 <= warmupSteps <= totalSteps,"
                    + " got peak=" + peak + ", floor=" + floor + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps);
        }
        return step -> {
            if (step < warmupSteps) {
                return peak * (step + 1) / (warmupSteps + 1);
            }
            double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
            return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
        };
    }
}
