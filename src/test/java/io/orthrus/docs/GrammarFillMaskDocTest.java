package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.EncodedWindows;
import io.orthrus.data.TokenBatch;
import io.orthrus.data.grammar.Grammar;
import io.orthrus.infer.FillMask;
import io.orthrus.model.Bert;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.MaskedLm;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.WordPiece;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docs/masked-lm.md, "Fill-mask on a trained model": BERT-Tiny trained on the {@link Grammar}
 * corpus, its answers to the probes shown there, and how often its best guess for one masked
 * word of a held-out sentence makes a grammatical sentence. About 3 minutes with the Vector API
 * on 2 cores, hence {@code slow}: {@code mvn surefire:test@vector-api -Dgroups=slow
 * -DexcludedGroups= -Dtest=GrammarFillMaskDocTest}.
 */
@Tag("slow")
class GrammarFillMaskDocTest {
    private static final Logger LOG = LoggerFactory.getLogger(GrammarFillMaskDocTest.class);
    private static final List<String> PROBES = List.of("the [MASK] barks .", "three [MASK] play .",
            "the farmer [MASK] the horse .", "the dogs [MASK] loudly .", "[MASK] old cat sleeps .",
            "the teacher teaches the [MASK] .", "the dog that the farmers feed [MASK] .");
    private static final int HELD_OUT = 500;

    @Test
    void bertTrainedOnTheGrammarFillsMasksGrammatically() {
        // --- docs/masked-lm.md: fill-mask on a trained model ---
        Grammar grammar = Grammar.english();
        List<String> vocabulary = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocabulary.addAll(grammar.vocabulary());
        WordPiece tokenizer = WordPiece.of(vocabulary, true); // one token per word
        int[] train = tokenizer.encode(grammar.text(20_000, new Rng(1)));
        int[] validation = tokenizer.encode(grammar.text(2_000, new Rng(2)));
        Rng rng = new Rng(3);
        Bert bert = new Bert(TransformerConfig.bertTiny(tokenizer.vocabSize()).withContextLength(32).withDropout(0f),
                rng.split());
        Trainer<Bert, TokenBatch> trainer = new Trainer<>(bert, MaskedLm.bert(tokenizer, 4),
                TrainingOptions.nanoGpt(4000).withLearningRate(1e-3, 1e-4).withEvaluation(1000, 8));
        TrainingResult result = trainer.fit(
                EncodedWindows.over(train, 32, 32, tokenizer.clsId(), tokenizer.sepId(), rng.split()),
                EncodedWindows.over(validation, 32, 32, tokenizer.clsId(), tokenizer.sepId(), rng.split()));
        FillMask fill = new FillMask(bert, tokenizer);
        // --- end of example ---
        LOG.info("{}", result);
        Map<String, List<FillMask.Prediction>> answers = new HashMap<>();
        for (String probe : PROBES) {
            answers.put(probe, fill.fill(probe, 4).get(0));
            LOG.info("{} -> {}", probe, answers.get(probe).stream()
                    .map(p -> String.format(Locale.ROOT, "%s %.2f", p.token(), p.probability()))
                    .collect(Collectors.joining(", ")));
        }
        assertEquals("dog", answers.get("the [MASK] barks .").get(0).token());
        assertEquals("children", answers.get("three [MASK] play .").get(0).token());
        for (String probe : PROBES.subList(0, 6)) {
            String best = probe.replace("[MASK]", answers.get(probe).get(0).token());
            assertEquals(Grammar.Verdict.GRAMMATICAL, grammar.check(best), best);
        }

        String mostFrequent = mostFrequentWord(train, tokenizer);
        int grammatical = 0, baseline = 0;
        Rng positions = new Rng(9);
        for (String sentence : grammar.sentences(HELD_OUT, new Rng(11))) {
            String[] words = sentence.split(" ");
            int masked = positions.nextInt(words.length - 1); // any word but the final "."
            String[] query = words.clone();
            query[masked] = WordPiece.MASK;
            String[] filled = words.clone();
            filled[masked] = fill.fill(String.join(" ", query), 1).get(0).get(0).token();
            grammatical += grammar.check(String.join(" ", filled)) == Grammar.Verdict.GRAMMATICAL ? 1 : 0;
            filled[masked] = mostFrequent;
            baseline += grammar.check(String.join(" ", filled)) == Grammar.Verdict.GRAMMATICAL ? 1 : 0;
        }
        LOG.info("grammatical fills {}/{}; always \"{}\": {}/{}", grammatical, HELD_OUT, mostFrequent, baseline, HELD_OUT);
        assertTrue(grammatical >= 0.95 * HELD_OUT, grammatical + " of " + HELD_OUT + " fills are grammatical");
        assertTrue(baseline < 0.4 * HELD_OUT, "the unigram baseline makes " + baseline + " grammatical sentences");
    }

    /** The most frequent word of {@code ids} other than ".". */
    private static String mostFrequentWord(int[] ids, WordPiece tokenizer) {
        int[] counts = new int[tokenizer.vocabSize()];
        Arrays.stream(ids).forEach(id -> counts[id]++);
        int best = 0;
        counts[tokenizer.id(".")] = 0; // one per sentence and never a word's replacement: a baseline that is always wrong
        for (int id = 1; id < counts.length; id++) {
            best = counts[id] > counts[best] ? id : best;
        }
        return tokenizer.token(best);
    }
}
