package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.grammar.Grammar;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
    private static final String CORPUS = Grammar.english().text(3000, new Rng(1))
            + "Ünïcödé and 日本語 and emoji 😀😀😀 are bytes too. 123 4567 89\t\ttabs  spaces\n";

    /** The textbook algorithm: recount every pair over all pieces before each merge. */
    private static List<String> naiveMerges(String corpus, int merges) {
        List<List<String>> pieces = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : ByteLevelBpe.pieceCounts(corpus).entrySet()) {
            List<String> symbols = new ArrayList<>();
            for (char c : e.getKey().toCharArray()) {
                symbols.add(String.valueOf(c));
            }
            pieces.add(symbols);
            counts.add(e.getValue());
        }
        List<String> out = new ArrayList<>();
        for (int m = 0; m < merges; m++) {
            Map<List<String>, Long> pairCounts = new java.util.HashMap<>();
            for (int p = 0; p < pieces.size(); p++) {
                List<String> s = pieces.get(p);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(List.of(s.get(i), s.get(i + 1)), (long) counts.get(p), Long::sum);
                }
            }
            List<String> best = null;
            long bestCount = 0;
            for (Map.Entry<List<String>, Long> e : pairCounts.entrySet()) {
                List<String> pair = e.getKey();
                int tie = best == null ? -1 : pair.get(0).compareTo(best.get(0)) != 0
                        ? pair.get(0).compareTo(best.get(0)) : pair.get(1).compareTo(best.get(1));
                if (e.getValue() > bestCount || (e.getValue() == bestCount && tie < 0)) {
                    best = pair;
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            out.add(best.get(0) + " " + best.get(1));
            for (List<String> s : pieces) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                        s.set(i, best.get(0) + best.get(1));
                        s.remove(i + 1);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void incrementalCountsGiveTheSameMergesAsRecountingEveryTime() {
        ByteLevelBpe trained = ByteLevelBpe.train(CORPUS, 257 + 150, 1);
        List<String> merges = new ArrayList<>();
        String json = trained.toJson();
        com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("merges")
                .forEach(e -> merges.add(e.getAsString()));
        assertEquals(naiveMerges(CORPUS, 150), merges);
        assertEquals(257 + 150, trained.vocabSize());
        assertEquals(257 + 150 - 1, trained.specialId(ByteLevelBpe.END_OF_TEXT));
    }

    @Test
    void aTrainedVocabularyEncodesAndDecodesAndCompressesMoreWithMoreMerges() {
        ByteLevelBpe small = ByteLevelBpe.train(CORPUS, 300, 2), large = ByteLevelBpe.train(CORPUS, 600, 2);
        int[] fewer = large.encode(CORPUS), more = small.encode(CORPUS);
        assertEquals(CORPUS, large.decode(fewer));
        assertEquals(CORPUS, small.decode(more));
        assertTrue(fewer.length < more.length && more.length < CORPUS.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                fewer.length + " tokens with 600, " + more.length + " with 300");
        // Every grammar word (with its leading space) becomes one token once there are enough merges.
        for (String word : Grammar.english().vocabulary()) {
            assertEquals(1, large.encode(" " + word).length, word + ": " + Arrays.toString(large.encode(" " + word)));
        }
        String unseen = "Zebras quoth: \"🦓\"";
        assertEquals(unseen, small.decode(small.encode(unseen)), "bytes never seen in training still encode");
    }

    @Test
    void aTrainedVocabularyIsSavedInHuggingFacesFilesAndReadBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        ByteLevelBpe trained = ByteLevelBpe.train(CORPUS, 400, 2);
        trained.saveHuggingFace(dir);
        ByteLevelBpe loaded = ByteLevelBpe.load(dir);
        assertEquals(trained.vocabSize(), loaded.vocabSize());
        assertEquals(java.util.Arrays.toString(trained.encode(CORPUS)), java.util.Arrays.toString(loaded.encode(CORPUS)));
        assertEquals(trained.specialId(ByteLevelBpe.END_OF_TEXT), loaded.specialId(ByteLevelBpe.END_OF_TEXT));
    }

    @Test
    void trainingStopsWhenNoPairIsFrequentEnoughAndRejectsBadSettings() {
        ByteLevelBpe tiny = ByteLevelBpe.train("ab ab ab cd", 10_000, 3);
        assertTrue(tiny.vocabSize() < 270, "only pairs seen 3 times merge: " + tiny.vocabSize());
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.train(CORPUS, 256, 1));
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.train(CORPUS, 300, 0));
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.train("a\uDC00", 300, 1));
    }
}
