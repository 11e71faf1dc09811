package io.orthrus.recipe;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.orthrus.files.JsonFiles;
import io.orthrus.files.TextFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's JSON config, read field by field with defaults: every error names the file, the line
 * and the dotted field ({@code run.json:7: field 'optimizer.learning_rate' must be a number,
 * got "fast"}), and a field nobody read is reported as unknown (a typo must not be ignored).
 * Overrides ({@code orthrus train --set path=value}) are applied with {@link #set} before reading.
 * docs/cli.md lists the fields each {@link Recipe} reads.
 */
public final class ConfigFile {
    private static final Pattern LINE = Pattern.compile(" at line (\\d+) ");

    private final String source;
    private final JsonObject root;
    private final Map<String, Integer> lines;
    private final Set<String> read = new LinkedHashSet<>();
    private final JsonObject resolved = new JsonObject();

    private ConfigFile(String source, JsonObject root, Map<String, Integer> lines) {
        this.source = source;
        this.root = root;
        this.lines = lines;
    }

    /** Parses {@code file}; a syntax error names the line. */
    public static ConfigFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        }
        return parse(file.toString(), TextFiles.readUtf8(file));
    }

    /** Parses {@code text}, reporting errors as coming from {@code source}. */
    public static ConfigFile parse(String source, String text) {
        JsonElement parsed;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            parsed = JsonParser.parseReader(reader);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + JsonFiles.describe(e), e);
        }
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException(source + ": the config must be a JSON object { ... }");
        }
        return new ConfigFile(source, parsed.getAsJsonObject(), fieldLines(source, text));
    }

    /** An empty config (every field takes its default). */
    public static ConfigFile empty(String source) {
        return new ConfigFile(source, new JsonObject(), Map.of());
    }

    /**
     * The line of each dotted field name, from a streaming pass (Gson's reader reports its
     * position); a name given twice in one object is an error naming both lines, as the parsed tree
     * would silently keep the last.
     */
    private static Map<String, Integer> fieldLines(String source, String text) {
        Map<String, Integer> out = new HashMap<>();
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            walk(source, reader, "", out);
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // Already parsed once: does not happen; without lines, errors still name the field.
        }
        return out;
    }

    private static void walk(String source, JsonReader reader, String prefix, Map<String, Integer> out) throws IOException {
        JsonToken token = reader.peek();
        if (token == JsonToken.BEGIN_OBJECT) {
            reader.beginObject();
            Set<String> names = new java.util.HashSet<>();
            while (reader.hasNext()) {
                String name = reader.nextName();
                Matcher m = LINE.matcher(reader.toString());
                int line = m.find() ? Integer.parseInt(m.group(1)) : 0;
                String path = prefix.isEmpty() ? name : prefix + "." + name;
                if (!names.add(name)) {
                    throw new IllegalArgumentException(source + ":" + line + ": field '" + path + "' is given twice (also"
                            + " at line " + out.getOrDefault(path, 0) + "); keep one");
                }
                out.put(path, line);
                walk(source, reader, path, out);
            }
            reader.endObject();
        } else if (token == JsonToken.BEGIN_ARRAY) {
            reader.beginArray();
            while (reader.hasNext()) {
                walk(source, reader, prefix + "[]", out);
            }
            reader.endArray();
        } else {
            reader.skipValue();
        }
    }

    /**
     * Sets {@code path} ("a.b.c") to {@code value}, parsed as JSON when it is a number, a
     * boolean or a list ("[64, 16]"), else taken as a string; creates intermediate objects.
     */
    public void set(String path, String value) {
        String[] parts = path.split("\\.");
        JsonObject at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonElement next = at.get(parts[i]);
            if (next == null) {
                next = new JsonObject();
                at.add(parts[i], next);
            } else if (!next.isJsonObject()) {
                throw new IllegalArgumentException("--set " + path + ": '" + String.join(".", List.of(parts).subList(0, i + 1))
                        + "' is not an object in " + source);
            }
            at = next.getAsJsonObject();
        }
        at.add(parts[parts.length - 1], scalar(value));
    }

    private static JsonElement scalar(String value) {
        if (value.equals("true") || value.equals("false")) {
            return new JsonPrimitive(Boolean.parseBoolean(value));
        }
        try {
            JsonElement number = JsonParser.parseString(value);
            if (number.isJsonArray() || number.isJsonPrimitive() && number.getAsJsonPrimitive().isNumber()) {
                return number;
            }
        } catch (JsonParseException e) {
            // not a number or a list: a string
        }
        return new JsonPrimitive(value);
    }

    /** True when the config has {@code path}. */
    public boolean has(String path) {
        return element(path) != null;
    }

    /** A string field, or {@code fallback}. */
    public String string(String path, String fallback) {
        JsonElement e = take(path);
        if (e != null && (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())) {
            throw error(path, "must be a string, got " + e);
        }
        String value = e == null ? fallback : e.getAsString();
        if (value != null) {
            record(path, new JsonPrimitive(value));
        }
        return value;
    }

    /** One of {@code allowed}, or {@code fallback}. */
    public String choice(String path, String fallback, List<String> allowed) {
        String value = string(path, fallback);
        if (!allowed.contains(value)) {
            throw error(path, "must be one of " + allowed + ", got \"" + value + "\"");
        }
        return value;
    }

    /** A whole number in [min, max], or {@code fallback}. */
    public int integer(String path, int fallback, int min, int max) {
        long value = longValue(path, fallback);
        if (value < min || value > max) {
            throw error(path, "must be in [" + min + ", " + max + "], got " + value);
        }
        record(path, new JsonPrimitive(value));
        return (int) value;
    }

    /** A whole number, or {@code fallback}. */
    public long longValue(String path, long fallback) {
        JsonElement e = take(path);
        long value = fallback;
        if (e != null) {
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) { // "4" is a string, not a number
                    throw new IllegalStateException();
                }
                value = e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            } catch (ArithmeticException | NumberFormatException | IllegalStateException e2) {
                throw error(path, "must be a whole number, got " + e);
            }
        }
        record(path, new JsonPrimitive(value));
        return value;
    }

    /** A finite number in [min, max], or {@code fallback}. */
    public double number(String path, double fallback, double min, double max) {
        JsonElement e = take(path);
        if (e != null && (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())) {
            throw error(path, "must be a number, got " + e);
        }
        double value = e == null ? fallback : e.getAsDouble();
        if (!(value >= min && value <= max)) {
            throw error(path, "must be in [" + min + ", " + max + "], got " + value);
        }
        record(path, new JsonPrimitive(value));
        return value;
    }

    /** A boolean, or {@code fallback}. */
    public boolean bool(String path, boolean fallback) {
        JsonElement e = take(path);
        if (e != null && (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())) {
            throw error(path, "must be true or false, got " + e);
        }
        boolean value = e == null ? fallback : e.getAsBoolean();
        record(path, new JsonPrimitive(value));
        return value;
    }

    /** A non-empty list of whole numbers, each in [min, max], or {@code fallback}. */
    public int[] integers(String path, int[] fallback, int min, int max) {
        JsonElement e = take(path);
        int[] values = fallback;
        if (e != null) {
            if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
                throw error(path, "must be a non-empty list of whole numbers such as [64, 16], got " + e);
            }
            values = new int[e.getAsJsonArray().size()];
            for (int i = 0; i < values.length; i++) {
                JsonElement item = e.getAsJsonArray().get(i);
                try {
                    if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isNumber()) {
                        throw new IllegalStateException();
                    }
                    long v = item.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
                    if (v < min || v > max) {
                        throw error(path, "entries must be in [" + min + ", " + max + "], got " + v);
                    }
                    values[i] = (int) v;
                } catch (ArithmeticException | NumberFormatException | IllegalStateException e2) {
                    throw error(path, "must be a list of whole numbers, got " + e);
                }
            }
        }
        com.google.gson.JsonArray array = new com.google.gson.JsonArray();
        for (int v : values) {
            array.add(v);
        }
        record(path, array);
        return values;
    }

    private void record(String path, JsonElement value) {
        String[] parts = path.split("\\.");
        JsonObject at = resolved;
        for (int i = 0; i < parts.length - 1; i++) {
            if (!at.has(parts[i])) {
                at.add(parts[i], new JsonObject());
            }
            at = at.getAsJsonObject(parts[i]);
        }
        at.add(parts[parts.length - 1], value);
    }

    /** Every field read so far with the value used (defaults included): what the run was built from. */
    public JsonObject resolved() {
        return resolved.deepCopy();
    }

    /** Throws for the first field (in file order) that no getter read: an unknown field is a typo until proven otherwise. */
    public void rejectUnread() {
        TreeSet<String> unknown = new TreeSet<>((a, b) -> Integer.compare(line(a), line(b)) != 0
                ? Integer.compare(line(a), line(b)) : a.compareTo(b));
        collectUnread(root, "", unknown);
        if (!unknown.isEmpty()) {
            String first = unknown.first();
            throw error(first, "is not a known field here" + (unknown.size() > 1 ? " (also unknown: "
                    + String.join(", ", unknown.tailSet(first, false)) + ")" : "") + "; see docs/cli.md");
        }
    }

    private void collectUnread(JsonObject object, String prefix, Set<String> out) {
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isJsonObject() && !read.contains(path)) {
                collectUnread(e.getValue().getAsJsonObject(), path, out);
            } else if (!read.contains(path)) {
                out.add(path);
            }
        }
    }

    /** An error about {@code path}, with the file and line. */
    public IllegalArgumentException error(String path, String message) {
        int line = line(path);
        return new IllegalArgumentException(source + (line > 0 ? ":" + line : "") + ": field '" + path + "' " + message);
    }

    private int line(String path) {
        return lines.getOrDefault(path, 0);
    }

    /** The value at {@code path}, or null when absent; {@code null} in the file is an error (leave the field out instead). */
    private JsonElement take(String path) {
        JsonElement e = element(path);
        if (e != null) {
            read.add(path);
            if (e.isJsonNull()) {
                throw error(path, "is null; give a value, or leave the field out for its default");
            }
        }
        return e;
    }

    private JsonElement element(String path) {
        JsonElement at = root;
        for (String part : path.split("\\.")) {
            if (at == null || !at.isJsonObject()) {
                return null;
            }
            at = at.getAsJsonObject().get(part);
        }
        return at;
    }

    /** The (overridden) config as JSON. */
    public JsonObject json() {
        return root.deepCopy();
    }
}
