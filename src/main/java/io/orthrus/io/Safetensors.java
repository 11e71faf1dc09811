package io.orthrus.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Tensor;
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
        try (Opened opened = open(file)) {
            long elements = opened.entries.values().stream().mapToLong(Entry::elements).sum();
            io.orthrus.nn.Memory.require("the " + opened.entries.size() + " tensors of " + file + " (" + elements
                    + " values)", 4 * elements);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, IntTensor> integers = new LinkedHashMap<>();
            for (Entry entry : opened.entries.values()) {
                if (entry.dtype.startsWith("I")) {
                    int[] values = new int[(int) entry.elements];
                    forEachChunk(opened.channel, opened.dataStart, entry,
                            (data, at, n) -> decodeIntegers(file, entry, data, values, at, n));
                    integers.put(entry.name, IntTensor.wrap(values, entry.shape));
                } else {
                    float[] values = new float[(int) entry.elements];
                    opened.readInto(entry.name, values, 0);
                    tensors.put(entry.name, Tensor.wrap(values, entry.shape));
                }
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(integers),
                    Collections.unmodifiableMap(opened.metadata));
        }
    }

    /**
     * Opens {@code file} to read its floating-point tensors one at a time into arrays the caller
     * owns, so that loading a model holds no second copy of its weights (the data is mapped a chunk
     * at a time, never read whole). The header and the layout of the data are validated here, as
     * {@link #read} does; close it when done.
     */
    public static Opened open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(JsonFiles.regularFile(file), StandardOpenOption.READ);
        try {
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
            io.orthrus.nn.Memory.require("the header of " + file, 2 * headerLength);
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            long dataStart = 8 + headerLength, dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, headerBytes.array(), metadata);
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
            Map<String, Entry> byName = new LinkedHashMap<>();
            entries.forEach(e -> byName.put(e.name, e));
            return new Opened(file, channel, dataStart, byName, metadata);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A validated safetensors file whose tensors are read on demand ({@link #open}). */
    public static final class Opened implements java.io.Closeable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, Entry> entries;
        private final Map<String, String> metadata;

        private Opened(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                       Map<String, String> metadata) {
            this.file = file;
            this.channel = channel;
            this.dataStart = dataStart;
            this.entries = entries;
            this.metadata = metadata;
        }

        /** The file. */
        public Path file() {
            return file;
        }

        /** The names of the floating-point tensors (F32, F16, BF16), in the order of their data. */
        public List<String> names() {
            return entries.values().stream().filter(e -> !e.dtype.startsWith("I")).map(Entry::name).toList();
        }

        /** The shape of tensor {@code name}. */
        public int[] shape(String name) {
            return entry(name).shape.clone();
        }

        /**
         * Decodes floating-point tensor {@code name} into {@code out} from {@code offset} on (F16 and
         * BF16 widened exactly to float32).
         */
        public void readInto(String name, float[] out, int offset) throws IOException {
            Entry entry = entry(name);
            if (entry.dtype.startsWith("I")) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' holds integers (" + entry.dtype + ")");
            }
            if (offset < 0 || offset + entry.elements > out.length) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has " + entry.elements
                        + " values, which do not fit from offset " + offset + " in an array of " + out.length);
            }
            forEachChunk(channel, dataStart, entry, (data, at, n) -> decode(entry.dtype, data, out, offset + at, n));
        }

        private Entry entry(String name) {
            Entry entry = entries.get(name);
            if (entry == null) {
                throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
            }
            return entry;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private record Entry(String name, String dtype, int[] shape, long elements, long begin, long end) {}

    /**
     * Parses the header with Gson's streaming reader, straight into entries: no JSON tree and no
     * copy of the text, so memory stays near the header's size however many tensors it lists.
     */
    private static List<Entry> parseHeader(Path file, byte[] bytes, Map<String, String> metadata) {
        if (bytes[0] != '{') {
            throw invalid(file, "has a header that does not start with '{'");
        }
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<Entry> entries = new ArrayList<>();
        try (JsonReader reader = new JsonReader(new java.io.InputStreamReader(new java.io.ByteArrayInputStream(bytes), utf8))) {
            reader.setStrictness(com.google.gson.Strictness.STRICT);
            reader.beginObject();
            java.util.Set<String> names = new java.util.HashSet<>();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (!names.add(name)) {
                    throw invalid(file, "has a header that gives the key '" + name + "' twice in one object");
                }
                if (name.equals(METADATA)) {
                    readMetadata(file, reader, metadata);
                } else {
                    entries.add(parseEntry(file, name, reader));
                }
            }
            reader.endObject();
            if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw invalid(file, "has a header with more after its object");
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalid(file, "has a header that is not valid UTF-8");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw invalid(file, "has a header that is not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse(""));
        }
        return entries;
    }

    private static void readMetadata(Path file, JsonReader reader, Map<String, String> out) throws IOException {
        if (reader.peek() != com.google.gson.stream.JsonToken.BEGIN_OBJECT) {
            throw invalid(file, "has '" + METADATA + "' that is not an object of strings");
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (reader.peek() != com.google.gson.stream.JsonToken.STRING) {
                throw invalid(file, "has metadata '" + key + "' that is not a string");
            }
            if (out.put(key, reader.nextString()) != null) {
                throw invalid(file, "has a header that gives the key '" + key + "' twice in one object");
            }
        }
        reader.endObject();
    }

    private static Entry parseEntry(Path file, String name, JsonReader reader) throws IOException {
        for (int i = 0; i < name.length(); i++) { // a \\uD800 escape decodes to a lone surrogate: not UTF-8 text
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(file, "has a tensor name with a lone surrogate (\\\\u" + Integer.toHexString(c)
                        + "), which is not valid UTF-8");
            }
        }
        if (reader.peek() != com.google.gson.stream.JsonToken.BEGIN_OBJECT) {
            throw invalid(file, "describes tensor '" + name + "' with something other than an object");
        }
        String dtype = null;
        List<String> shapeTokens = null, offsetTokens = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtype != null) {
                        throw invalid(file, "has a header that gives the key 'dtype' twice in one object");
                    }
                    if (reader.peek() != com.google.gson.stream.JsonToken.STRING) {
                        throw invalid(file, "gives tensor '" + name + "' no string 'dtype'");
                    }
                    dtype = reader.nextString();
                }
                case "shape", "data_offsets" -> {
                    if ((key.equals("shape") ? shapeTokens : offsetTokens) != null) {
                        throw invalid(file, "has a header that gives the key '" + key + "' twice in one object");
                    }
                    List<String> tokens = numbers(file, name, key, reader);
                    if (key.equals("shape")) {
                        shapeTokens = tokens;
                    } else {
                        offsetTokens = tokens;
                    }
                }
                default -> throw invalid(file, "describes tensor '" + name + "' with unknown field '" + key + "'");
            }
        }
        reader.endObject();
        if (dtype == null) {
            throw invalid(file, "gives tensor '" + name + "' no string 'dtype'");
        }
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "I64" -> 8;
            default -> throw invalid(file, "gives tensor '" + name + "' dtype '" + dtype
                    + "', which Orthrus does not read (F32, F16, BF16, I32, I64)");
        };
        if (shapeTokens == null) {
            throw invalid(file, "gives tensor '" + name + "' no array 'shape'");
        }
        int[] shape = new int[shapeTokens.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(file, name, "shape", shapeTokens.get(i));
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw invalid(file, "gives tensor '" + name + "' an invalid size " + d + " in its shape");
            }
            shape[i] = (int) d;
            elements *= d;
            if (elements > Integer.MAX_VALUE - 8) {
                throw invalid(file, "gives tensor '" + name + "' shape " + shapeTokens + ", more elements than a Java array"
                        + " holds (" + (Integer.MAX_VALUE - 8) + ")");
            }
        }
        if (offsetTokens == null) {
            throw invalid(file, "gives tensor '" + name + "' no array 'data_offsets'");
        }
        if (offsetTokens.size() != 2) {
            throw invalid(file, "gives tensor '" + name + "' data_offsets with " + offsetTokens.size()
                    + " numbers instead of 2");
        }
        long begin = integer(file, name, "data_offsets", offsetTokens.get(0));
        long end = integer(file, name, "data_offsets", offsetTokens.get(1));
        if (begin < 0 || end < begin) {
            throw invalid(file, "gives tensor '" + name + "' data_offsets [" + begin + ", " + end + "] out of order");
        }
        if (end - begin != elements * width) { // elements < 2^31 and width <= 8: the product cannot overflow
            throw invalid(file, "gives tensor '" + name + "' " + (end - begin) + " bytes of data, but its shape and dtype "
                    + dtype + " need " + elements * width);
        }
        return new Entry(name, dtype, shape, elements, begin, end);
    }

    /** The tokens of a JSON array, as written (numbers raw, strings quoted), for {@link #integer} to check. */
    private static List<String> numbers(Path file, String name, String field, JsonReader reader) throws IOException {
        if (reader.peek() != com.google.gson.stream.JsonToken.BEGIN_ARRAY) {
            throw invalid(file, "gives tensor '" + name + "' no array '" + field + "'");
        }
        List<String> tokens = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            switch (reader.peek()) {
                case NUMBER -> tokens.add(reader.nextString());
                case STRING -> tokens.add('"' + reader.nextString() + '"');
                default -> {
                    tokens.add(reader.peek().name().toLowerCase(java.util.Locale.ROOT));
                    reader.skipValue();
                }
            }
        }
        reader.endArray();
        return tokens;
    }

    private static long integer(Path file, String name, String field, String token) {
        // A JSON integer only: 16.0 and 1.6e1 are refused, as the reference's unsigned-integer fields do.
        if (token.matches("-?[0-9]+")) {
            try {
                return new java.math.BigDecimal(token).longValueExact(); // exact: no rounding, no wrap-around
            } catch (ArithmeticException notALong) {
                // reported below
            }
        }
        throw invalid(file, "gives tensor '" + name + "' a " + field + " entry that is not a whole number: " + token);
    }

    /** What decodes {@code n} elements of a mapped chunk into the output from element {@code at}. */
    private interface ChunkDecoder {
        void decode(ByteBuffer data, int at, int n);
    }

    /** Largest piece of a tensor mapped at once: a mapped buffer holds at most 2 GiB. */
    private static final long CHUNK_BYTES = 1L << 30;

    /** Maps {@code entry}'s bytes a chunk (at most {@link #CHUNK_BYTES}) at a time: a tensor may exceed 2 GiB. */
    private static void forEachChunk(FileChannel channel, long dataStart, Entry entry, ChunkDecoder decoder)
            throws IOException {
        int width = (int) ((entry.end - entry.begin) / Math.max(1, entry.elements));
        long perChunk = CHUNK_BYTES / Math.max(1, width);
        for (long at = 0; at < entry.elements; at += perChunk) {
            int n = (int) Math.min(perChunk, entry.elements - at);
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin + at * width,
                    (long) n * width).order(ByteOrder.LITTLE_ENDIAN);
            decoder.decode(data, (int) at, n);
        }
    }

    private static void decodeIntegers(Path file, Entry entry, ByteBuffer data, int[] out, int at, int n) {
        for (int i = at; i < at + n; i++) {
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
    }

    private static void decode(String dtype, ByteBuffer data, float[] out, int at, int n) {
        switch (dtype) {
            case "F32" -> data.asFloatBuffer().get(out, at, n);
            case "F16" -> {
                for (int i = at; i < at + n; i++) {
                    out[i] = halfToFloat(data.getShort());
                }
            }
            default -> { // BF16: the upper half of a float32
                for (int i = at; i < at + n; i++) {
                    out[i] = Float.intBitsToFloat((data.getShort() & 0xFFFF) << 16);
                }
            }
        }
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
