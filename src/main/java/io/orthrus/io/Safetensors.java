package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;
import java.io.StringReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}}
 * (plus an optional {@code "__metadata__"} object of strings), then the raw little-endian data.
 * It holds no code, so loading a file cannot execute anything.
 *
 * <p>Orthrus writes F32 (or F16, BF16) and I32/I64. It reads F32, F16 and BF16 (converted to float32) into {@link Tensor}s
 * and I32 and I64 (which must fit an int) into {@link IntTensor}s, memory-mapping the data rather
 * than copying the file. It validates every header field before reading data, as the reference
 * implementation does: header length within the file and at most 100 MB, UTF-8 JSON, an object,
 * no key given twice (at any level), known dtypes, non-negative shapes whose element count times
 * the dtype size (computed without overflow) equals the tensor's byte span, offsets in order that
 * tile the data section exactly (no gaps, no overlaps, nothing after the last tensor). A file that
 * fails any check is rejected whole with a {@link SafetensorsFormatException}.
 */
public final class Safetensors {
    /** The same bound on header size as the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";

    private Safetensors() {}

    /**
     * The tensors and metadata of a file.
     *
     * @param tensors  the floating-point tensors (F32, F16, BF16) by name, in the order of their data in the file
     * @param integers the integer tensors (I32, I64) by name, in the order of their data in the file
     * @param metadata the {@code __metadata__} strings (empty if none)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, IntTensor> integers, Map<String, String> metadata) {}

    /** Element types of a safetensors file that Orthrus writes and reads. */
    public enum Dtype {
        /** IEEE float32. */
        F32(4),
        /** IEEE float16 (half): rounded to nearest, ties to even; beyond ±65504 becomes infinity. */
        F16(2),
        /** bfloat16: float32's upper half, rounded to nearest, ties to even. */
        BF16(2),
        /** 32-bit integers. */
        I32(4),
        /** 64-bit integers. */
        I64(8);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * Writes {@code tensors} (in map order) as F32 and {@code metadata} (sorted by key) to
     * {@code file}, atomically.
     */
    public static void write(Path file, Map<String, ? extends Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, Map.of(), metadata, Dtype.F32, Dtype.I64);
    }

    /**
     * Writes {@code tensors} in {@code floatType} (F32, F16 or BF16), then {@code integers} in
     * {@code intType} (I32 or I64), and {@code metadata} (sorted by key, so that equal inputs give
     * equal bytes), to {@code file}, atomically.
     */
    public static void write(Path file, Map<String, ? extends Tensor> tensors, Map<String, IntTensor> integers,
                             Map<String, String> metadata, Dtype floatType, Dtype intType) throws IOException {
        if (floatType != Dtype.F32 && floatType != Dtype.F16 && floatType != Dtype.BF16) {
            throw new IllegalArgumentException("Safetensors.write: floating-point tensors are written as F32, F16 or BF16, not "
                    + floatType);
        }
        if (intType != Dtype.I32 && intType != Dtype.I64) {
            throw new IllegalArgumentException("Safetensors.write: integer tensors are written as I32 or I64, not " + intType);
        }
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            new java.util.TreeMap<>(metadata).forEach(meta::addProperty); // sorted: the same run writes the same bytes
            header.add(METADATA, meta);
        }
        long offset = 0;
        List<Map.Entry<String, int[]>> shapes = new ArrayList<>();
        tensors.forEach((name, t) -> shapes.add(Map.entry(name, t.shape())));
        integers.forEach((name, t) -> shapes.add(Map.entry(name, t.shape())));
        for (int i = 0; i < shapes.size(); i++) {
            String name = shapes.get(i).getKey();
            if (name.equals(METADATA) || header.has(name)) {
                throw new IllegalArgumentException("Safetensors.write: the name '" + name + "' is "
                        + (name.equals(METADATA) ? "reserved" : "given twice"));
            }
            Dtype dtype = i < tensors.size() ? floatType : intType;
            long elements = 1;
            JsonArray shape = new JsonArray();
            for (int d : shapes.get(i).getValue()) {
                shape.add(d);
                elements *= d;
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", dtype.name());
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + elements * dtype.bytes());
            entry.add("data_offsets", offsets);
            header.add(name, entry);
            offset += elements * dtype.bytes();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data 8-byte aligned, padding with spaces as the reference does
        AtomicFiles.write(file, out -> {
            ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(padded).put(json);
            while (prefix.hasRemaining()) {
                prefix.put((byte) ' ');
            }
            out.write(prefix.array());
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float v : t.data()) {
                    flushIfFull(out, chunk);
                    switch (floatType) {
                        case F16 -> chunk.putShort(floatToHalf(v));
                        case BF16 -> chunk.putShort(floatToBfloat16(v));
                        default -> chunk.putFloat(v);
                    }
                }
            }
            for (IntTensor t : integers.values()) {
                for (int v : t.data()) {
                    flushIfFull(out, chunk);
                    if (intType == Dtype.I32) {
                        chunk.putInt(v);
                    } else {
                        chunk.putLong(v);
                    }
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        });
    }

