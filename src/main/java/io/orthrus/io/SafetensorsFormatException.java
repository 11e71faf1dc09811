package io.orthrus.io;

/**
 * A safetensors file that breaks the format: its message names the file and the field at fault.
 * Reading throws only this (or an {@link java.io.IOException} when the file cannot be read at all),
 * whatever the bytes of the file are.
 */
public final class SafetensorsFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    SafetensorsFormatException(String message) {
        super(message);
    }
}
