package io.orthrus.data;

/** An endless supply of training batches of type {@code B}. */
@FunctionalInterface
public interface BatchSource<B> {
    /** The next batch. */
    B next();
}
