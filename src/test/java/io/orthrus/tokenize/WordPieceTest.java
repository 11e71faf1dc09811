package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.data.TokenBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTest {
    static final Path BERT_VOCAB = Path.of("../shared/data/bert/vocab.txt");
    private static final List<String> SMALL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "un", "##aff", "##able", "a", "##ble", "the", ",", "!", "hello", "world");

    static WordPiece bertUncased() throws IOException {
        assumeTrue(Files.isRegularFile(BERT_VOCAB), "needs ../shared/data/bert/vocab.txt");
        return WordPiece.load(BERT_VOCAB, true);
    }

    private static JsonObject fixture() throws IOException {
        try (InputStream in = WordPieceTest.class.getResourceAsStream("/fixtures/wordpiece_reference.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    @Test
    void matchesTransformersBertTokenizerOnEveryFixtureCase() throws IOException {
        assumeTrue(Files.isRegularFile(BERT_VOCAB), "needs ../shared/data/bert/vocab.txt");
        WordPiece uncased = WordPiece.load(BERT_VOCAB, true), cased = WordPiece.load(BERT_VOCAB, false);
        int checked = 0;
        for (JsonElement element : fixture().getAsJsonArray("cases")) {
            JsonObject c = element.getAsJsonObject();
            String text = c.get("text").getAsString();
            WordPiece tokenizer = c.get("lower_case").getAsBoolean() ? uncased : cased;
            List<String> expected = new ArrayList<>();
            c.getAsJsonArray("tokens").forEach(t -> expected.add(t.getAsString()));
            assertEquals(expected, tokenizer.tokenize(text), () -> tokenizer + " on " + text.codePoints()
                    .mapToObj(cp -> cp < 128 ? String.valueOf((char) cp) : String.format("\\u%04X", cp))
                    .reduce("", String::concat));
            assertArrayEquals(ints(c.getAsJsonArray("ids")), tokenizer.encode(text), text);
            checked++;
        }
        assertEquals(694, checked, "every case of the fixture was read");
    }

    @Test
    void pairEncodingTruncatesLikeTheReference() throws IOException {
        WordPiece tokenizer = bertUncased();
        for (JsonElement element : fixture().getAsJsonArray("pairs")) {
            JsonObject p = element.getAsJsonObject();
            Encoding e = tokenizer.encodePair(p.get("a").getAsString(), p.get("b").getAsString(),
                    p.get("max_length").getAsInt());
            assertArrayEquals(ints(p.getAsJsonArray("ids")), e.ids(), p.toString());
            assertArrayEquals(ints(p.getAsJsonArray("segments")), e.segments(), p.toString());
        }
    }

    @Test
    void specialTokensOfBertBaseHaveTheirKnownIds() throws IOException {
        WordPiece tokenizer = bertUncased();
        assertEquals(30522, tokenizer.vocabSize());
        assertEquals(0, tokenizer.padId());
        assertEquals(100, tokenizer.unknownId());
        assertEquals(101, tokenizer.clsId());
        assertEquals(102, tokenizer.sepId());
        assertEquals(103, tokenizer.maskId());
        assertEquals("[CLS] the [MASK] sat . [SEP]", tokenizer.decode(tokenizer.encode("The [MASK] sat.", 16).ids()));
        assertEquals("unaffable", tokenizer.decode(tokenizer.encode("unaffable")));
    }

    @Test
    void greedyLongestMatchAndUnknownWords() {
        WordPiece tokenizer = WordPiece.of(SMALL, true);
        assertEquals(List.of("un", "##aff", "##able"), tokenizer.tokenize("unaffable"));
        assertEquals(List.of("a", "##ble"), tokenizer.tokenize("able"), "first piece has no ## and 'able' is not a word");
        assertEquals(List.of("hello", ",", "[UNK]", "!"), tokenizer.tokenize("Hello, wor!"), "no piece covers 'wor'");
        assertEquals(List.of("[UNK]"), tokenizer.tokenize("a".repeat(101)));
        assertTrue(tokenizer.isContinuation(tokenizer.id("##aff")));
        assertFalse(tokenizer.isContinuation(tokenizer.id("un")));
        assertTrue(tokenizer.isSpecial(tokenizer.maskId()));
    }

    @Test
    void aVocabularyWithoutTheSpecialTokensIsRejectedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\n[UNK]\nhello\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WordPiece.load(file, true));
        assertTrue(e.getMessage().contains("[CLS], [SEP], [MASK]") && e.getMessage().contains(file.toString()),
                e.getMessage());
        Files.writeString(file, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nhello\n");
        e = assertThrows(IllegalArgumentException.class, () -> WordPiece.load(file, true));
        assertTrue(e.getMessage().contains("'hello' appears twice, at entries 6 and 7"), e.getMessage());
    }

    @Test
    void vocabFileAndJsonRoundTrip(@TempDir Path dir) throws IOException {
        WordPiece tokenizer = WordPiece.of(SMALL, false);
        Path file = dir.resolve("vocab.txt");
        tokenizer.writeVocab(file);
        WordPiece reloaded = WordPiece.load(file, false);
        assertEquals(SMALL.size(), reloaded.vocabSize());
        assertArrayEquals(tokenizer.encode("the unaffable world"), reloaded.encode("the unaffable world"));
        Tokenizer fromJson = Tokenizers.fromJson(tokenizer.toJson());
        assertTrue(fromJson instanceof WordPiece w && !w.lowerCase());
        assertArrayEquals(tokenizer.encode("Hello the world"), fromJson.encode("Hello the world"));
    }

    @Test
    void singleEncodingTruncatesTheEndAndPaddingMasksIt() {
        WordPiece tokenizer = WordPiece.of(SMALL, true);
        Encoding e = tokenizer.encode("hello the world", 4);
        assertEquals("[CLS] hello the [SEP]", tokenizer.decode(e.ids()));
        Encoding pair = tokenizer.encodePair("hello", "the world", 32);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, pair.segments());
        TokenBatch batch = TokenBatch.of(List.of(e, pair, tokenizer.encode("", 8)), tokenizer.padId());
        assertArrayEquals(new int[] {3, 6}, batch.ids().shape());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, batch.attentionMask().data());
        assertEquals(tokenizer.padId(), batch.ids().get(2, 5));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encodePair("a", "b", 2));
    }

    @Test
    void trainingLearnsFrequentWordsAsWholePiecesDeterministically() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            corpus.add("the cat sat on the mat. The cats sat on the mats, and the hat sat on the cat.");
            corpus.add("Unbelievable! The unbeatable cat was unstoppable.");
        }
        WordPiece small = WordPiece.train(corpus, 60, true);
        WordPiece again = WordPiece.train(corpus, 60, true);
        assertEquals(60, small.vocabSize());
        assertEquals(small.toJson(), again.toJson(), "training is deterministic");
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"),
                List.of(small.token(0), small.token(1), small.token(2), small.token(3), small.token(4)));
        for (String line : corpus) {
            assertFalse(small.tokenize(line).contains(WordPiece.UNK), "every word of the corpus can be spelled");
        }
        WordPiece larger = WordPiece.train(corpus, 90, true);
        assertTrue(larger.tokenize(corpus.get(0)).size() < small.tokenize(corpus.get(0)).size(),
                "a larger vocabulary cuts the corpus into fewer pieces");
        assertEquals(List.of("the"), larger.tokenize("the"));
        assertThrows(IllegalArgumentException.class, () -> WordPiece.train(corpus, 10, true));
    }

    @Test
    void leftTruncationKeepsTheEndsOfTheTexts() {
        WordPiece right = WordPiece.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "e"), true);
        WordPiece left = right.withTruncationSide(EncoderTokenizer.TruncationSide.LEFT);
        assertEquals(EncoderTokenizer.TruncationSide.RIGHT, right.truncationSide());
        assertArrayEquals(new int[] {2, 5, 6, 3}, right.encode("a b c d e", 4).ids());
        assertArrayEquals(new int[] {2, 8, 9, 3}, left.encode("a b c d e", 4).ids());
        // longest_first keeps 3 of "a b c d e" and 2 of "a b" in 8 ids; from the left, the last ones of each
        assertArrayEquals(new int[] {2, 7, 8, 9, 3, 5, 6, 3}, left.encodePair("a b c d e", "a b", 8).ids());
        assertArrayEquals(new int[] {2, 5, 6, 7, 3, 5, 6, 3}, right.encodePair("a b c d e", "a b", 8).ids());
        assertArrayEquals(right.encode("a b c"), left.encode("a b c"), "no truncation, no difference");
    }
}
