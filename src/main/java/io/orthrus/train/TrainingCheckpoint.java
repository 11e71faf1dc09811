package io.orthrus.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.Orthrus;
import io.orthrus.data.BatchSource;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.io.Safetensors;
import io.orthrus.io.Weights;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.optim.OptimizerState;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run saved to a directory: the model's weights and its {@link RunState} (optimizer moments
 * and step, the position in the learning-rate schedule, every random generator's state, the
 * run's config). Training N steps, saving, restoring into freshly built objects and training N
 * more gives bit-identical weights to 2N uninterrupted steps at the same thread count.
 * {@link CheckpointListener} saves and prunes these during a run.
 *
 * <p>The directory holds {@code model.safetensors} (weights by parameter name),
 * {@code optimizer.safetensors} (buffers named {@code "<parameter>#<buffer>"}) and
 * {@code state.json} (format, library version, step, optimizer kind and learning rate,
 * generator states, the validation loss when the step had one, the run config). It is written to
 * a temporary sibling and renamed into place, so a crash leaves the previous checkpoint intact.
 *
 * <pre>{@code
 * TrainingCheckpoint.save(dir, model, trainer.state(train).withConfig(runConfig));
 * // later, with a trainer, batches and objective built the same way from runConfig:
 * TrainingCheckpoint.read(dir).restore(trainer, train);
 * trainer.fit(train, validation); // continues at the saved step
 * }</pre>
 */
public final class TrainingCheckpoint {
    /** Version of the layout; bumped on incompatible changes. */
    public static final int FORMAT_VERSION = 1;
    static final String STATE = "state.json";
    static final String WEIGHTS = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    private static final String FORMAT = "orthrus-training-checkpoint";

    private final Path directory;
    private final String libraryVersion;
    private final RunState state;
    private final Map<String, Tensor> weights;

    private TrainingCheckpoint(Path directory, String libraryVersion, RunState state, Map<String, Tensor> weights) {
        this.directory = directory;
        this.libraryVersion = libraryVersion;
        this.state = state;
        this.weights = weights;
    }

