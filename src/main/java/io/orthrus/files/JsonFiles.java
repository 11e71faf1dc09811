package io.orthrus.files;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Reading the JSON configuration files that other tools write. */
public final class JsonFiles {
    private JsonFiles() {}

    /** The JSON object in {@code file}; a file that is missing, not UTF-8, not valid JSON or not an object throws naming it. */
    public static JsonObject readObject(Path file) throws IOException {
        String text = TextFiles.readUtf8(file);
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + describe(e), e);
        }
    }

    /**
     * The boolean {@code field} of {@code object} (read from {@code file}), or {@code fallback} when
     * it is absent or null; any other type is refused, naming the file and the field.
     */
    public static boolean flag(Path file, JsonObject object, String field, boolean fallback) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' must be true or false, found " + e);
        }
        return e.getAsBoolean();
    }

    /**
     * What a JSON parser's exception says, in one line: the cause's message without its class
     * name and without Gson's link to its troubleshooting page.
     */
    public static String describe(RuntimeException e) {
        Throwable cause = e.getCause() instanceof java.io.IOException || e.getCause() instanceof IllegalStateException
                ? e.getCause() : e;
        return String.valueOf(cause.getMessage()).lines().filter(l -> !l.startsWith("See https://")).findFirst()
                .orElse("").replaceFirst("^com\\.google\\.gson\\.[A-Za-z.]+: ", "");
    }

    /**
     * Returns {@code file} if it is a regular file (after symbolic links); otherwise throws one line
     * saying what it is: missing, a directory, or something else (a FIFO or a device, which could
     * block a reader forever).
     */
    public static Path regularFile(Path file) {
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, not a file");
        }
        if (!Files.exists(file) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        throw new IllegalArgumentException(file + ": not a regular file (a FIFO, a device or a broken link); give a file");
    }
}
