package io.orthrus.data;

import io.orthrus.tensor.Rng;
import java.util.Map;

/** An endless supply of training batches of type {@code B}. */
@FunctionalInterface
public interface BatchSource<B> {
    /** The next batch. */
    B next();

    /**
     * The random generators that decide which batches come next, by name, so that a checkpoint
     * can save the sampler's position and a resumed run draw the same batches. None by default.
     */
    default Map<String, Rng> generators() {
        return Map.of();
    }
}
