package io.orthrus.train;

/** Thrown when a training loss is NaN or infinite; no update from that step has been applied. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The step at which the loss stopped being finite. */
    private final int step;
    /** The non-finite loss. */
    private final double loss;

    TrainingDivergedException(int step, double loss, double learningRate) {
        super("training diverged: the loss is " + loss + " at step " + step + " (learning rate " + learningRate
                + "); lower the learning rate, lengthen the warm-up or enable gradient clipping, and check the data");
        this.step = step;
        this.loss = loss;
    }

    /** The step at which the loss stopped being finite. */
    public int step() {
        return step;
    }

    /** The non-finite loss. */
    public double loss() {
        return loss;
    }
}
