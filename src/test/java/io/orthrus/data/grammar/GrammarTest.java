package io.orthrus.data.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.grammar.Grammar.Verdict;
import io.orthrus.tensor.Rng;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GrammarTest {
    private static final Grammar GRAMMAR = Grammar.english();

    @Test
    void nounsAreKnownInBothNumbers() {
        Grammar g = Grammar.english();
        assertTrue(g.isNoun("dog") && g.isNoun("dogs") && g.isNoun("child") && g.isNoun("children"));
        for (String word : List.of("barks", "the", "happy", "that", ".", "quickly", "dogz")) {
            assertTrue(!g.isNoun(word), word);
        }
    }

    @Test
    void everyGeneratedSentenceIsGrammaticalAndEveryWordIsUsed() {
        List<String> sentences = GRAMMAR.sentences(10_000, new Rng(7));
        Set<String> used = new TreeSet<>();
        for (String sentence : sentences) {
            assertEquals(Verdict.GRAMMATICAL, GRAMMAR.check(sentence), sentence);
            used.addAll(Arrays.asList(sentence.split(" ")));
        }
        assertEquals(77, GRAMMAR.vocabulary().size());
        assertEquals(new TreeSet<>(GRAMMAR.vocabulary()), used, "10,000 sentences use every word, and no other");
    }

    @Test
    void sameSeedGivesTheSameText() {
        assertEquals(GRAMMAR.text(200, new Rng(3)), GRAMMAR.text(200, new Rng(3)));
        assertTrue(!GRAMMAR.text(200, new Rng(3)).equals(GRAMMAR.text(200, new Rng(4))));
    }

    @Test
    void relativeClauseRateIsHonoured() {
        assertTrue(Grammar.english().withRelativeClauseRate(0).sentences(500, new Rng(1)).stream()
                .noneMatch(s -> s.contains(" that ")));
        assertTrue(Grammar.english().withRelativeClauseRate(1).sentences(500, new Rng(1)).stream()
                .allMatch(s -> s.contains(" that ")));
        long withClause = GRAMMAR.sentences(4000, new Rng(1)).stream().filter(s -> s.contains(" that ")).count();
        assertEquals(0.3, withClause / 4000.0, 0.03);
        assertThrows(IllegalArgumentException.class, () -> GRAMMAR.withRelativeClauseRate(1.5));
    }

    @Test
    void checkNamesTheBrokenRule() {
        assertEquals(Verdict.GRAMMATICAL, GRAMMAR.check("the dog that the farmers feed barks loudly ."));
        assertEquals(Verdict.GRAMMATICAL, GRAMMAR.check("an old horse that sees some children runs ."));
        assertEquals(Verdict.GRAMMATICAL, GRAMMAR.check("two teachers teach a happy child today ."));
        // agreement: subject and verb, across a relative clause, determiner and noun, a / an
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("the dog bark ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("the dog that the farmers feed bark ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("the dog that the farmers feeds barks ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("the dogs that chases the cat bark ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("two dog barks ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("every dogs bark ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("a old dog runs ."));
        assertEquals(Verdict.WRONG_AGREEMENT, GRAMMAR.check("an dog runs ."));
        // meaning: a verb that does not fit its subject or object
        assertEquals(Verdict.WRONG_MEANING, GRAMMAR.check("the cat barks ."));
        assertEquals(Verdict.WRONG_MEANING, GRAMMAR.check("the horse teaches the child ."));
        assertEquals(Verdict.WRONG_MEANING, GRAMMAR.check("the teacher teaches the horse ."));
        assertEquals(Verdict.WRONG_MEANING, GRAMMAR.check("the bird that the dog feeds sings ."));
        // not a sentence
        for (String broken : List.of("", ".", "the dog runs", "dog the runs .", "the dog runs . .", "the dog sees .",
                "the dog that runs barks .", "the big small dog runs .", "the dog runs quickly loudly .",
                "the unicorn runs .", "the dog [MASK] .")) {
            assertEquals(Verdict.NOT_A_SENTENCE, GRAMMAR.check(broken), broken);
        }
    }

    @Test
    void paraphrasesAreGrammaticalSentencesInThePassiveAndContrastsSwapTheRoles() {
        Grammar grammar = Grammar.english();
        Rng rng = new Rng(5);
        int swapped = 0;
        for (int i = 0; i < 500; i++) {
            Grammar.Paraphrase p = grammar.paraphrase(rng);
            assertEquals(Grammar.Verdict.GRAMMATICAL, grammar.check(p.sentence()), p.sentence());
            String[] active = p.sentence().split(" "), passive = p.paraphrase().split(" "), contrast = p.contrast().split(" ");
            assertTrue(p.paraphrase().contains(" by "), p.paraphrase());
            assertEquals(active.length + 2, passive.length, p.sentence() + " / " + p.paraphrase());
            assertEquals(passive.length, contrast.length, p.paraphrase() + " / " + p.contrast());
            assertTrue(!p.contrast().equals(p.paraphrase()), p.contrast());
            List<String> nounsOfParaphrase = Arrays.stream(passive).filter(grammar::isNoun).sorted().toList();
            List<String> nounsOfContrast = Arrays.stream(contrast).filter(grammar::isNoun).sorted().toList();
            swapped += nounsOfParaphrase.equals(nounsOfContrast) ? 1 : 0;
        }
        assertTrue(swapped > 250, "most contrasts are the same words with the roles swapped: " + swapped);
        Grammar.Paraphrase again = grammar.paraphrase(new Rng(5));
        assertEquals(again, grammar.paraphrase(new Rng(5)));
    }
}
