package io.orthrus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairDatasetTest {
    @TempDir
    Path dir;

    private static final WordPiece TOKENIZER = WordPiece.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a",
            "b", "c", "d", "e", "f", "g", "h", "i", "j"), true);

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void readsEachKindOfJsonl() throws Exception {
        PairDataset triplets = PairDataset.readJsonl(write("t.jsonl",
                "{\"anchor\": \"a\", \"positive\": \"b\", \"negative\": \"c\"}\n\n{\"anchor\": \"d\", \"positive\": \"e\","
                        + " \"negative\": \"f\"}\n"));
        assertEquals(2, triplets.size());
        assertTrue(triplets.hasNegatives() && !triplets.scored());
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), triplets.texts());
        PairDataset scored = PairDataset.readJsonl(write("s.jsonl", "{\"a\": \"a\", \"b\": \"b\", \"score\": 0.5}\n"));
        assertTrue(scored.scored());
        assertEquals(0.5, scored.examples().get(0).score());
        PairDataset pairs = PairDataset.readJsonl(write("p.jsonl", "{\"anchor\": \"a\", \"positive\": \"b\"}"));
        assertTrue(!pairs.scored() && !pairs.hasNegatives());
    }

    @Test
    void badLinesAreNamedByFileAndLine() throws Exception {
        String[][] cases = {
                {"{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"a\", \"positive\": 3}", ":2: field \"positive\" must be a string"},
                {"not json", ":1: not valid JSON"},
                {"[1, 2]", ":1: not a JSON object"},
                {"{\"text\": \"a\"}", ":1: needs \"anchor\" and \"positive\""},
                {"{\"a\": \"a\", \"b\": \"b\", \"score\": \"high\"}", ":1: field \"score\" must be a finite number"},
                {"{\"a\": \"a\", \"b\": \"b\"}", ":1: field \"score\" must be a finite number, got null"},
                {"{\"anchor\": \"a\", \"positive\": \"b\", \"negative\": \"c\"}\n{\"anchor\": \"a\", \"positive\": \"b\"}",
                        ":2: this line has no \"negative\" but the first has one"},
                {"\n\n", ": no pairs"},
        };
        for (String[] c : cases) {
            Path file = write("bad.jsonl", c[0]);
            var e = assertThrows(IllegalArgumentException.class, () -> PairDataset.readJsonl(file), c[1]);
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
        Path invalid = dir.resolve("latin1.jsonl");
        Files.write(invalid, new byte[] {'{', '"', 'a', (byte) 0xE9, '"', '}'});
        var e = assertThrows(IllegalArgumentException.class, () -> PairDataset.readJsonl(invalid));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    private static PairDataset letters(int n) {
        List<PairDataset.Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String a = String.valueOf((char) ('a' + i % 10));
            examples.add(PairDataset.Example.related(a + " " + a, a, "j"));
        }
        return PairDataset.of(examples);
    }

    @Test
    void batchesDrawDistinctExamplesReproduciblyFromTheirGenerator() {
        PairDataset data = letters(10);
        BatchSource<PairBatch> first = data.batches(TOKENIZER, 8, 6, new Rng(3));
        BatchSource<PairBatch> second = data.batches(TOKENIZER, 8, 6, new Rng(3));
        assertEquals(Set.of("pairs"), first.generators().keySet());
        for (int step = 0; step < 20; step++) {
            PairBatch a = first.next(), b = second.next();
            assertArrayEquals(a.first().ids().data(), b.first().ids().data());
            assertEquals(6, a.size());
            assertNotNull(a.negatives());
            assertNull(a.scores());
            Set<Integer> anchors = new HashSet<>();
            for (int row = 0; row < 6; row++) {
                anchors.add(a.second().ids().data()[row * a.second().length() + 1]); // the positive's one letter
            }
            assertEquals(6, anchors.size(), "no example twice in a batch");
        }
        assertEquals(10, data.batches(TOKENIZER, 8, 100, new Rng(1)).next().size(), "at most the whole dataset");
    }

    @Test
    void crossEncoderBatchesPairEachAnchorWithAPositiveAndANegative() {
        PairDataset data = letters(10);
        ScoredBatch batch = data.crossEncoderBatches(TOKENIZER, 8, 4, new Rng(2)).next();
        assertEquals(8, batch.size());
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, batch.targets().data());
        int[] segments = batch.inputs().segments().data();
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, java.util.Arrays.copyOf(segments, 6),
                "[CLS] x x [SEP] | x [SEP]: the second text of a pair is segment 1");
        PairDataset scored = PairDataset.of(List.of(PairDataset.Example.scored("a", "b", 0.25),
                PairDataset.Example.scored("c", "d", 1.5)));
        var e = assertThrows(IllegalArgumentException.class, () -> scored.crossEncoderBatches(TOKENIZER, 8, 2, new Rng(1)));
        assertTrue(e.getMessage().contains("example 1 has score 1.5"), e.getMessage());
    }

    @Test
    void aSplitHoldsOutAFractionAndKeepsTheRest() {
        PairDataset.Split split = letters(20).split(0.25, new Rng(4));
        assertEquals(5, split.validation().size());
        assertEquals(15, split.train().size());
        var e = assertThrows(IllegalArgumentException.class, () -> letters(1).split(0.5, new Rng(1)));
        assertTrue(e.getMessage().contains("2 or more examples"), e.getMessage());
        var mixed = assertThrows(IllegalArgumentException.class, () -> PairDataset.of(List.of(
                PairDataset.Example.related("a", "b"), PairDataset.Example.scored("a", "b", 1))));
        assertTrue(mixed.getMessage().contains("example 1 is a scored pair"), mixed.getMessage());
    }
}
