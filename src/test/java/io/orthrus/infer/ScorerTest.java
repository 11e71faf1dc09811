package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScorerTest {
    private static final CharTokenizer CHARS = CharTokenizer.of("abcdefgh ");

    private static Gpt gpt(Direction direction) {
        return new Gpt(TransformerConfig.tiny(CHARS.vocabSize()).withContextLength(8), direction, new Rng(3));
    }

    @Test
    void aTextThatFitsScoresAsTheCausalLmLossTimesItsTargets() {
        String text = "abc defg"; // 8 tokens: 7 targets, one window
        for (Direction direction : Direction.values()) {
            Gpt model = gpt(direction);
            Scorer.Score score = Scorer.logLikelihood(model, CHARS, text);
            CausalLm objective = direction == Direction.LEFT_TO_RIGHT ? CausalLm.leftToRight() : CausalLm.rightToLeft();
            double loss;
            try (var g = NoGrad.enter()) {
                loss = objective.loss(model, IntTensor.of(CHARS.encode(text), 1, 8)).item();
            }
            assertEquals(7, score.tokens());
            assertEquals(loss * 7, -score.logLikelihood(), 1e-4, direction.toString());
            assertEquals(Math.exp(loss), score.perplexity(), 1e-4);
        }
    }

    @Test
    void aLongTextIsReadInOverlappingWindowsScoringEachTokenOnce() {
        Gpt model = gpt(Direction.LEFT_TO_RIGHT);
        int[] ids = CHARS.encode("abcdefgh abcd"); // 13 tokens, context 8
        // Windows as documented: inputs [0, 8) score targets 1..8; inputs [4, 12) score targets 9..12.
        double expected = 0;
        float[] first = logProbs(model, Arrays.copyOfRange(ids, 0, 8));
        for (int target = 1; target <= 8; target++) {
            expected += first[(target - 1) * CHARS.vocabSize() + ids[target]];
        }
        float[] second = logProbs(model, Arrays.copyOfRange(ids, 4, 12));
        for (int target = 9; target <= 12; target++) {
            expected += second[(target - 1 - 4) * CHARS.vocabSize() + ids[target]];
        }
        Scorer.Score score = Scorer.logLikelihood(model, CHARS, "abcdefgh abcd");
        assertEquals(12, score.tokens());
        assertEquals(expected, score.logLikelihood(), 1e-4);
    }

    private static float[] logProbs(Gpt model, int[] window) {
        return model.evaluating(() -> {
            try (var g = NoGrad.enter()) {
                return model.forward(IntTensor.of(window, 1, window.length)).logSoftmax(-1).toArray();
            }
        });
    }

    @Test
    void aSingleTokenCannotBeScored() {
        var e = assertThrows(IllegalArgumentException.class, () -> Scorer.logLikelihood(gpt(Direction.LEFT_TO_RIGHT), CHARS, "a"));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }
}
