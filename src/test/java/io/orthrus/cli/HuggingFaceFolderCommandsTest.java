package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.io.HuggingFaceGpt2;
import io.orthrus.io.HuggingFaceLlama;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model commands read Hugging Face folders as they are, and say in one line what they cannot use. */
class HuggingFaceFolderCommandsTest {
    @TempDir
    Path dir;

    private static String fixture(String name) throws Exception {
        return Path.of(HuggingFaceFolderCommandsTest.class.getResource("/hf/" + name + "/config.json").toURI()).getParent()
                .toString();
    }

    @Test
    void fillMaskScoreAndEmbedReadABertForPreTrainingFolder() throws Exception {
        String bert = fixture("bert-pretraining");
        Cli fill = Cli.expect(0, "fill-mask", "--model", bert, "--top", "2", "the [MASK] meows");
        assertTrue(fill.out().contains("[MASK] 1:"), fill.out());
        Cli score = Cli.expect(0, "score", "--model", bert, "the big dog barks .");
        assertTrue(score.out().contains("pseudo-perplexity"), score.out());
        Cli embed = Cli.expect(0, "embed", "--model", bert, "the dog");
        assertTrue(embed.out().startsWith("["), embed.out());
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.writeString(in, "{\"text\": \"the dog\"}\n{\"text\": 42}\n");
        Cli lines = Cli.expect(1, "embed", "--model", bert, "--input", in.toString(), "--output", out.toString());
        assertTrue(lines.err().contains(in + ":2: no string field \"text\""), lines.err());
        assertEquals(1, Files.readAllLines(out).size());
    }

    @Test
    void anEncoderOnlyFolderEmbedsButRefusesFillMaskInOneLine() throws Exception {
        String encoder = fixture("bert-model");
        Cli.expect(0, "embed", "--model", encoder, "the dog");
        Cli fill = Cli.expect(1, "fill-mask", "--model", encoder, "the [MASK] meows");
        assertTrue(fill.err().contains("masked-LM head") && fill.err().trim().lines().count() == 1, fill.err());
    }

    @Test
    void generateReadsAGpt2FolderAndAFolderWithoutATokenizerIsNamed() throws Exception {
        ByteLevelBpe bpe = ByteLevelBpe.train("the dog that the farmers feed barks . ".repeat(50), 300, 2);
        Path folder = dir.resolve("gpt2");
        HuggingFaceGpt2.save(folder, new Gpt(TransformerConfig.tiny(bpe.vocabSize()).withBias(true), new Rng(3)), bpe);
        Cli generated = Cli.expect(0, "generate", "--model", folder.toString(), "--max-tokens", "5", "the dog");
        assertTrue(generated.out().startsWith("the dog"), generated.out());

        Cli huge = Cli.expect(1, "generate", "--model", folder.toString(), "--max-tokens", "2147483647", "the dog");
        assertTrue(huge.err().contains("a sequence can hold; ask for at most") && !huge.err().contains("-2147483645"),
                huge.err());
        Cli directory = Cli.expect(1, "score", "--model", folder.toString(), "--input", dir.toString());
        assertTrue(directory.err().contains("--input " + dir + ": is a directory, not a file"), directory.err());
        Cli missing = Cli.expect(1, "score", "--model", folder.toString(), "--input", dir.resolve("nope.txt").toString());
        assertTrue(missing.err().contains("--input " + dir.resolve("nope.txt") + ": no such file"), missing.err());

        Cli none = Cli.expect(1, "generate", "--model", fixture("gpt2-sharded"), "the dog");
        assertTrue(none.err().contains("no tokenizer"), none.err());
        assertFalse(none.err().contains("\tat "), none.err());
    }