    /**
     * Saves {@code model}'s weights and {@code state} to {@code directory}, replacing it
     * atomically if it exists. Refuses (before writing anything) weights that are not finite.
     */
    public static void save(Path directory, Module model, RunState state) throws IOException {
        OptimizerState optimizer = state.optimizer();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        optimizer.buffers().forEach((name, values) -> buffers.put(name, Tensor.of(values, values.length)));
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("format_version", FORMAT_VERSION);
        json.addProperty("library_version", Orthrus.version());
        json.addProperty("step", state.step());
        json.addProperty("optimizer", optimizer.optimizer());
        json.addProperty("optimizer_step", optimizer.step());
        json.addProperty("learning_rate", optimizer.learningRate());
        if (Double.isFinite(state.validationLoss())) {
            json.addProperty("validation_loss", state.validationLoss());
        }
        JsonObject rngs = new JsonObject();
        state.generators().forEach((name, words) -> {
            JsonArray hex = new JsonArray();
            for (long word : words) {
                hex.add(Long.toHexString(word)); // hex: JSON numbers cannot hold every long exactly
            }
            rngs.add(name, hex);
        });
        json.add("generators", rngs);
        json.add("config", state.config());
        Map<String, Parameter> parameters = model.namedParameters();
        Weights.requireFinite("TrainingCheckpoint.save " + directory, parameters, Weights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Safetensors.write(dir.resolve(WEIGHTS), parameters, Map.of("format", "orthrus"));
            Safetensors.write(dir.resolve(OPTIMIZER), buffers, Map.of("format", "orthrus", "optimizer", optimizer.optimizer()));
            Files.writeString(dir.resolve(STATE), json.toString(), StandardCharsets.UTF_8);
        });
    }

    /** True when {@code directory} holds a training checkpoint's state file. */
    public static boolean isCheckpoint(Path directory) {
        return Files.isRegularFile(directory.resolve(STATE));
    }

    /** Reads and validates a checkpoint directory; nothing is restored until {@link #restore}. */
    public static TrainingCheckpoint read(Path directory) throws IOException {
        Path stateFile = directory.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IllegalArgumentException(directory + " holds no training checkpoint (no " + STATE + ")");
        }
        JsonObject json = JsonFiles.readObject(stateFile);
        try {
            if (!FORMAT.equals(json.get("format").getAsString())) {
                throw new IllegalArgumentException("field 'format' is " + json.get("format") + ", not \"" + FORMAT + "\"");
            }
            int version = json.get("format_version").getAsInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("format_version " + version + " is not supported (this library reads "
                        + FORMAT_VERSION + ")");
            }
            int step = json.get("step").getAsInt();
            if (step < 0) {
                throw new IllegalArgumentException("field 'step' is negative: " + step);
            }
            Map<String, long[]> generators = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("generators").entrySet()) {
                JsonArray words = e.getValue().getAsJsonArray();
                long[] saved = new long[words.size()];
                for (int i = 0; i < saved.length; i++) {
                    saved[i] = Long.parseUnsignedLong(words.get(i).getAsString(), 16);
                }
                new Rng(0).restore(saved); // checks the length now, not half-way through a restore
                generators.put(e.getKey(), saved);
            }
            Map<String, float[]> buffers = new LinkedHashMap<>();
            Safetensors.read(directory.resolve(OPTIMIZER)).tensors().forEach((name, t) -> buffers.put(name, t.data()));
            OptimizerState optimizer = new OptimizerState(json.get("optimizer").getAsString(),
                    json.get("optimizer_step").getAsLong(), json.get("learning_rate").getAsDouble(), buffers);
            JsonObject config = json.getAsJsonObject("config");
            RunState state = new RunState(step, optimizer, generators, config, validationLoss(json, config));
            Map<String, Tensor> weights = Safetensors.read(directory.resolve(WEIGHTS)).tensors();
            Weights.requireFinite(directory.resolve(WEIGHTS).toString(), weights, Weights.ON_LOAD);
            return new TrainingCheckpoint(directory, json.get("library_version").getAsString(), state, weights);
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException
                 | ClassCastException e) {
            throw new IllegalArgumentException(stateFile + ": a field is missing or has the wrong type (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stateFile + ": " + e.getMessage(), e);
        }
    }

    /** The validation loss recorded in {@code directory}'s state file (NaN when none), without reading the weights. */
    static double validationLoss(Path directory) throws IOException {
        Path stateFile = directory.resolve(STATE);
        JsonObject json = JsonFiles.readObject(stateFile);
        try {
            JsonObject config = json.has("config") ? json.getAsJsonObject("config") : new JsonObject();
            return validationLoss(json, config);
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException | ClassCastException e) {
            throw new IllegalArgumentException(stateFile + ": field 'validation_loss' has the wrong type (" + e + ")", e);
        }
    }

    /** The state's validation loss; checkpoints written before it had a field kept it in the CLI's config. */
    private static double validationLoss(JsonObject state, JsonObject config) {
        JsonElement loss = state.has("validation_loss") ? state.get("validation_loss") : config.get("validation_loss");
        return loss == null ? Double.NaN : loss.getAsDouble();
    }

    /** The directory read. */
    public Path directory() {
        return directory;
    }

    /** Optimizer steps taken when the checkpoint was saved. */
    public int step() {
        return state.step();
    }

    /** The version of the library that wrote the checkpoint. */
    public String libraryVersion() {
        return libraryVersion;
    }

    /** The run state saved beside the weights. */
    public RunState state() {
        return state;
    }

    /** A copy of the run config saved with the checkpoint. */
    public JsonObject config() {
        return state.config();
    }

    /**
     * Restores the weights into {@code trainer}'s model and the run state into {@code trainer}
     * and {@code train} ({@link Trainer#restore}), which must have been built as the saved ones
     * were. Everything is checked first (parameter names and shapes, optimizer buffers, generator
     * names, the step against the trainer's total); on a mismatch nothing changes and the message
     * lists what differs.
     */
    public <B> void restore(Trainer<?, B> trainer, BatchSource<B> train) {
        Map<String, Parameter> parameters = trainer.model().namedParameters();
        Weights.requireMatch(directory.resolve(WEIGHTS), parameters, weights, "the model being restored");
        try {
            trainer.restore(state, train); // checks, then changes the optimizer, generators and step
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(directory.resolve(STATE) + ": " + e.getMessage(), e);
        }
        parameters.forEach((name, p) -> System.arraycopy(weights.get(name).data(), 0, p.data(), 0, p.numel()));
    }
}
