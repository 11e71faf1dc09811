package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TokenBatch;
import io.orthrus.infer.FillMask;
import io.orthrus.model.Bert;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The examples of docs/masked-lm.md, run as written there. */
class MaskedLmDocTest {
    /** The independence assumption: two masks are filled each on its own, so their best guesses need not fit together. */
    @Test
    void twoMasksAreFilledIndependently() {
        // --- docs/masked-lm.md: independence example ---
        WordPiece tokenizer = WordPiece.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                "i", "flew", "to", "new", "york", "los", "angeles", "today"), true);
        List<String> corpus = List.of("i flew to new york today", "i flew to los angeles today");
        Rng rng = new Rng(1);
        Bert bert = new Bert(TransformerConfig.bertTiny(tokenizer.vocabSize()).withContextLength(8)
                .withWidth(32, 2, 128).withDropout(0f), rng.split());
        // Mask half of the words, always with [MASK], so that both words of a city are often hidden together.
        MaskedLm mlm = new MaskedLm(MaskedLm.Vocabulary.of(tokenizer),
                MaskedLm.Options.bert(1).withRate(0.5).withReplacement(1.0, 0.0));
        Trainer<Bert, TokenBatch> trainer = new Trainer<>(bert, mlm,
                TrainingOptions.nanoGpt(300).withLearningRate(3e-3, 3e-4).withEvaluation(0, 1));
        trainer.fit(() -> TokenBatch.of(java.util.stream.IntStream.range(0, 16)
                .mapToObj(i -> tokenizer.encode(corpus.get(rng.nextInt(2)), 8)).toList(), tokenizer.padId()),
                () -> TokenBatch.of(List.of(tokenizer.encode(corpus.get(0), 8)), tokenizer.padId()));

        List<List<FillMask.Prediction>> filled = new FillMask(bert, tokenizer).fill("i flew to [MASK] [MASK] today", 2);
        Map<String, Double> first = probabilities(filled.get(0)), second = probabilities(filled.get(1));
        double newAngeles = first.getOrDefault("new", 0.0) * second.getOrDefault("angeles", 0.0);
        // --- end of example ---
        assertEquals(Map.of("new", 0, "los", 0).keySet(), first.keySet(), "first mask: " + filled.get(0));
        assertEquals(Map.of("york", 0, "angeles", 0).keySet(), second.keySet(), "second mask: " + filled.get(1));
        assertTrue(newAngeles > 0.1, "the independent guesses give 'new angeles' a probability of " + newAngeles
                + ", though the corpus never has it");
    }

    private static Map<String, Double> probabilities(List<FillMask.Prediction> predictions) {
        return predictions.stream().collect(Collectors.toMap(FillMask.Prediction::token, FillMask.Prediction::probability));
    }
}
