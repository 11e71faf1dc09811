package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The heap-ordered merge gives what GPT-2's reference loop gives (merge the lowest-ranked pair
 * everywhere, left to right, repeat), on words where merges overlap and compete.
 */
class BpeMergeOrderTest {
    /** GPT-2's {@code bpe()}: the quadratic reference, on the byte-level string of one piece. */
    private static List<String> referenceMerge(String piece, Map<String, Integer> ranks) {
        List<String> symbols = new ArrayList<>();
        for (char c : piece.toCharArray()) {
            symbols.add(String.valueOf(c));
        }
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String left = null, right = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    left = symbols.get(i);
                    right = symbols.get(i + 1);
                }
            }
            if (left == null) {
                break;
            }
            List<String> merged = new ArrayList<>();
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
                    merged.add(left + right);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return symbols;
    }

    @Test
    void repetitiveAndRandomWordsMergeAsTheReferenceLoopDoes() {
        ByteLevelBpe bpe = ByteLevelBpe.train("aaaa abab aabb baba abba aaab bbba ".repeat(200) + "aaaaaaaa bbbbbbbb ", 300, 2);
        JsonObject json = JsonParser.parseString(bpe.toJson()).getAsJsonObject();
        Map<String, Integer> ranks = new HashMap<>(), ids = new HashMap<>();
        int rank = 0;
        for (JsonElement merge : json.getAsJsonArray("merges")) {
            ranks.putIfAbsent(merge.getAsString(), rank++);
        }
        for (int id = 0; id < bpe.vocabSize(); id++) {
            ids.put(bpe.token(id), id);
        }
        Rng rng = new Rng(3);
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder word = new StringBuilder();
            int length = 1 + rng.nextInt(trial < 1000 ? 12 : 200);
            for (int i = 0; i < length; i++) {
                word.append(rng.nextInt(5) < 3 ? 'a' : 'b');
            }
            String text = word.toString();
            int[] expected = referenceMerge(text, ranks).stream().mapToInt(ids::get).toArray();
            assertArrayEquals(expected, bpe.encode(text), text);
        }
    }
}
