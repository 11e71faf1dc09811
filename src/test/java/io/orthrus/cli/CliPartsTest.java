package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.train.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.orthrus.recipe.ConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliPartsTest {
    @TempDir
    Path dir;

    private static String progress(boolean terminal, int total) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressListener progress = new ProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), total, terminal);
        for (int step = 1; step <= total; step++) {
            progress.onStep(new TrainingListener.StepMetrics(step, 2.5, 1e-3, 1.0, 10, 640));
            if (step % 20 == 0) {
                progress.onEvaluation(new TrainingListener.EvaluationMetrics(step, 2.25, Math.exp(2.25)));
            }
        }
        progress.finish();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void progressIsOneRedrawnLineOnATerminalAndPeriodicLinesOtherwise() {
        String log = progress(false, 40);
        List<String> lines = log.lines().toList();
        assertEquals("step 1/40  loss 2.5000  val -  64,000 tok/s  ETA 0s", lines.get(0));
        assertEquals(20 + 2 + 1, lines.size(), log); // every 2nd step (40 / 20), two evaluations, and step 1
        assertTrue(log.contains("step 20/40  validation loss 2.2500  perplexity 9.49"), log);
        assertTrue(log.contains("step 40/40  loss 2.5000  val 2.2500"), log);

        String terminal = progress(true, 40);
        assertTrue(terminal.startsWith("\rstep 1/40") && terminal.contains("\u001b[K"), terminal);
        assertTrue(terminal.contains("\rstep 40/40  loss 2.5000  val 2.2500") && terminal.endsWith("\n"), terminal);
        assertEquals(1, terminal.chars().filter(ch -> ch == '\n').count(), "one line, redrawn in place");
        assertEquals("1h01m", ProgressListener.duration(3660));
        assertEquals("2m05s", ProgressListener.duration(125));
    }

    @Test
    void configOverridesParseNumbersBooleansAndLists() {
        ConfigFile c = ConfigFile.parse("test.json", "{\"model\": {\"width\": 64}}");
        c.set("model.hidden", "[64, 16]");
        c.set("model.tied_weights", "false");
        c.set("optimizer.learning_rate", "3e-4");
        c.set("data.corpus", "my file.txt");
        assertArrayEquals(new int[] {64, 16}, c.integers("model.hidden", new int[] {1}, 1, 100));
        assertEquals(false, c.bool("model.tied_weights", true));
        assertEquals(3e-4, c.number("optimizer.learning_rate", 1, 0, 1));
        assertEquals("my file.txt", c.string("data.corpus", null));
        assertEquals(64, c.integer("model.width", 1, 1, 100));
        assertEquals(7, c.integer("steps", 7, 1, 100)); // a default is recorded too
        assertEquals(7, c.resolved().get("steps").getAsInt());
        c.rejectUnread();
        var e = assertThrows(IllegalArgumentException.class, () -> c.set("model.width.x", "1"));
        assertTrue(e.getMessage().contains("'model.width' is not an object"), e.getMessage());
    }

    @Test
    void aFieldGivenTwiceNullOrAsAStringOfDigitsIsAnErrorNotADefaultOrACoercion() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFile.parse("run.json", "{\n  \"steps\": 10,\n  \"model\": {\"width\": 8},\n  \"steps\": 20\n}"));
        assertEquals("run.json:4: field 'steps' is given twice (also at line 2); keep one", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFile.parse("run.json", "{\"model\": {\"width\": 8,\n \"width\": 16}}"));
        assertTrue(e.getMessage().contains("field 'model.width' is given twice"), e.getMessage());

        ConfigFile nulls = ConfigFile.parse("run.json", "{\n\"steps\": null}");
        e = assertThrows(IllegalArgumentException.class, () -> nulls.integer("steps", 7, 1, 100));
        assertEquals("run.json:2: field 'steps' is null; give a value, or leave the field out for its default", e.getMessage());
        ConfigFile quoted = ConfigFile.parse("run.json", "{\"batch_size\": \"4\", \"hidden\": [\"4\"]}");
        e = assertThrows(IllegalArgumentException.class, () -> quoted.integer("batch_size", 7, 1, 100));
        assertTrue(e.getMessage().contains("field 'batch_size' must be a whole number, got \"4\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> quoted.integers("hidden", new int[] {1}, 1, 100));
        assertTrue(e.getMessage().contains("field 'hidden' must be a list of whole numbers"), e.getMessage());
    }

    @Test
    void aMalformedMetricsLineIsNamedByFileAndLine() throws Exception {
        Path metrics = dir.resolve("metrics.jsonl");
        Files.writeString(metrics, "{\"event\":\"step\",\"step\":1,\"loss\":2.0}\n{\"event\":\"step\",\"step\":\n");
        var e = assertThrows(IllegalArgumentException.class, () -> LossPlot.read(metrics, "run", 0));
        assertTrue(e.getMessage().startsWith(metrics + ":2: not a metrics line"), e.getMessage());
        Files.writeString(metrics, "{\"event\":\"step\",\"step\":1,\"loss\":2.0}\n{\"event\":\"eval\",\"step\":1,\"val_loss\":1.5}\n");
        List<LossPlot.Series> series = LossPlot.read(metrics, "run", 0);
        assertEquals(List.of("run train", "run validation"), series.stream().map(LossPlot.Series::label).toList());
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0), LossPlot.ticks(0, 1));
    }
}
