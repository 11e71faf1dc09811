package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.orthrus.Orthrus;
import io.orthrus.data.BatchSource;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.nn.Module;
import io.orthrus.nn.Parameter;
import io.orthrus.optim.OptimizerState;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything a run needs to continue as if it had never stopped: the model's weights, the
 * optimizer's moments and step count, the position in the learning-rate schedule, the state of
 * every random generator (dropout, masking or noise, the data sampler) and the run's own config.
 * Training N steps, saving, restoring into freshly built objects and training N more gives
 * bit-identical weights to 2N uninterrupted steps at the same thread count.
 *
 * <p>The directory holds {@code model.safetensors} (weights by parameter name),
 * {@code optimizer.safetensors} (buffers named {@code "<parameter>#<buffer>"}) and
 * {@code state.json} (format, library version, step, optimizer kind and learning rate,
 * generator states, the run config). It is written to a temporary sibling and renamed into
 * place, so a crash leaves the previous checkpoint intact.
 *
 * <pre>{@code
 * TrainingCheckpoint.save(dir, trainer, trainBatches, runConfig);
 * // later, with a trainer, batches and objective built the same way from runConfig:
 * TrainingCheckpoint.read(dir).restore(trainer, trainBatches);
 * trainer.fit(trainBatches, validationBatches); // continues at the saved step
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
    private final int step;
    private final String libraryVersion;
    private final JsonObject config;
    private final Map<String, long[]> generators;
    private final OptimizerState optimizer;
    private final Map<String, Tensor> weights;

    private TrainingCheckpoint(Path directory, int step, String libraryVersion, JsonObject config,
                               Map<String, long[]> generators, OptimizerState optimizer, Map<String, Tensor> weights) {
        this.directory = directory;
        this.step = step;
        this.libraryVersion = libraryVersion;
        this.config = config;
        this.generators = generators;
        this.optimizer = optimizer;
        this.weights = weights;
    }

    /**
     * Saves {@code trainer}'s model, optimizer and step, the generators of its model, objective
     * and {@code train}, and {@code config} (any JSON the caller needs to rebuild the run) to
     * {@code directory}, replacing it atomically if it exists.
     */
    public static <B> void save(Path directory, Trainer<?, B> trainer, BatchSource<B> train, JsonObject config)
            throws IOException {
        Module model = trainer.model();
        OptimizerState optimizer = trainer.optimizer().state();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        optimizer.buffers().forEach((name, values) -> buffers.put(name, Tensor.of(values, values.length)));
        JsonObject state = new JsonObject();
        state.addProperty("format", FORMAT);
        state.addProperty("format_version", FORMAT_VERSION);
        state.addProperty("library_version", Orthrus.version());
        state.addProperty("step", trainer.step());
        state.addProperty("optimizer", optimizer.optimizer());
        state.addProperty("optimizer_step", optimizer.step());
        state.addProperty("learning_rate", optimizer.learningRate());
        JsonObject rngs = new JsonObject();
        trainer.generators(train).forEach((name, rng) -> {
            JsonArray words = new JsonArray();
            for (long word : rng.state()) {
                words.add(Long.toHexString(word)); // hex: JSON numbers cannot hold every long exactly
            }
            rngs.add(name, words);
        });
        state.add("generators", rngs);
        state.add("config", config.deepCopy());
        Map<String, Parameter> parameters = model.namedParameters();
        FiniteWeights.require("TrainingCheckpoint.save " + directory, parameters, FiniteWeights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Safetensors.write(dir.resolve(WEIGHTS), parameters, Map.of("format", "orthrus"));
            Safetensors.write(dir.resolve(OPTIMIZER), buffers, Map.of("format", "orthrus", "optimizer", optimizer.optimizer()));
            Files.writeString(dir.resolve(STATE), state.toString(), StandardCharsets.UTF_8);
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
        JsonObject state = JsonFiles.readObject(stateFile);
        try {
            if (!FORMAT.equals(state.get("format").getAsString())) {
                throw new IllegalArgumentException("field 'format' is " + state.get("format") + ", not \"" + FORMAT + "\"");
            }
            int version = state.get("format_version").getAsInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("format_version " + version + " is not supported (this library reads "
                        + FORMAT_VERSION + ")");
            }
            int step = state.get("step").getAsInt();
            if (step < 0) {
                throw new IllegalArgumentException("field 'step' is negative: " + step);
            }
            Map<String, long[]> generators = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : state.getAsJsonObject("generators").entrySet()) {
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
            OptimizerState optimizer = new OptimizerState(state.get("optimizer").getAsString(),
                    state.get("optimizer_step").getAsLong(), state.get("learning_rate").getAsDouble(), buffers);
            Map<String, Tensor> weights = Safetensors.read(directory.resolve(WEIGHTS)).tensors();
            FiniteWeights.require(directory.resolve(WEIGHTS).toString(), weights, FiniteWeights.ON_LOAD);
            return new TrainingCheckpoint(directory, step, state.get("library_version").getAsString(),
                    state.getAsJsonObject("config"), generators, optimizer, weights);
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException
                 | ClassCastException e) {
            throw new IllegalArgumentException(stateFile + ": a field is missing or has the wrong type (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stateFile + ": " + e.getMessage(), e);
        }
    }

    /** The directory read. */
    public Path directory() {
        return directory;
    }

    /** Optimizer steps taken when the checkpoint was saved. */
    public int step() {
        return step;
    }

    /** The version of the library that wrote the checkpoint. */
    public String libraryVersion() {
        return libraryVersion;
    }

    /** A copy of the run config saved with the checkpoint. */
    public JsonObject config() {
        return config.deepCopy();
    }

    /**
     * Restores the weights, optimizer, step and generator states into {@code trainer} and
     * {@code train}, which must have been built as the saved ones were. Everything is checked
     * first (parameter names and shapes, optimizer buffers, generator names, the step against the
     * trainer's total); on a mismatch nothing changes and the message lists what differs.
     */
    public <B> void restore(Trainer<?, B> trainer, BatchSource<B> train) {
        Map<String, Parameter> parameters = trainer.model().namedParameters();
        Checkpoints.checkWeights(directory.resolve(WEIGHTS), parameters, weights, "the model being restored");
        Map<String, Rng> live = trainer.generators(train);
        if (!live.keySet().equals(generators.keySet())) {
            TreeSet<String> missing = new TreeSet<>(live.keySet());
            missing.removeAll(generators.keySet());
            TreeSet<String> unexpected = new TreeSet<>(generators.keySet());
            unexpected.removeAll(live.keySet());
            throw new IllegalArgumentException(directory.resolve(STATE) + ": the generators differ from the run's; missing "
                    + missing + ", unexpected " + unexpected + " (was the run built from the same config?)");
        }
        List<Runnable> changes = new ArrayList<>();
        parameters.forEach((name, p) -> changes.add(
                () -> System.arraycopy(weights.get(name).data(), 0, p.data(), 0, p.numel())));
        generators.forEach((name, saved) -> changes.add(() -> live.get(name).restore(saved)));
        trainer.restore(step, optimizer); // checks, then changes the optimizer and step
        changes.forEach(Runnable::run);
    }
}
