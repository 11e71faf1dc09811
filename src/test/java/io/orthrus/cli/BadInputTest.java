package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input costs the line it is on, with one message naming file, line and byte; the rest is written. */
class BadInputTest {
    @TempDir
    Path dir;
    private Path tokenizer;

    @BeforeEach
    void trainATokenizer() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "the dog barks. the cat meows. ".repeat(40));
        tokenizer = dir.resolve("tokenizer.json");
        Cli.expect(0, "tokenizer", "train", "--kind", "bpe", "--vocab-size", "300", "--corpus", corpus.toString(),
                "--output", tokenizer.toString());
    }

    private static byte[] lines(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof byte[] b ? b : ((String) part).getBytes(StandardCharsets.UTF_8);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void anInvalidUtf8ByteCostsItsLineOnlyInEncode() throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.write(in, lines("{\"text\": \"the dog\"}\n", "{\"text\": \"ca", new byte[] {(byte) 0xC3, 0x28}, "t\"}\n",
                "{'text': 'single quotes'}\n", "{\"text\": \"meows\"} {\"text\": \"two\"}\n", "{\"text\": \"the cat\"}"));
        Cli result = Cli.expect(1, "tokenizer", "encode", "--tokenizer", tokenizer.toString(), "--input", in.toString(),
                "--output", out.toString());
        List<String> errors = result.err().lines().toList();
        assertEquals(in + ":2: invalid UTF-8 at byte 12", errors.get(0));
        assertTrue(errors.get(1).startsWith(in + ":3: not valid JSON"), errors.get(1));
        assertTrue(errors.get(2).startsWith(in + ":4: "), errors.get(2));
        assertFalse(result.err().contains("Input length") || result.err().contains("https://"), result.err());
        List<String> written = Files.readAllLines(out);
        assertEquals(2, written.size(), written.toString());
        assertTrue(written.get(1).contains("the cat"), "a last line without a newline is read too");
    }

    @Test
    void decodeRefusesIdsThatAreNotIntegersInRangeInsteadOfWrappingThem() throws Exception {
        Path in = dir.resolve("ids.jsonl"), out = dir.resolve("text.jsonl");
        Files.writeString(in, "{\"ids\": [4294967297]}\n{\"ids\": [2.9]}\n{\"ids\": [-4294967295]}\n{\"ids\": [2.0]}\n"
                + "{\"ids\": [1, 2]}\n");
        Cli result = Cli.expect(1, "tokenizer", "decode", "--tokenizer", tokenizer.toString(), "--input", in.toString(),
                "--output", out.toString());
        assertTrue(result.err().contains(in + ":1: ids[0] must be a whole number within int range, found 4294967297"),
                result.err());
        assertTrue(result.err().contains(in + ":2: ids[0] must be a whole number") && result.err().contains(":3: ")
                && result.err().contains(":4: "), result.err());
        assertEquals(1, Files.readAllLines(out).size());
        assertTrue(JsonParser.parseString(Files.readAllLines(out).get(0)).getAsJsonObject().has("text"));
    }

    @Test
    void aCorpusThatIsNotUtf8IsNamedByLineAndByte() throws Exception {
        Path corpus = dir.resolve("latin1.txt");
        Files.write(corpus, lines("first line\nsecond ", new byte[] {(byte) 0xE9}, "t\u00e9\n"));
        Cli result = Cli.expect(1, "tokenizer", "train", "--kind", "char", "--corpus", corpus.toString(), "--output",
                dir.resolve("t.json").toString());
        assertTrue(result.err().contains(corpus + ":2: invalid UTF-8 at byte 7"), result.err());
        assertEquals(1, result.err().trim().lines().count(), result.err());
    }

    @Test
    void brokenJsonIsOneLineWithoutGsonsLinkOrClassNames() throws Exception {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_embd\": }");
        Cli result = Cli.expect(1, "generate", "--model", model.toString(), "x");
        assertTrue(result.err().contains("config.json: not valid JSON: "), result.err());
        assertFalse(result.err().contains("https://") || result.err().contains("com.google.gson"), result.err());
        assertEquals(1, result.err().trim().lines().count(), result.err());
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        Files.writeString(model.resolve("tokenizer.json"), "{\"model\": [1, 2");
        Files.writeString(model.resolve("model.safetensors"), "");
        result = Cli.expect(1, "tokenizer", "encode", "--tokenizer", model.resolve("tokenizer.json").toString(),
                "--input", dir.resolve("in.jsonl").toString(), "--output", dir.resolve("out.jsonl").toString());
        assertFalse(result.err().contains("https://") || result.err().contains("com.google.gson"), result.err());
    }
}
