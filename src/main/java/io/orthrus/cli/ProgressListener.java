package io.orthrus.cli;

import io.orthrus.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a run's progress: on a terminal one line redrawn in place (at most ten times a second),
 * otherwise a plain line every {@code every} steps and at each evaluation, so that logs stay
 * readable. Each line has step/total, the training loss, the last validation loss, tokens per
 * second and the time left.
 */
final class ProgressListener implements TrainingListener {
    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private final int every;
    private double averageMillis = Double.NaN;
    private double lastValidation = Double.NaN;
    private long lastDraw;
    private boolean drawn;

    ProgressListener(PrintStream out, int total, boolean terminal) {
        this.out = out;
        this.total = total;
        this.terminal = terminal;
        this.every = Math.max(1, total / 20);
    }

    @Override
    public void onStep(StepMetrics m) {
        // An exponential average: the first steps (JIT warm-up) soon stop distorting the rate.
        averageMillis = Double.isNaN(averageMillis) ? m.millis() : 0.9 * averageMillis + 0.1 * m.millis();
        double tokensPerSecond = m.predictions() * 1000.0 / averageMillis;
        String line = String.format(Locale.ROOT, "step %d/%d  loss %.4f  val %s  %,.0f tok/s  ETA %s", m.step(), total,
                m.loss(), Double.isNaN(lastValidation) ? "-" : String.format(Locale.ROOT, "%.4f", lastValidation),
                tokensPerSecond, duration((total - m.step()) * averageMillis / 1000));
        if (terminal) {
            long now = System.nanoTime();
            if (m.step() == total || now - lastDraw > 100_000_000L) {
                out.print("\r" + line + "\u001b[K"); // erase the rest of a longer previous line
                out.flush();
                lastDraw = now;
                drawn = true;
            }
        } else if (m.step() == 1 || m.step() % every == 0) {
            out.println(line);
        }
    }

    @Override
    public void onEvaluation(EvaluationMetrics m) {
        lastValidation = m.validationLoss();
        if (!terminal) {
            out.printf(Locale.ROOT, "step %d/%d  validation loss %.4f  perplexity %.2f%n", m.step(), total,
                    m.validationLoss(), m.perplexity());
        }
    }

    /** Ends the redrawn line, so that what follows starts on its own. */
    void finish() {
        if (terminal && drawn) {
            out.println();
            drawn = false;
        }
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