    @Test
    void generateReadsALlamaFolderWithItsTokenizer() throws Exception {
        CharTokenizer chars = CharTokenizer.fromCorpus("the dog that the farmers feed barks . ");
        Path folder = dir.resolve("llama");
        HuggingFaceLlama.save(folder, new Gpt(TransformerConfig.tinyLlama(chars.vocabSize()), new Rng(3)), chars);
        Cli generated = Cli.expect(0, "generate", "--model", folder.toString(), "--max-tokens", "5", "the dog");
        assertTrue(generated.out().startsWith("the dog"), generated.out());
        Files.delete(folder.resolve("tokenizer.json"));
        Cli none = Cli.expect(1, "generate", "--model", folder.toString(), "the dog");
        assertTrue(none.err().contains("no tokenizer"), none.err());
    }

    @Test
    void generateWithChatPutsThePromptInTheModelsTemplate() throws Exception {
        CharTokenizer chars = CharTokenizer.fromCorpus("the dog that the farmers feed barks . <>u");
        Path folder = dir.resolve("chat");
        Gpt model = new Gpt(TransformerConfig.tinyLlama(chars.vocabSize()), new Rng(5));
        HuggingFaceLlama.save(folder, model, chars);
        Cli noTemplate = Cli.expect(1, "generate", "--model", folder.toString(), "--chat", "the dog");
        assertTrue(noTemplate.err().contains("no chat template"), noTemplate.err());
        Files.writeString(folder.resolve("chat_template.jinja"), "{% for m in messages %}<{{ m.role[0] }}>{{ m.content }}"
                + "{% endfor %}{% if add_generation_prompt %}<a>{% endif %}");
        Cli chat = Cli.expect(0, "generate", "--model", folder.toString(), "--chat", "--system", "feed", "--temperature", "0",
                "--max-tokens", "6", "the dog");
        String prompt = "<s>feed<u>the dog<a>";
        model.eval();
        String expected = new io.orthrus.infer.Generator(model, chars).generateText(chars.encode(prompt),
                io.orthrus.infer.GenerationConfig.greedy(6), piece -> { });
        assertEquals(expected + System.lineSeparator(), chat.out(), "the reply alone");
        Cli stray = Cli.expect(1, "generate", "--model", folder.toString(), "--system", "feed", "the dog");
        assertTrue(stray.err().contains("--system needs --chat"), stray.err());

        Cli int8 = Cli.expect(0, "generate", "--model", folder.toString(), "--dtype", "int8", "--temperature", "0",
                "--max-tokens", "6", "the dog");
        String quantized = io.orthrus.nn.Quantization.int8(model).apply(() -> new io.orthrus.infer.Generator(model, chars)
                .generate("the dog", io.orthrus.infer.GenerationConfig.greedy(6)));
        assertEquals("the dog" + quantized + System.lineSeparator(), int8.out());
        Cli scored = Cli.expect(0, "score", "--model", folder.toString(), "--dtype", "bf16", "the dog barks .");
        assertTrue(scored.out().contains("overall perplexity"), scored.out());
        Cli sampled = Cli.expect(0, "generate", "--model", folder.toString(), "--temperature", "1.3", "--min-p", "0.05",
                "--repetition-penalty", "1.3", "--stop-string", "e", "--seed", "4", "--max-tokens", "12", "the dog");
        String continuation = new io.orthrus.infer.Generator(model, chars).generate("the dog", io.orthrus.infer.GenerationConfig
                .sampling(12, 1.3f, 4).withMinP(0.05f).withRepetitionPenalty(1.3f).withStopStrings(List.of("e")));
        assertEquals("the dog" + continuation + System.lineSeparator(), sampled.out());
        assertFalse(continuation.contains("e"), continuation);
        Cli fp8 = Cli.expect(1, "generate", "--model", folder.toString(), "--dtype", "fp8", "the dog");
        assertTrue(fp8.err().contains("--dtype 'fp8' is not f32, bf16 or int8"), fp8.err());
    }

    @Test
    void aConfigWhoseModelIsNotAStringIsNamedInOneLine() throws Exception {
        Path folder = dir.resolve("odd");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{\"model\": {\"kind\": \"gpt\"}}");
        Cli odd = Cli.expect(1, "generate", "--model", folder.toString(), "x");
        assertTrue(odd.err().contains("`model` must be a string") && odd.err().contains("an object"), odd.err());
        assertFalse(odd.err().contains("JsonObject"), odd.err());
    }
}
