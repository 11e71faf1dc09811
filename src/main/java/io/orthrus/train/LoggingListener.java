package io.orthrus.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs progress through SLF4J at INFO: a step line every {@code every} steps, and every evaluation. */
public final class LoggingListener implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingListener.class);
    private final int every;

    /** Logs every {@code every} steps. */
    public LoggingListener(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("LoggingListener: every must be >= 1, got " + every);
        }
        this.every = every;
    }

    @Override
    public void onStep(StepMetrics m) {
        if (m.step() == 1 || m.step() % every == 0) {
            LOG.info(String.format(Locale.ROOT, "step %d  loss %.4f  lr %.2e  grad norm %.3f  %.1f ms  %.0f tokens/s",
                    m.step(), m.loss(), m.learningRate(), m.gradNorm(), m.millis(), m.predictions() * 1000.0 / m.millis()));
        }
    }

    @Override
    public void onEvaluation(EvaluationMetrics m) {
        LOG.info(String.format(Locale.ROOT, "step %d  validation loss %.4f  perplexity %.2f", m.step(),
                m.validationLoss(), m.perplexity()));
    }
}
