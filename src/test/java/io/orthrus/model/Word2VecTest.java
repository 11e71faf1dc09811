package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.grammar.Grammar;
import io.orthrus.io.WordVectorsFile;
import io.orthrus.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Word2VecTest {
    private static final List<String> CORPUS = Grammar.english().sentences(20_000, new Rng(1));
    /** Words that fill the same slots of the grammar (see data.grammar.Grammar). */
    private static final Map<String, List<String>> SLOTS = Map.of(
            "singular nouns", List.of("dog", "cat", "bird", "horse", "child", "farmer", "teacher"),
            "plural nouns", List.of("dogs", "cats", "birds", "horses", "children", "farmers", "teachers"),
            "adjectives", List.of("big", "small", "old", "young", "happy", "hungry", "angry"),
            "adverbs", List.of("quickly", "loudly", "quietly", "today", "again"),
            "plural determiners", List.of("some", "two", "three", "four", "five", "many"),
            "singular verbs", List.of("barks", "runs", "sleeps", "eats", "meows", "hides", "sings", "flies", "plays",
                    "laughs", "works", "talks", "sees", "likes", "chases", "feeds", "rides", "teaches", "helps"),
            "plural verbs", List.of("bark", "run", "sleep", "eat", "meow", "hide", "sing", "fly", "play", "laugh",
                    "work", "talk", "see", "like", "chase", "feed", "ride", "teach", "help"));

    private static Word2Vec.Options grammarOptions() {
        // 77 words: small vectors and a narrow window suffice; no sub-sampling on so small a vocabulary.
        return Word2Vec.Options.cbow().withDimensions(32).withWindow(2).withSample(0);
    }

    /** The fraction of slot words whose nearest neighbour fills the same slot; misses are listed. */
    private static double sameSlotRate(Word2Vec model, List<String> misses) {
        int hits = 0, total = 0;
        for (var slot : SLOTS.entrySet()) {
            for (String word : slot.getValue()) {
                String nearest = model.nearest(word, 1).get(0).word();
                total++;
                if (slot.getValue().contains(nearest)) {
                    hits++;
                } else {
                    misses.add(word + " -> " + nearest);
                }
            }
        }
        return hits / (double) total;
    }

    @Test
    void wordsThatFillTheSameSlotEndUpNearestEachOtherAndTrainingIsDeterministic() {
        Word2Vec model = Word2Vec.train(CORPUS, grammarOptions());
        List<String> misses = new ArrayList<>();
        // A random embedding would put a slot-mate first for about (slot size − 1)/75 ≈ 14% of the words.
        assertTrue(sameSlotRate(model, misses) >= 0.95, "nearest neighbours in another slot: " + misses);
        assertEquals(76, model.vocabulary().size(), "the 77 words of the grammar but \".\"");
        assertEquals("cats", model.analogy("dog", "dogs", "cat", 1).get(0).word(), "dogs − dog + cat");
        Word2Vec again = Word2Vec.train(CORPUS, grammarOptions());
        assertArrayEquals(model.vector("dog"), again.vector("dog"), 0f, "one thread: bit-identical for a seed");
        assertTrue(model.statistics().words() == 5L * CORPUS.stream().mapToLong(s -> s.split(" ").length - 1).sum(),
                "every word of every epoch is counted once ('.' is not a word)");
    }

    @Test
    void twoThreadsAndTheFullSoftmaxLearnTheSlotsToo() {
        // The full softmax costs V = 76 dot products per position: a quarter of the corpus is enough.
        for (Word2Vec.Options options : List.of(grammarOptions().withThreads(2), grammarOptions().withNegative(0))) {
            List<String> misses = new ArrayList<>();
            double rate = sameSlotRate(Word2Vec.train(options.negative() == 0 ? CORPUS.subList(0, 5000) : CORPUS,
                    options), misses);
            assertTrue(rate >= 0.9, options + ": " + misses);
        }
    }

    @Test
    void vectorsSurviveTheWord2vecTextFormat(@TempDir Path dir) throws IOException {
        Word2Vec model = Word2Vec.train(CORPUS.subList(0, 2000), grammarOptions().withEpochs(1));
        Path file = dir.resolve("vectors.txt");
        WordVectorsFile.save(model.vectors(), file);
        assertTrue(Files.readAllLines(file).get(0).equals("76 32"));
        WordVectors loaded = WordVectorsFile.load(file);
        assertEquals(model.vectors().words(), loaded.words());
        assertArrayEquals(model.vector("horse"), loaded.vector("horse"), 0f, "Float.toString round-trips exactly");
        assertEquals(model.nearest("dog", 3), loaded.nearest("dog", 3));
    }

    @Test
    void malformedFilesAreReportedWithTheirLine(@TempDir Path dir) throws IOException {
        Map<String, String> cases = Map.of(
                "2 x\na 1\n", ":1: expected a header \"V D\"",
                "2 2\na 1 2\n", "announces 2 words, the file has 1 more lines",
                "2 2\na 1 2\nb 1\n", ":3: expected a word and 2 numbers, got 2 fields",
                "2 2\na 1 2\na 3 4\n", ":3: word 'a' is already on line 2",
                "1 2\na 1 z\n", ":2: value 2 of 'a' is not a number: \"z\"",
                "1 2\na 1 2\nb 3 4\n", ":3: more lines than the 1 words");
        for (var c : cases.entrySet()) {
            Path file = dir.resolve("bad.txt");
            Files.writeString(file, c.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WordVectorsFile.load(file));
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " gave: " + e.getMessage());
        }
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Word2Vec.train(List.of("one two three", "four five"), Word2Vec.Options.cbow().withMinCount(1)));
        assertTrue(e.getMessage().contains("window 5 is not smaller than the longest sentence (3 words)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Word2Vec.train(List.of("", " ... "),
                Word2Vec.Options.cbow()));
        assertTrue(e.getMessage().contains("the corpus has no words"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Word2Vec.train(List.of("a b c d e f g"),
                Word2Vec.Options.cbow().withWindow(2)));
        assertTrue(e.getMessage().contains("no word occurs 5 times or more"), e.getMessage());
        Word2Vec model = Word2Vec.train(CORPUS.subList(0, 500), grammarOptions().withEpochs(1));
        e = assertThrows(IllegalArgumentException.class, () -> model.vector("unicorn"));
        assertTrue(e.getMessage().contains("no vector for 'unicorn'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Word2Vec.Options.cbow().withWindow(0));
        assertThrows(IllegalArgumentException.class, () -> Word2Vec.Options.cbow().withNegative(-1));
    }
}
