package io.orthrus.nn;

/** A normalisation over the last dimension with a learned gain: {@link LayerNorm} or {@link RmsNorm}. */
public abstract class Norm extends Module implements Layer {
    /** Only the two norms of this package extend it. */
    Norm() {}

    /** The gain {@code (C)}. */
    public abstract Parameter weight();

    /** The ε added to the variance or mean square. */
    public abstract float eps();
}
