package io.orthrus.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TokenBatch;
import io.orthrus.tensor.Losses;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskedLmTest {
    static final WordPiece TOKENIZER = WordPiece.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "cat", "dog", "sat", "ran", "on", "a", "mat", "un", "##believ", "##able", ".", "big", "red", "hat"),
            true);

    private static TokenBatch batch(int rows, String text, int padTo) {
        List<Encoding> encodings = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            encodings.add(TOKENIZER.encode(text, 64));
        }
        encodings.add(TOKENIZER.encode("the cat", 64)); // a short row: padding follows it
        TokenBatch b = TokenBatch.of(encodings, TOKENIZER.padId());
        assertTrue(b.length() <= padTo);
        return b;
    }

    @Test
    void specialTokensAndPaddingAreNeverChosenAndTheBudgetIsExact() {
        String text = "the cat sat on a mat . the dog ran on a big red hat . the cat sat";
        TokenBatch batch = batch(200, text, 64);
        MaskedLm mlm = MaskedLm.bert(TOKENIZER, 7);
        MaskedLm.MaskedBatch masked = mlm.mask(batch);
        int t = batch.length();
        int[] ids = batch.ids().data(), targets = masked.targets().data(), attention = batch.attentionMask().data();
        for (int row = 0; row < batch.size(); row++) {
            int chosen = 0, maskable = 0;
            for (int i = 0; i < t; i++) {
                int at = row * t + i;
                boolean isChosen = targets[at] != Losses.IGNORE_INDEX;
                if (attention[at] == 0 || TOKENIZER.isSpecial(ids[at])) {
                    assertFalse(isChosen, "row " + row + " position " + i + " is special or padding");
                } else {
                    maskable++;
                }
                if (isChosen) {
                    chosen++;
                    assertEquals(ids[at], targets[at], "the target is the original token");
                }
            }
            assertEquals(Math.max(1, Math.round(maskable * 0.15)), chosen, "row " + row);
        }
    }

    @Test
    void replacementsFollowEightyTenTen() {
        TokenBatch batch = batch(2000, "the cat sat on a mat . the dog ran on a big red hat . the cat sat", 64);
        MaskedLm.MaskedBatch masked = MaskedLm.bert(TOKENIZER, 3).mask(batch);
        int[] inputs = masked.inputs().ids().data(), ids = batch.ids().data();
        int mask = 0, same = 0, random = 0;
        for (int at : masked.positions()) {
            if (inputs[at] == TOKENIZER.maskId()) {
                mask++;
            } else if (inputs[at] == ids[at]) {
                same++;
            } else {
                random++;
                assertFalse(TOKENIZER.isSpecial(inputs[at]), "random replacements are never special tokens");
            }
        }
        int n = masked.positions().length;
        assertTrue(n > 5000, "enough positions to measure: " + n);
        assertEquals(0.8, mask / (double) n, 0.02);
        // A random draw can hit the original token: expected 10% + 10%·(1/15) unchanged.
        assertEquals(0.1 + 0.1 / 15, same / (double) n, 0.02);
        assertEquals(0.1 - 0.1 / 15, random / (double) n, 0.02);
    }

    @Test
    void theChoiceIsSeededAndDependsOnTheBatch() {
        TokenBatch batch = batch(8, "the cat sat on a mat . the dog ran on a big red hat", 64);
        int[] first = MaskedLm.bert(TOKENIZER, 11).mask(batch).positions();
        assertArrayEquals(first, MaskedLm.bert(TOKENIZER, 11).mask(batch).positions());
        assertFalse(java.util.Arrays.equals(first, MaskedLm.bert(TOKENIZER, 12).mask(batch).positions()));
        TokenBatch other = batch(8, "the dog ran on a mat . the cat sat on a big red hat", 64);
        assertNotEquals(java.util.Arrays.toString(first),
                java.util.Arrays.toString(MaskedLm.bert(TOKENIZER, 11).mask(other).positions()));
    }

    @Test
    void wholeWordMaskingKeepsPiecesTogether() {
        TokenBatch batch = batch(300, "the unbelievable cat sat on the unbelievable mat", 64);
        MaskedLm mlm = new MaskedLm(MaskedLm.Vocabulary.of(TOKENIZER),
                MaskedLm.Options.bert(5).withStrategy(MaskedLm.Strategy.WHOLE_WORDS).withRate(0.4));
        MaskedLm.MaskedBatch masked = mlm.mask(batch);
        int[] targets = masked.targets().data(), ids = batch.ids().data();
        int wordsSeen = 0;
        for (int at = 0; at + 2 < ids.length; at++) {
            if (ids[at] == TOKENIZER.id("un")) {
                boolean head = targets[at] != Losses.IGNORE_INDEX;
                assertEquals(head, targets[at + 1] != Losses.IGNORE_INDEX, "##believ goes with un");
                assertEquals(head, targets[at + 2] != Losses.IGNORE_INDEX, "##able goes with un");
                wordsSeen += head ? 1 : 0;
            }
        }
        assertTrue(wordsSeen > 20, "some three-piece words were masked: " + wordsSeen);
    }

    @Test
    void spansAreContiguousRunsOfWholeWords() {
        TokenBatch batch = batch(100, "the cat sat on a mat . the dog ran on a big red hat . the cat sat on the mat .", 64);
        MaskedLm mlm = new MaskedLm(MaskedLm.Vocabulary.of(TOKENIZER),
                MaskedLm.Options.bert(9).withStrategy(MaskedLm.Strategy.SPANS));
        MaskedLm.MaskedBatch masked = mlm.mask(batch);
        int t = batch.length(), runs = 0, chosen = masked.positions().length;
        int[] targets = masked.targets().data();
        for (int at = 0; at < targets.length; at++) {
            boolean start = targets[at] != Losses.IGNORE_INDEX && (at % t == 0 || targets[at - 1] == Losses.IGNORE_INDEX);
            runs += start ? 1 : 0;
        }
        assertTrue(chosen / (double) runs > 1.8, "spans average more than one token: " + chosen + " in " + runs + " runs");
    }

    @Test
    void aSequenceWithNothingToMaskIsRejected() {
        TokenBatch onlySpecials = TokenBatch.of(List.of(TOKENIZER.encode("", 8)), TOKENIZER.padId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskedLm.bert(TOKENIZER, 1).mask(onlySpecials));
        assertTrue(e.getMessage().contains("sequence 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MaskedLm.Options.bert(1).withRate(0));
        assertThrows(IllegalArgumentException.class, () -> MaskedLm.Options.bert(1).withReplacement(0.9, 0.2));
    }
}
