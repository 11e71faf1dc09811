package io.orthrus.train;

import com.google.gson.JsonObject;
import io.orthrus.optim.OptimizerState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run stands, apart from the model's weights: what {@link Trainer#state} takes and
 * {@link Trainer#restore} puts back, and what a {@link TrainingCheckpoint} stores beside the
 * weights. Restored into a trainer, model, objective and data built the same way, the run goes on
 * drawing exactly the batches, masks and dropout it would have drawn without the stop.
 *
 * @param step           optimizer steps taken, which is also the position in the learning-rate schedule
 * @param optimizer      the optimizer's kind, step count, learning rate and per-parameter buffers
 * @param generators     every random generator's state by name: {@code "model.…"} (dropout),
 *                       {@code "objective.…"} (masking, noise) and {@code "data.…"} (the sampler)
 * @param config         whatever the caller needs to rebuild the run (the CLI stores its run.json); never null
 * @param validationLoss the validation loss measured at {@code step}, or NaN when that step had no evaluation
 */
public record RunState(int step, OptimizerState optimizer, Map<String, long[]> generators, JsonObject config,
                       double validationLoss) {
    /** Checks the step and copies the map and the config (the arrays are taken as they are). */
    public RunState {
        if (step < 0) {
            throw new IllegalArgumentException("RunState: step must be >= 0, got " + step);
        }
        if (optimizer == null || generators == null || config == null) {
            throw new IllegalArgumentException("RunState: optimizer, generators and config must not be null");
        }
        generators = Collections.unmodifiableMap(new LinkedHashMap<>(generators));
        config = config.deepCopy();
    }

    /** A copy with {@code config} as the run's config. */
    public RunState withConfig(JsonObject config) {
        return new RunState(step, optimizer, generators, config, validationLoss);
    }

    /** A copy of the run's config. */
    @Override
    public JsonObject config() {
        return config.deepCopy();
    }
}
