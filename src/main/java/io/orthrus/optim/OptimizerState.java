package io.orthrus.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything an optimizer needs to resume: its kind, the number of steps taken, its learning
 * rate and its per-parameter buffers, keyed {@code "<parameter name>#<buffer>"} (for example
 * {@code "blocks.0.attn.qkv.weight#exp_avg"}). Values are copies; a checkpoint writer can store
 * them as they are.
 */
public record OptimizerState(String optimizer, long step, double learningRate, Map<String, float[]> buffers) {
    /** Copies the map (the arrays are taken as they are). */
    public OptimizerState {
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }
}
