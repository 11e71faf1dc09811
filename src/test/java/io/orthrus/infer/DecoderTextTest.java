package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.PrefixedTokenizer;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text in and out of a decoder with a SentencePiece tokenizer (the Llama 2 form of
 * {@code src/test/python/make_sentencepiece_bpe_fixtures.py}): the prompt comes after {@code <s>}, the
 * streamed text keeps the space that begins a token and holds back bytes of an unfinished character.
 */
class DecoderTextTest {
    private static Tokenizer tokenizer() throws Exception {
        return Tokenizers.fromHuggingFace(Path.of(DecoderTextTest.class.getResource("/tokenize/sentencepiece/legacy.json")
                .toURI()));
    }

    private static Gpt model(Tokenizer tokenizer) {
        Gpt model = new Gpt(TransformerConfig.tinyLlama(tokenizer.vocabSize()), new Rng(3));
        model.eval();
        return model;
    }

    @Test
    void thePromptComesAfterTheBeginningTokenAndTheStreamJoinsToTheText() throws Exception {
        Tokenizer tokenizer = tokenizer();
        Gpt model = model(tokenizer);
        Generator generator = new Generator(model, tokenizer);
        String prompt = "the dog barks at night";
        int[] promptIds = tokenizer.encodeWithSpecialTokens(prompt);
        assertEquals(1, promptIds[0], "<s> first");
        GenerationConfig config = GenerationConfig.sampling(40, 1.5f, 7);
        List<String> pieces = new ArrayList<>();
        String text = generator.generate(prompt, config, pieces::add);
        int[] generated = generator.generate(promptIds, config, id -> { });
        int[] all = Arrays.copyOf(promptIds, promptIds.length + generated.length);
        System.arraycopy(generated, 0, all, promptIds.length, generated.length);
        String whole = tokenizer.decode(all), before = tokenizer.decode(promptIds);
        assertTrue(whole.startsWith(before), whole);
        assertEquals(whole.substring(before.length()), text, "the text is what the new tokens add to the prompt's");
        assertEquals(text, String.join("", pieces));
        for (int i = 0; i + 1 < pieces.size(); i++) {
            assertFalse(pieces.get(i).endsWith("\uFFFD"), "bytes of an unfinished character wait: " + pieces);
        }
    }

    @Test
    void aSpaceThatBeginsTheFirstNewTokenIsKept() throws Exception {
        Tokenizer tokenizer = tokenizer();
        Generator generator = new Generator(model(tokenizer), tokenizer);
        int[] prompt = tokenizer.encodeWithSpecialTokens("the dog");
        int seen = 0;
        for (int seed = 1; seed <= 30; seed++) {
            GenerationConfig config = GenerationConfig.sampling(3, 2f, seed);
            int first = generator.generate(prompt, config, id -> { })[0];
            String token = tokenizer.token(first);
            if (token.startsWith("\u2581") && token.length() > 1) {
                assertTrue(generator.generate("the dog", config).startsWith(" " + token.substring(1)),
                        "seed " + seed + ": " + token);
                seen++;
            }
        }
        assertTrue(seen > 0, "no first token began with a space");
    }

    @Test
    void aSpecialStopTokenIsNotPartOfTheText() throws Exception {
        Tokenizer tokenizer = tokenizer();
        Gpt model = model(tokenizer);
        model.parameters().forEach(p -> java.util.Arrays.fill(p.data(), 0f)); // equal logits: greedy picks id 0, <unk>
        assertTrue(tokenizer.isSpecial(0) && !tokenizer.isSpecial(tokenizer.encode("dog")[0]));
        GenerationConfig config = GenerationConfig.greedy(5).withStopTokens(java.util.Set.of(0));
        Generator generator = new Generator(model, tokenizer);
        assertArrayEquals(new int[] {0}, generator.generate(tokenizer.encodeWithSpecialTokens("dog"), config, id -> { }));
        assertEquals("", generator.generate("dog", config));
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        Tokenizer tokenizer = tokenizer();
        Generator generator = new Generator(model(tokenizer), tokenizer);
        GenerationConfig free = GenerationConfig.sampling(60, 1.5f, 11);
        String full = generator.generate("the dog", free);
        String stop = full.substring(10, 12); // two characters from the middle of what it writes
        List<String> pieces = new ArrayList<>();
        String text = generator.generate("the dog", free.withStopStrings(List.of(stop, "never written")), pieces::add);
        assertEquals(full.substring(0, full.indexOf(stop)), text);
        assertEquals(text, String.join("", pieces), "no piece of the stop string was streamed");
        assertThrows(IllegalArgumentException.class, () -> free.withStopStrings(List.of("")));
    }

    @Test
    void scoringCountsEveryTokenOfTheTextAfterTheBeginningToken() throws Exception {
        Tokenizer tokenizer = tokenizer();
        Gpt model = model(tokenizer);
        String text = "the dog barks";
        Scorer.Score score = Scorer.logLikelihood(model, tokenizer, text);
        assertEquals(tokenizer.encode(text).length, score.tokens());
        Scorer.Score single = Scorer.logLikelihood(model, tokenizer, "a");
        assertEquals(1, single.tokens(), "one token after <s> can be scored");
    }
}
