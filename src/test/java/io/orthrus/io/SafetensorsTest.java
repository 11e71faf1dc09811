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
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(path));
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
        assertRejected("{\"__metadata__\":{\"k\":1}}", new byte[0], "not a string");
        assertRejected("[1, 2]", new byte[0], "start with '{'");
        assertRejected("{\"a\": nope", new byte[0], "not valid JSON");
    }

    @Test
    void aHeaderLengthThatDoesNotFitTheFileIsRejected() throws IOException {
        Path path = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).putLong(0);
        Files.write(path, b.array());
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(path));
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
}
