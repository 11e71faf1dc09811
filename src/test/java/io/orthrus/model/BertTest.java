package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TokenBatch;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.Encoding;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.TrainingResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class BertTest {
    private static final WordPiece TOKENIZER = CopyTask.TOKENIZER;

    private static TransformerConfig small() {
        return CopyTask.config();
    }

    @Test
    void learnsToFillMasksFromBothSidesAndIsDeterministic() {
        TrainingResult first = train(42), second = train(42);
        // Guessing among 12 words costs ln 12 = 2.48 nats; copying from the other half costs ~0.
        assertTrue(first.validationLoss() < 0.3, "validation MLM loss " + first.validationLoss());
        assertEquals(first.validationLoss(), second.validationLoss(), 0.0, "bit-identical for a fixed seed");
        assertEquals(first.finalTrainLoss(), second.finalTrainLoss(), 0.0);
    }

    private static TrainingResult train(long seed) {
        return CopyTask.train(seed).result();
    }

    @Test
    void rotaryPositionsNeedNoPositionTableAndLearnTheSameTask() {
        CopyTask.Trained rotary = CopyTask.train(42, small().withPositions(TransformerConfig.PositionalEncoding.ROTARY));
        assertTrue(rotary.model().namedParameters().keySet().stream().noneMatch(name -> name.startsWith("wpe")),
                "rotary BERT (RoFormer) has no position embedding");
        assertTrue(rotary.result().validationLoss() < 0.3, "validation MLM loss " + rotary.result().validationLoss());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Bert(small().withPositions(TransformerConfig.PositionalEncoding.SINUSOIDAL), new Rng(1)));
        assertTrue(e.getMessage().contains("LEARNED (as in BERT) or ROTARY"), e.getMessage());
    }

    @Test
    void paddingChangesNothingForTheRealTokens() {
        Bert model = new Bert(small(), new Rng(1));
        model.eval();
        Encoding shortOne = TOKENIZER.encode("ant bee | ant bee", 16);
        Encoding longOne = TOKENIZER.encode("cat dog eel fox | cat dog eel fox", 16);
        try (var g = NoGrad.enter()) {
            Tensor alone = model.encode(TokenBatch.of(List.of(shortOne), TOKENIZER.padId()));
            Tensor padded = model.encode(TokenBatch.of(List.of(shortOne, longOne), TOKENIZER.padId()));
            int t = shortOne.length(), c = alone.size(2);
            float[] expected = alone.toArray();
            float[] actual = java.util.Arrays.copyOfRange(padded.toArray(), 0, t * c);
            assertArrayEquals(expected, actual, 1e-5f);
        }
    }

    @Test
    void segmentsChangeTheEncodingAndBadInputIsNamed() {
        Bert model = new Bert(small(), new Rng(2));
        IntTensor ids = IntTensor.wrap(TOKENIZER.encode("ant bee | cat", 16).ids(), 1, 6);
        try (var g = NoGrad.enter()) {
            float[] zero = model.encode(ids, null, null).toArray();
            float[] one = model.encode(ids, IntTensor.wrap(new int[] {0, 0, 0, 1, 1, 1}, 1, 6), null).toArray();
            assertTrue(!java.util.Arrays.equals(zero, one));
        }
        IntTensor tooLong = IntTensor.wrap(new int[17], 1, 17);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.encode(tooLong, null, null));
        assertTrue(e.getMessage().contains("17 tokens exceeds the 16 positions"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> model.encode(ids, IntTensor.wrap(new int[] {0, 0, 0, 2, 2, 2}, 1, 6), null));
    }

    @Test
    void bertBaseConstructsAndRunsAForwardPass() {
        Bert model = new Bert(TransformerConfig.bertBase(), new Rng(3));
        // Hugging Face's BertForMaskedLM for bert-base-uncased has 109,514,298 parameters: the same tensors.
        assertEquals(109_514_298L, model.parameterCount());
        model.eval();
        try (var g = NoGrad.enter()) {
            Tensor logits = model.logits(IntTensor.wrap(new int[] {101, 7592, 103, 102}, 1, 4),
                    io.orthrus.nn.AttentionMask.bidirectional());
            assertArrayEquals(new int[] {1, 4, 30522}, logits.shape());
        }
    }
}
