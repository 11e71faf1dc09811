package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file with the given header JSON and data bytes, laid out as the format says. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json).put(data);
        Path path = dir.resolve("t.safetensors");
        Files.write(path, buffer.array());
        return path;
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private void assertRejected(String header, byte[] data, String expected) throws IOException {
        Path path = file(header, data);
        var e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(path));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", Tensor.randn(new Rng(1), 5, 3));
        tensors.put("scalar", Tensor.scalar(2.5f));
        tensors.put("empty", Tensor.zeros(0, 4));
        Path path = dir.resolve("m.safetensors");
        Safetensors.write(path, tensors, Map.of("format", "orthrus"));
        Safetensors.Contents read = Safetensors.read(path);
        assertEquals(tensors.keySet(), read.tensors().keySet());
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), read.tensors().get(name).shape());
            assertArrayEquals(tensors.get(name).toArray(), read.tensors().get(name).toArray(), 0f);
        }
        assertEquals("orthrus", read.metadata().get("format"));
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(path), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "data must start 8-byte aligned");
    }

    @Test
    void anOpenedFileReadsOneTensorAtATimeIntoTheCallersArray() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("q", Tensor.randn(new Rng(2), 2, 3));
        tensors.put("k", Tensor.randn(new Rng(3), 1, 3));
        Path path = dir.resolve("qk.safetensors");
        Safetensors.write(path, tensors, Map.of(), Map.of(), Safetensors.Dtype.BF16, Safetensors.Dtype.I64);
        float[] fused = new float[9];
        try (Safetensors.Opened opened = Safetensors.open(path)) {
            assertEquals(java.util.List.of("q", "k"), opened.names());
            assertArrayEquals(new int[] {1, 3}, opened.shape("k"));
            opened.readInto("q", fused, 0);
            opened.readInto("k", fused, 6);
            var tooSmall = assertThrows(IllegalArgumentException.class, () -> opened.readInto("q", new float[5], 0));
            assertTrue(tooSmall.getMessage().contains("do not fit from offset 0 in an array of 5"), tooSmall.getMessage());
            var unknown = assertThrows(IllegalArgumentException.class, () -> opened.shape("v"));
            assertTrue(unknown.getMessage().contains("no tensor 'v'"), unknown.getMessage());
        }
        Safetensors.Contents read = Safetensors.read(path);
        float[] expected = new float[9];
        System.arraycopy(read.tensors().get("q").data(), 0, expected, 0, 6);
        System.arraycopy(read.tensors().get("k").data(), 0, expected, 6, 3);
        assertArrayEquals(expected, fused, 0f);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aFifoOrADirectoryIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("model.safetensors");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo is not available");
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(dir));
        assertTrue(e.getMessage().endsWith("is a directory, not a file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(dir.resolve("none.safetensors")));
        assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    }

    @Test
    void theSameContentIsWrittenAsTheSameBytes() throws IOException {
        Map<String, Tensor> tensors = Map.of("w", Tensor.of(new float[] {1, 2}, 2));
        Map<String, String> metadata = new java.util.HashMap<>();
        for (int i = 0; i < 20; i++) {
            metadata.put("key" + i, "value" + i);
        }
        Map<String, String> reversed = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        reversed.putAll(metadata);
        Safetensors.write(dir.resolve("a.safetensors"), tensors, metadata);
        Safetensors.write(dir.resolve("b.safetensors"), tensors, reversed);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.safetensors")), Files.readAllBytes(dir.resolve("b.safetensors")));
    }

    @Test
    void readsHalfAndBfloat16() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC000); // F16: 1.0, -2.0
        data.putShort((short) 0x3FC0).putShort((short) 0x0001); // BF16: 1.5, tiny subnormal
        Path path = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data.array());
        Safetensors.Contents read = Safetensors.read(path);
        assertArrayEquals(new float[] {1f, -2f}, read.tensors().get("h").toArray(), 0f);
        assertEquals(1.5f, read.tensors().get("b").get(0));
        assertEquals(Float.intBitsToFloat(1 << 16), read.tensors().get("b").get(1));
        assertEquals(0x1.0p-24f, Safetensors.halfToFloat((short) 1)); // smallest F16 subnormal
        assertEquals(Float.POSITIVE_INFINITY, Safetensors.halfToFloat((short) 0x7C00));
    }

    @Test
    void everyHeaderFieldIsValidated() throws IOException {
        byte[] two = floats(1f, 2f);
        assertRejected("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", two, "dtype 'F64'");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", two, "need 12");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", two, "invalid size -2");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", two, "out of order");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", two, "instead of 2");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", two, "gap");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", two, "cover 4");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", two, "overlaps");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", two, "unknown field 'x'");
        assertRejected("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", two, "no string 'dtype'");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", two, "not a whole number");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", two, "not a whole number: 8.0");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,0.8e1]}}", two, "not a whole number");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", two, "not a whole number");
        assertRejected("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", two, "lone surrogate");
        assertRejected("{\"__metadata__\":{\"k\":1}}", new byte[0], "not a string");
        assertRejected("[1, 2]", new byte[0], "start with '{'");
        assertRejected("{\"a\": nope", new byte[0], "not valid JSON");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", two, "key 'a' twice");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", two,
                "key 'dtype' twice");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551624]}}", two,
                "not a whole number");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}", two,
                "more elements than a Java array holds");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9007199254740993]}}", two,
                "need 8");
    }

    @Test
    void readsIntegerTensors() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(7).putInt(-3).putLong(50256L).putLong(-1L);
        Path path = file("{\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[8,24]}}", data.array());
        Safetensors.Contents contents = Safetensors.read(path);
        assertArrayEquals(new int[] {7, -3}, contents.integers().get("i32").data());
        assertArrayEquals(new int[] {50256, -1}, contents.integers().get("i64").data());
        assertArrayEquals(new int[] {1, 2}, contents.integers().get("i64").shape());
        assertTrue(contents.tensors().isEmpty());
        ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        assertRejected("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", big.array(),
                "does not fit the int ids");
    }

    @Test
    void halfAndBfloat16AreRoundedToNearestEvenAndEveryValueRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Safetensors.halfToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Safetensors.floatToHalf(f), "half " + Integer.toHexString(h));
            } else {
                assertTrue(Float.isNaN(Safetensors.halfToFloat(Safetensors.floatToHalf(f))));
            }
            float b = Float.intBitsToFloat(h << 16);
            if (!Float.isNaN(b)) {
                assertEquals((short) h, Safetensors.floatToBfloat16(b), "bfloat16 " + Integer.toHexString(h));
            }
        }
        // Halfway between two neighbours, ties go to the even one.
        for (int h = 0; h < 0x7BFF; h++) {
            float low = Safetensors.halfToFloat((short) h), high = Safetensors.halfToFloat((short) (h + 1));
            float mid = (low + high) / 2; // exact: float32 has the bits
            assertEquals((short) ((h & 1) == 0 ? h : h + 1), Safetensors.floatToHalf(mid), "tie after " + h);
            assertEquals((short) h, Safetensors.floatToHalf(Math.nextDown(mid)));
            assertEquals((short) (h + 1), Safetensors.floatToHalf(Math.nextUp(mid)));
        }
        assertEquals((short) 0x7C00, Safetensors.floatToHalf(70000f), "beyond 65504: infinity");
        assertEquals((short) 0x8000, Safetensors.floatToHalf(-1e-10f), "below the smallest subnormal: signed zero");
    }

    @Test
    void writesHalfBfloat16AndIntegerDtypes() throws IOException {
        Map<String, Tensor> floats = new LinkedHashMap<>();
        floats.put("w", Tensor.of(new float[] {1f, -2.5f, 0.1f, 65504f}, 2, 2));
        Map<String, io.orthrus.tensor.IntTensor> ints = Map.of("ids", io.orthrus.tensor.IntTensor.of(new int[] {50256, -7}, 2));
        for (Safetensors.Dtype floatType : new Safetensors.Dtype[] {Safetensors.Dtype.F16, Safetensors.Dtype.BF16}) {
            for (Safetensors.Dtype intType : new Safetensors.Dtype[] {Safetensors.Dtype.I32, Safetensors.Dtype.I64}) {
                Path path = dir.resolve(floatType + "-" + intType + ".safetensors");
                Safetensors.write(path, floats, ints, Map.of("k", "v"), floatType, intType);
                Safetensors.Contents back = Safetensors.read(path);
                float[] w = back.tensors().get("w").data();
                assertEquals(1f, w[0]);
                assertEquals(-2.5f, w[1]);
                assertEquals(0.1f, w[2], floatType == Safetensors.Dtype.F16 ? 1e-4f : 1e-3f);
                assertEquals(floatType == Safetensors.Dtype.F16 ? 65504f : 65536f, w[3]);
                assertArrayEquals(new int[] {50256, -7}, back.integers().get("ids").data());
                assertEquals(Map.of("k", "v"), back.metadata());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("x"), floats, ints, Map.of(),
                Safetensors.Dtype.I32, Safetensors.Dtype.I64));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("x"), floats,
                Map.of("w", io.orthrus.tensor.IntTensor.of(new int[] {1}, 1)), Map.of(), Safetensors.Dtype.F32,
                Safetensors.Dtype.I64));
    }

    /**
     * 10,000 corruptions of a valid file (bytes flipped, set or inserted anywhere, the file cut
     * short or extended, the header length changed): each read returns contents or throws
     * SafetensorsFormatException, never anything else, and quickly.
     */
    @Test
    void mutatedFilesGiveACleanResultOrOneTypedException() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.randn(new Rng(1), 3, 4));
        tensors.put("b", Tensor.randn(new Rng(2), 4));
        tensors.put("empty", Tensor.zeros(0, 2));
        Path valid = dir.resolve("valid.safetensors");
        Safetensors.write(valid, tensors, Map.of("format", "pt"));
        byte[] original = Files.readAllBytes(valid);
        Rng rng = new Rng(3);
        Path mutated = dir.resolve("mutated.safetensors");
        int clean = 0, rejected = 0;
        long start = System.nanoTime();
        for (int trial = 0; trial < 10_000; trial++) {
            byte[] bytes = mutate(original, rng);
            Files.write(mutated, bytes);
            try {
                Safetensors.read(mutated);
                clean++;
            } catch (SafetensorsFormatException expected) {
                rejected++;
            } catch (Throwable other) {
                throw new AssertionError("trial " + trial + " threw " + other + " for bytes "
                        + java.util.Arrays.toString(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 200))), other);
            }
        }
        assertEquals(10_000, clean + rejected);
        assertTrue(rejected > 5000 && clean > 100, clean + " read, " + rejected + " rejected");
        assertTrue(System.nanoTime() - start < 60_000_000_000L, "no mutation may make a read hang");
    }

    private static byte[] mutate(byte[] original, Rng rng) {
        byte[] bytes = original.clone();
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits; e++) {
            switch (rng.nextInt(6)) {
                case 0 -> bytes[rng.nextInt(bytes.length)] ^= (byte) (1 << rng.nextInt(8)); // flip a bit
                case 1 -> bytes[rng.nextInt(bytes.length)] = (byte) "{}[]\",:0123456789-.eE \\u".charAt(rng.nextInt(24));
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, Math.max(0, bytes.length - 1 - rng.nextInt(bytes.length)));
                case 3 -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + rng.nextInt(16)); // trailing zeros
                case 4 -> { // the header length: small changes and wild values
                    if (bytes.length >= 8) {
                        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                        long length = b.getLong(0);
                        b.putLong(0, rng.nextInt(2) == 0 ? length + rng.nextInt(17) - 8 : rng.nextLong());
                    }
                }
                default -> { // insert a byte
                    int at = rng.nextInt(bytes.length + 1);
                    byte[] grown = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, grown, 0, at);
                    grown[at] = (byte) rng.nextInt(256);
                    System.arraycopy(bytes, at, grown, at + 1, bytes.length - at);
                    bytes = grown;
                }
            }
            if (bytes.length == 0) {
                break;
            }
        }
        return bytes;
    }

    @Test
    void aHeaderLengthThatDoesNotFitTheFileIsRejected() throws IOException {
        Path path = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).putLong(0);
        Files.write(path, b.array());
        var e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(path));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        Files.write(path, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.read(path));
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        Path path = dir.resolve("w.safetensors");
        Safetensors.write(path, Map.of("a", Tensor.ones(3)), Map.of());
        Safetensors.write(path, Map.of("a", Tensor.zeros(3)), Map.of());
        assertArrayEquals(new float[3], Safetensors.read(path).tensors().get("a").toArray(), 0f);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(path, Map.of("__metadata__", Tensor.ones(1)), Map.of()));
        assertArrayEquals(new float[3], Safetensors.read(path).tensors().get("a").toArray(), 0f);
    }

    /** Runs {@link #main}'s reading of {@code file} in a child JVM of {@code heap}; returns its output. */
    private static String readInChildJvm(Path file, String heap) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-cp", System.getProperty("java.class.path"), SafetensorsTest.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /** Reads a file and prints how many tensors it has and the first value of each (for the child-JVM tests). */
    public static void main(String[] args) throws IOException {
        Safetensors.Contents c = Safetensors.read(Path.of(args[0]));
        System.out.println("tensors " + c.tensors().size() + " last "
                + c.tensors().values().stream().reduce((a, b) -> b).map(t -> t.numel() == 0 ? "empty" : t.get(t.numel() - 1)
                + "").orElse("none"));
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aHeaderAtTheFormatsLimitParsesUnderAHalfGigabyteHeap() throws Exception {
        StringBuilder sb = new StringBuilder("{");
        int i = 0;
        while (sb.length() < 99_000_000) {
            sb.append(i > 0 ? "," : "").append("\"tensor.number.").append(i++)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path path = file(sb.append('}').toString(), new byte[0]);
        assertTrue(readInChildJvm(path, "512m").contains("tensors " + i), "every tensor read");
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aTensorOfMoreThanTwoGigabytesIsReadInPieces() throws Exception {
        long elements = 1_200_000_000L; // F16: 2.4 GB of data, more than one mapped buffer holds
        Path path = dir.resolve("big.safetensors");
        byte[] header = ("{\"big\":{\"dtype\":\"F16\",\"shape\":[" + elements + "],\"data_offsets\":[0," + 2 * elements
                + "]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            f.write(header);
            f.setLength(8 + header.length + 2 * elements); // sparse: zeros, then the last element
            f.seek(8 + header.length + 2 * elements - 2);
            f.write(new byte[] {0x00, 0x3C}); // F16 1.0
        }
        assertTrue(readInChildJvm(path, "6g").contains("tensors 1 last 1.0"), "the last element is read");
    }
}
