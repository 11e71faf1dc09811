package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reranker saved here is a folder sentence-transformers' {@code CrossEncoder(dir)} scores alike.
 * {@code src/test/resources/cross-encoder-written/} holds what {@link #main} writes (the one-label fixture loaded and
 * saved again, with a length of 16) and {@code reference.json}, the scores {@code CrossEncoder.predict} gives for it
 * ({@code src/test/python/make_written_cross_encoder_fixture.py}, batch 2). The test checks the writer still writes
 * those bytes and that the scores match. After changing the writer: run {@link #main}, then the script.
 */
class WrittenCrossEncoderTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(WrittenCrossEncoderTest.class.getResource("/" + name + "/config.json").toURI()).getParent();
    }

    /** Writes the folder into {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        CrossEncoder.load(fixture("cross-encoder/one-label")).save(Path.of(args[0]));
    }

    @Test
    void sentenceTransformersScoresWhatOrthrusWrites() throws Exception {
        Path folder = dir.resolve("written");
        CrossEncoder.load(fixture("cross-encoder/one-label")).save(folder);
        List<Path> files;
        try (Stream<Path> all = Files.walk(folder)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        assertEquals(5, files.size(), files.toString());
        for (Path file : files) {
            assertArrayEquals(Files.readAllBytes(fixture("cross-encoder-written").resolve(folder.relativize(file).toString())),
                    Files.readAllBytes(file), folder.relativize(file) + " is not what the reference was made from; see"
                            + " the class comment to regenerate");
        }
        JsonObject reference = JsonParser.parseString(Files.readString(fixture("cross-encoder-written")
                .resolve("reference.json"))).getAsJsonObject();
        List<String> documents = new ArrayList<>();
        reference.getAsJsonArray("documents").forEach(d -> documents.add(d.getAsString()));
        CrossEncoder loaded = CrossEncoder.load(folder);
        assertEquals(CrossEncoder.Activation.SIGMOID, loaded.activation());
        assertEquals(12, loaded.maxSequenceLength());
        float[] scores = loaded.withBatchSize(2).score(reference.get("query").getAsString(), documents);
        JsonArray expected = reference.getAsJsonArray("scores");
        for (int i = 0; i < scores.length; i++) {
            assertEquals(expected.get(i).getAsDouble(), scores[i], 1e-4, documents.get(i));
        }
    }
}
