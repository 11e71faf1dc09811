package io.orthrus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts about the library itself. */
public final class Orthrus {
    private static final String VERSION = readVersion();

    private Orthrus() {}

    /** The library's version, such as {@code "0.1.0-SNAPSHOT"}, as recorded in checkpoints. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = Orthrus.class.getResourceAsStream("orthrus.properties")) {
            if (in == null) {
                throw new IllegalStateException("Orthrus: the resource io/orthrus/orthrus.properties is missing");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("Orthrus: cannot read io/orthrus/orthrus.properties", e);
        }
    }
}
