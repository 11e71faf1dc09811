package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.orthrus.tokenize.Tokenizer;
import io.orthrus.tokenize.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code orthrus tokenizer encode --special-as-text} reads special tokens written in a text as plain text. */
class SpecialAsTextCommandTest {
    @Test
    void theSwitchReadsSpecialTokensAsText(@TempDir Path dir) throws Exception {
        Path tokenizerFile = Path.of(SpecialAsTextCommandTest.class.getResource("/tokenize/sentencepiece/legacy.json").toURI());
        Tokenizer tokenizer = Tokenizers.fromHuggingFace(tokenizerFile);
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.writeString(in, "{\"text\": \"<s>hello</s>\"}\n");
        for (boolean asText : new boolean[] {false, true}) {
            String[] args = {"tokenizer", "encode", "--tokenizer", tokenizerFile.toString(), "--input", in.toString(),
                "--output", out.toString(), "--special-as-text"};
            assertEquals(0, Main.commandLine().execute(asText ? args : Arrays.copyOf(args, args.length - 1)));
            int[] ids = new com.google.gson.Gson().fromJson(JsonParser.parseString(Files.readString(out)).getAsJsonObject()
                    .get("ids"), int[].class);
            int[] expected = asText ? tokenizer.encodeAsText("<s>hello</s>") : tokenizer.encode("<s>hello</s>");
            assertEquals(Arrays.toString(expected), Arrays.toString(ids), "as text: " + asText);
        }
        assertEquals(1, Main.commandLine().execute("tokenizer", "encode", "--tokenizer", tokenizerFile.toString(), "--input",
                in.toString(), "--output", out.toString(), "--special-as-text", "--allow-special"), "contradictory switches");
    }
}
