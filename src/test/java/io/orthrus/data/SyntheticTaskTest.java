package io.orthrus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SyntheticTaskTest {
    @Test
    void examplesAreRightAndUseOnlyTheirCharacters() {
        Rng rng = new Rng(1);
        DateTimeFormatter written = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
        for (SyntheticTask task : SyntheticTask.values()) {
            for (SyntheticTask.Example e : task.samples(2000, rng)) {
                for (char c : (e.source() + e.target()).toCharArray()) {
                    assertTrue(task.characters().indexOf(c) >= 0, task + ": '" + c + "' in " + e);
                }
                switch (task) {
                    case REVERSE -> assertEquals(new StringBuilder(e.source()).reverse().toString(), e.target());
                    case SORT -> assertEquals(e.source().chars().sorted().collect(StringBuilder::new,
                            StringBuilder::appendCodePoint, StringBuilder::append).toString(), e.target());
                    case DATES -> assertEquals(LocalDate.parse(e.source()).format(written), e.target());
                }
                if (task != SyntheticTask.DATES) {
                    assertTrue(e.source().length() >= 1 && e.source().length() <= SyntheticTask.MAX_LENGTH, e.toString());
                }
            }
            assertEquals(task.samples(5, new Rng(9)), task.samples(5, new Rng(9)), "seeded");
        }
    }

    @Test
    void batchesShiftTheTargetRightAndPadBothSides() {
        SpecialTokens s = SpecialTokens.after(10);
        Seq2SeqBatch batch = Seq2SeqBatch.of(List.of(new SequencePair(new int[] {1, 2, 3}, new int[] {4, 5}),
                new SequencePair(new int[] {6}, new int[] {7, 8, 9})), s);
        assertArrayEquals(new int[] {1, 2, 3, 6, 10, 10}, batch.source().data());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0}, batch.sourcePadding().data());
        assertArrayEquals(new int[] {11, 4, 5, 10, 11, 7, 8, 9}, batch.decoderInput().data());
        int ig = Losses.IGNORE_INDEX;
        assertArrayEquals(new int[] {4, 5, 12, ig, 7, 8, 9, 12}, batch.targets().data());
        assertEquals(7, batch.predictions());
        assertThrows(IllegalArgumentException.class, () -> new SequencePair(new int[0], new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new SequencePair(new int[] {1}, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Seq2SeqBatch.of(List.of(), s));
    }
}
