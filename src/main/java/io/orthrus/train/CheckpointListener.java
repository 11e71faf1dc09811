package io.orthrus.train;

import com.google.gson.JsonObject;
import io.orthrus.data.BatchSource;
import io.orthrus.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Makes a run resumable: saves a {@link TrainingCheckpoint} of the trainer every few steps and
 * when {@link Trainer#fit} returns, keeps the last few, keeps the one with the lowest validation
 * loss, and restores the latest into a newly built run. With {@link StopOnInterrupt}, a Ctrl-C
 * saves the step in progress. In a run directory it writes
 * {@code checkpoints/step-00000500/} (and so on) and {@code best/}; every save goes to a
 * temporary sibling and is renamed into place, so a kill at any moment leaves the previous
 * checkpoints whole.
 *
 * <pre>{@code
 * CheckpointListener<IntTensor> checkpoints = new CheckpointListener<>(runDirectory, trainer, train)
 *         .every(500).keepLast(3);
 * checkpoints.resume();              // continues from the latest checkpoint, if there is one
 * trainer.addListener(checkpoints);
 * try (StopOnInterrupt interrupt = StopOnInterrupt.install(trainer)) { // optional: Ctrl-C saves, then exits
 *     trainer.fit(train, validation);
 * }
 * }</pre>
 *
 * @param <B> the batch type of the trainer and its training data
 */
public final class CheckpointListener<B> implements TrainingListener {
    /** The subdirectory of the periodic checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The subdirectory of the checkpoint with the lowest validation loss. */
    public static final String BEST = "best";
    private static final String NAME = "step-\\d{8}";

    private final Path directory;
    private final Trainer<?, B> trainer;
    private final BatchSource<B> train;
    private int interval;
    private int keep = 2;
    private boolean keepBest = true;
    private JsonObject config = new JsonObject();
    private double best = Double.POSITIVE_INFINITY;
    /** The step of the newest periodic checkpoint, so that fit's end does not save it twice. */
    private int savedStep = -1;

    /**
     * Checkpoints of {@code trainer} and its training data {@code train} (whose sampler state is
     * saved too) in {@code directory}, every {@code options.evalInterval()} steps by default.
     */
    public CheckpointListener(Path directory, Trainer<?, B> trainer, BatchSource<B> train) {
        this.directory = directory;
        this.trainer = trainer;
        this.train = train;
        this.interval = trainer.options().evalInterval();
    }

    /** Saves every {@code steps} steps (0: only when fit returns); returns this. */
    public CheckpointListener<B> every(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("CheckpointListener: the interval must be >= 0 steps, got " + steps);
        }
        this.interval = steps;
        return this;
    }

    /** Keeps the {@code count} newest periodic checkpoints (default 2) and deletes older ones; returns this. */
    public CheckpointListener<B> keepLast(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("CheckpointListener: must keep at least 1 checkpoint, got " + count);
        }
        this.keep = count;
        return this;
    }

    /** Whether to keep the checkpoint of the lowest validation loss in {@code best/} (default true); returns this. */
    public CheckpointListener<B> keepBest(boolean enabled) {
        this.keepBest = enabled;
        return this;
    }

    /** Stores {@code runConfig} (what rebuilds the run) in every checkpoint; returns this. */
    public CheckpointListener<B> withConfig(JsonObject runConfig) {
        this.config = runConfig.deepCopy();
        return this;
    }

    /**
     * Restores the newest checkpoint into the trainer, its model and the training data, and reads
     * the best validation loss so far; returns the step it resumed at, or empty when the directory
     * holds no checkpoint (a new run). First removes what a kill during a save left behind.
     */
    public OptionalInt resume() throws IOException {
        cleanUp();
        Optional<Path> latest = latest();
        if (latest.isEmpty()) {
            return OptionalInt.empty();
        }
        TrainingCheckpoint.read(latest.get()).restore(trainer, train);
        savedStep = trainer.step();
        Path bestDirectory = directory.resolve(BEST);
        if (TrainingCheckpoint.isCheckpoint(bestDirectory)) {
            double loss = TrainingCheckpoint.validationLoss(bestDirectory);
            best = Double.isNaN(loss) ? Double.POSITIVE_INFINITY : loss;
        }
        return OptionalInt.of(trainer.step());
    }

    /** The periodic checkpoints on disk, oldest first. */
    public List<Path> checkpoints() throws IOException {
        Path checkpoints = directory.resolve(CHECKPOINTS);
        if (!Files.isDirectory(checkpoints)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(checkpoints)) {
            return files.filter(p -> p.getFileName().toString().matches(NAME) && TrainingCheckpoint.isCheckpoint(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /** The newest periodic checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = checkpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The lowest validation loss seen (and kept in {@code best/}); +∞ before any evaluation. */
    public double bestValidationLoss() {
        return best;
    }

    @Override
    public void onEvaluation(EvaluationMetrics metrics) {
        if (keepBest && metrics.validationLoss() < best) {
            best = metrics.validationLoss();
            save(directory.resolve(BEST));
        }
    }

    @Override
    public void afterStep(StepMetrics metrics) { // after the step's evaluation: resuming from here skips none
        if (interval > 0 && metrics.step() % interval == 0) {
            savePeriodic();
        }
    }

    @Override
    public void afterFit(int step, Throwable failure) {
        if (failure == null && step != savedStep) {
            savePeriodic();
        }
    }

    private void savePeriodic() {
        int step = trainer.step();
        save(directory.resolve(CHECKPOINTS).resolve(String.format(Locale.ROOT, "step-%08d", step)));
        savedStep = step;
        try {
            List<Path> all = checkpoints();
            for (int i = 0; i < all.size() - keep; i++) {
                AtomicFiles.delete(all.get(i)); // renamed first: a kill never leaves half a checkpoint
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CheckpointListener: could not prune " + directory.resolve(CHECKPOINTS)
                    + ": " + e.getMessage(), e);
        }
    }

    private void save(Path target) {
        try {
            TrainingCheckpoint.save(target, trainer.model(), trainer.state(train).withConfig(config));
        } catch (IOException e) {
            throw new UncheckedIOException("CheckpointListener: could not save " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes what a run killed during a save or a pruning left behind (hidden temporaries, a
     * checkpoint directory without its state file) and puts back a replaced {@code best/} whose
     * replacement never arrived; a pruned checkpoint that comes back counts against
     * {@link #keepLast} at the next save.
     */
    private void cleanUp() throws IOException {
        AtomicFiles.recover(directory);
        Path checkpoints = directory.resolve(CHECKPOINTS);
        AtomicFiles.recover(checkpoints);
        if (Files.isDirectory(checkpoints)) {
            try (Stream<Path> files = Files.list(checkpoints)) {
                for (Path p : files.filter(p -> p.getFileName().toString().matches(NAME)
                        && !TrainingCheckpoint.isCheckpoint(p)).toList()) {
                    AtomicFiles.delete(p);
                }
            }
        }
    }
}
