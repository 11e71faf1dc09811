package io.orthrus.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per line to a file: {@code {"event":"step","step":…,"loss":…}} and
 * {@code {"event":"eval","step":…,"val_loss":…,"perplexity":…}}. Close it when training ends.
 */
public final class JsonlMetricsListener implements TrainingListener, Closeable {
    private final BufferedWriter out;

    /** Creates (or truncates) {@code file}. */
    public JsonlMetricsListener(Path file) throws IOException {
        this(file, false);
    }

    /** Creates {@code file}, or appends to it when {@code append} is true (a resumed run). */
    public JsonlMetricsListener(Path file, boolean append) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.out = append
                ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /**
     * Continues {@code file} for a run resumed at {@code step}: keeps the lines of steps up to
     * {@code step} (the resumed run writes the later ones again; a line cut short by a kill is
     * dropped), rewritten atomically, and appends after them.
     */
    public static JsonlMetricsListener resumingAt(Path file, int step) throws IOException {
        if (Files.isRegularFile(file)) {
            StringBuilder kept = new StringBuilder();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    if (JsonParser.parseString(line).getAsJsonObject().get("step").getAsInt() <= step) {
                        kept.append(line).append('\n');
                    }
                } catch (RuntimeException e) {
                    // a line cut short by a kill: dropped
                }
            }
            AtomicFiles.writeString(file, kept.toString());
        }
        return new JsonlMetricsListener(file, true);
    }

    @Override
    public void onStep(StepMetrics m) {
        JsonObject json = new JsonObject();
        json.addProperty("event", "step");
        json.addProperty("step", m.step());
        json.addProperty("loss", m.loss());
        json.addProperty("lr", m.learningRate());
        json.addProperty("grad_norm", m.gradNorm());
        json.addProperty("ms", m.millis());
        json.addProperty("predictions", m.predictions());
        write(json);
    }

    @Override
    public void onEvaluation(EvaluationMetrics m) {
        JsonObject json = new JsonObject();
        json.addProperty("event", "eval");
        json.addProperty("step", m.step());
        json.addProperty("val_loss", m.validationLoss());
        json.addProperty("perplexity", m.perplexity());
        write(json);
    }

    private void write(JsonObject json) {
        try {
            out.write(json.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("JsonlMetricsListener: could not write metrics", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
