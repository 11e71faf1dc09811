package io.orthrus.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Bert;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Parameter;
import io.orthrus.tensor.IntTensor;
import io.orthrus.data.TokenBatch;
import io.orthrus.tokenize.WordPiece;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipes that {@code orthrus train} and the benchmarks share. */
class RecipesTest {
    @TempDir
    Path dir;

    private static ConfigFile config(String... fields) {
        ConfigFile c = ConfigFile.empty("test");
        for (String field : fields) {
            int eq = field.indexOf('=');
            c.set(field.substring(0, eq), field.substring(eq + 1));
        }
        return c;
    }

    @Test
    void everyObjectiveButCbowHasTheRecipeOfItsName() {
        for (String objective : Recipes.OBJECTIVES) {
            if (objective.equals(Word2VecRecipe.OBJECTIVE)) {
                var e = assertThrows(IllegalArgumentException.class, () -> Recipes.of(objective));
                assertTrue(e.getMessage().contains("Word2VecRecipe"), e.getMessage());
            } else {
                assertEquals(objective, Recipes.of(objective).objective());
            }
        }
        assertEquals(10, Recipes.OBJECTIVES.size());
        assertThrows(IllegalArgumentException.class, () -> Recipes.of("gan"));
    }

    @Test
    void theSameConfigBuildsTheSameRunAndEveryFieldIsRead() throws Exception {
        String[] fields = {"data.sentences=200", "model.width=16", "model.heads=2", "model.layers=1",
                "model.context_length=16", "data.batch_size=4", "steps=3", "eval_batches=1", "seed=5"};
        Run<Gpt, IntTensor> first = new CausalLmRecipe().build(config(fields), dir);
        ConfigFile c = config(fields);
        Run<Gpt, IntTensor> second = new CausalLmRecipe().build(c, dir);
        c.rejectUnread(); // each field given was one the recipe reads
        List<Parameter> a = first.model().parameters(), b = second.model().parameters();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).data(), b.get(i).data());
        }
        assertArrayEquals(first.train().next().data(), second.train().next().data());
        assertEquals(3, first.trainer().options().steps());
        assertEquals(16, first.model().config().width());

        ConfigFile typo = config("data.sentences=200", "model.widht=16");
        new CausalLmRecipe().build(typo, dir);
        var e = assertThrows(IllegalArgumentException.class, typo::rejectUnread);
        assertTrue(e.getMessage().contains("model.widht"), e.getMessage());
    }

    @Test
    void aLearnedVocabularyNeverSeesTheValidationText() throws Exception {
        // The last twentieth of the corpus (inside the validation tenth) is the only place "zyzzyva" occurs: a vocabulary learned from all of it
        // would give it a piece of its own; one learned from the training part cannot.
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 950; i++) {
            text.append("the cat sat on the mat and the dog sat on the log\n");
        }
        for (int i = 0; i < 50; i++) {
            text.append("zyzzyva zyzzyva zyzzyva zyzzyva zyzzyva zyzzyva zyzzyva\n");
        }
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), text);
        Run<Bert, TokenBatch> run = new MaskedLmRecipe().build(config("data.corpus=" + corpus, "tokenizer.vocab_size=200",
                "model.preset=bert-tiny", "model.context_length=16", "data.batch_size=2"), dir);
        WordPiece vocabulary = (WordPiece) run.tokenizer();
        assertEquals(-1, vocabulary.id("zyzzyva"), "the validation word was learned");
        assertTrue(vocabulary.id("cat") >= 0);
        // The control: from the whole text, the same training learns it.
        assertTrue(WordPiece.train(text.toString().lines().toList(), 200, true).id("zyzzyva") >= 0);
    }
}
