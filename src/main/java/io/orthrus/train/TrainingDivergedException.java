package io.orthrus.train;

/**
 * Thrown when a training step's loss or gradient norm is NaN or infinite; no update from that step
 * has been applied.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The step that diverged. */
    private final int step;
    /** What stopped being finite. */
    private final String quantity;
    /** Its value. */
    private final double value;

    TrainingDivergedException(int step, String quantity, double value, double learningRate) {
        super("training diverged: the " + quantity + " is " + value + " at step " + step + " (learning rate " + learningRate
                + "); lower the learning rate, lengthen the warm-up or enable gradient clipping, and check the data");
        this.step = step;
        this.quantity = quantity;
        this.value = value;
    }

    /** The step (from 1) that diverged. */
    public int step() {
        return step;
    }

    /** What stopped being finite: {@code "loss"} or {@code "gradient norm"}. */
    public String quantity() {
        return quantity;
    }

    /** The non-finite value of {@link #quantity()}. */
    public double value() {
        return value;
    }

    /** The loss when the loss diverged, else NaN (the step's loss was finite, its gradient was not). */
    public double loss() {
        return quantity.equals("loss") ? value : Double.NaN;
    }
}