    private static void flushIfFull(java.io.OutputStream out, ByteBuffer chunk) throws IOException {
        if (chunk.remaining() < 8) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
        }
    }

    /** float32 to IEEE binary16, rounded to nearest with ties to even; overflow gives infinity, NaN stays NaN. */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000, exponent = (bits >>> 23) & 0xFF, mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) { // infinity, or NaN kept quiet
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) { // a half subnormal (or zero): m · 2^-24 with m = (1.mantissa) · 2^(e - 14)
            if (e < -10) {
                return (short) sign;
            }
            int full = mantissa | 0x800000, shift = 14 - e;
            int half = full >>> shift, rest = full & ((1 << shift) - 1), halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13), rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // a carry into the exponent is right, up to infinity
        }
        return (short) (sign | half);
    }

    /** float32 to bfloat16, rounded to nearest with ties to even; NaN stays NaN. */
    static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Reads and validates {@code file}; every error names the file and the field at fault. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(JsonFiles.regularFile(file), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw invalid(file, "is " + size + " bytes long, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw invalid(file, "declares a header of " + headerLength + " bytes, which does not fit a file of "
                        + size + " bytes (or exceeds " + MAX_HEADER_BYTES + ")");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            JsonObject header = parseHeader(file, headerBytes.flip());
            long dataStart = 8 + headerLength, dataSize = size - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    readMetadata(file, e.getValue(), metadata);
                } else {
                    entries.add(parseEntry(file, e.getKey(), e.getValue()));
                }
            }
            entries.sort((x, y) -> Long.compare(x.begin, y.begin));
            long expected = 0;
            for (Entry entry : entries) {
                if (entry.begin != expected) {
                    throw invalid(file, "tensor '" + entry.name + "' starts at byte " + entry.begin + " of the data but "
                            + (entry.begin < expected ? "overlaps the previous tensor" : "leaves a gap after byte " + expected));
                }
                expected = entry.end;
            }
            if (expected != dataSize) {
                throw invalid(file, "has " + dataSize + " bytes of data but its tensors cover " + expected);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, IntTensor> integers = new LinkedHashMap<>();
            for (Entry entry : entries) {
                ByteBuffer data = entry.end == entry.begin ? ByteBuffer.allocate(0)
                        : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin, entry.end - entry.begin);
                data.order(ByteOrder.LITTLE_ENDIAN);
                if (entry.dtype.startsWith("I")) {
                    integers.put(entry.name, IntTensor.wrap(decodeIntegers(file, entry, data), entry.shape));
                } else {
                    tensors.put(entry.name, Tensor.wrap(decode(entry.dtype, data, entry.elements), entry.shape));
                }
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(integers),
                    Collections.unmodifiableMap(metadata));
        }
    }

    private record Entry(String name, String dtype, int[] shape, long elements, long begin, long end) {}

    private static JsonObject parseHeader(Path file, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw invalid(file, "has a header that is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw invalid(file, "has a header that does not start with '{'");
        }
        checkNoDuplicateKeys(file, text);
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (!parsed.isJsonObject()) {
                throw invalid(file, "has a header that is not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw invalid(file, "has a header that is not valid JSON: " + e.getMessage());
        }
    }

    /** Walks the header with Gson's streaming reader and rejects any object that names a key twice. */
    private static void checkNoDuplicateKeys(Path file, String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            walk(file, reader, 0);
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw invalid(file, "has a header that is not valid JSON: " + e.getMessage());
        }
    }

    private static void walk(Path file, JsonReader reader, int depth) throws IOException {
        if (depth > 64) {
            throw invalid(file, "has a header nested more than 64 levels deep");
        }
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                reader.beginObject();
                java.util.Set<String> names = new java.util.HashSet<>();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (!names.add(name)) {
                        throw invalid(file, "has a header that gives the key '" + name + "' twice in one object");
                    }
                    walk(file, reader, depth + 1);
                }
                reader.endObject();
            }
            case BEGIN_ARRAY -> {
                reader.beginArray();
                while (reader.hasNext()) {
                    walk(file, reader, depth + 1);
                }
                reader.endArray();
            }
            default -> reader.skipValue();
        }
    }

    private static void readMetadata(Path file, JsonElement value, Map<String, String> out) {
        if (!value.isJsonObject()) {
            throw invalid(file, "has '" + METADATA + "' that is not an object of strings");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            if (!(m.getValue() instanceof JsonPrimitive p) || !p.isString()) {
                throw invalid(file, "has metadata '" + m.getKey() + "' that is not a string");
            }
            out.put(m.getKey(), p.getAsString());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonElement value) {
        for (int i = 0; i < name.length(); i++) { // a \uD800 escape decodes to a lone surrogate: not UTF-8 text
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(file, "has a tensor name with a lone surrogate (\\u" + Integer.toHexString(c)
                        + "), which is not valid UTF-8");
            }
        }
        if (!value.isJsonObject()) {
            throw invalid(file, "describes tensor '" + name + "' with something other than an object");
        }
        JsonObject object = value.getAsJsonObject();
        for (String key : object.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw invalid(file, "describes tensor '" + name + "' with unknown field '" + key + "'");
            }
        }
        String dtype = string(file, name, object, "dtype");
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "I64" -> 8;
            default -> throw invalid(file, "gives tensor '" + name + "' dtype '" + dtype
                    + "', which Orthrus does not read (F32, F16, BF16, I32, I64)");
        };
        JsonArray shapeArray = array(file, name, object, "shape");
        int[] shape = new int[shapeArray.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(file, name, "shape", shapeArray.get(i));
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw invalid(file, "gives tensor '" + name + "' an invalid size " + d + " in its shape");
            }
            shape[i] = (int) d;
            elements *= d;
            if (elements > Integer.MAX_VALUE - 8) {
                throw invalid(file, "gives tensor '" + name + "' more elements than a Java array holds");
            }
        }
        JsonArray offsets = array(file, name, object, "data_offsets");
        if (offsets.size() != 2) {
            throw invalid(file, "gives tensor '" + name + "' data_offsets with " + offsets.size() + " numbers instead of 2");
        }
        long begin = integer(file, name, "data_offsets", offsets.get(0));
        long end = integer(file, name, "data_offsets", offsets.get(1));
        if (begin < 0 || end < begin) {
            throw invalid(file, "gives tensor '" + name + "' data_offsets [" + begin + ", " + end + "] out of order");
        }
        if (end - begin != elements * width) { // elements < 2^31 and width <= 8: the product cannot overflow
            throw invalid(file, "gives tensor '" + name + "' " + (end - begin) + " bytes of data, but its shape and dtype "
                    + dtype + " need " + elements * width);
        }
        return new Entry(name, dtype, shape, elements, begin, end);
    }

    private static String string(Path file, String name, JsonObject object, String field) {
        JsonElement e = object.get(field);
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw invalid(file, "gives tensor '" + name + "' no string '" + field + "'");
        }
        return p.getAsString();
    }

    private static JsonArray array(Path file, String name, JsonObject object, String field) {
        JsonElement e = object.get(field);
        if (e == null || !e.isJsonArray()) {
            throw invalid(file, "gives tensor '" + name + "' no array '" + field + "'");
        }
        return e.getAsJsonArray();
    }

    private static long integer(Path file, String name, String field, JsonElement e) {
        // A JSON integer only: 16.0 and 1.6e1 are refused, as the reference's unsigned-integer fields do.
        if (e instanceof JsonPrimitive p && p.isNumber() && p.getAsString().matches("-?[0-9]+")) {
            try {
                return p.getAsBigDecimal().longValueExact(); // exact: no rounding through double, no wrap-around
            } catch (ArithmeticException | NumberFormatException notAWholeLong) {
                // reported below
            }
        }
        throw invalid(file, "gives tensor '" + name + "' a " + field + " entry that is not a whole number: " + e);
    }

    private static int[] decodeIntegers(Path file, Entry entry, ByteBuffer data) {
        int[] out = new int[(int) entry.elements];
        for (int i = 0; i < out.length; i++) {
            if (entry.dtype.equals("I32")) {
                out[i] = data.getInt();
            } else {
                long v = data.getLong();
                if (v != (int) v) {
                    throw invalid(file, "holds " + v + " at element " + i + " of I64 tensor '" + entry.name
                            + "', which does not fit the int ids Orthrus uses");
                }
                out[i] = (int) v;
            }
        }
        return out;
    }

    private static float[] decode(String dtype, ByteBuffer data, long elements) {
        float[] out = new float[(int) elements];
        switch (dtype) {
            case "F32" -> data.asFloatBuffer().get(out);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(data.getShort());
                }
            }
            default -> { // BF16: the upper half of a float32
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((data.getShort() & 0xFFFF) << 16);
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float32, including subnormals, infinities and NaN. */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h >>> 15) << 31, exponent = (h >>> 10) & 0x1F, mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1.0p-24f; // subnormal: mantissa · 2^-24
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static SafetensorsFormatException invalid(Path file, String problem) {
        return new SafetensorsFormatException("safetensors file " + file + " " + problem);
    }
}
