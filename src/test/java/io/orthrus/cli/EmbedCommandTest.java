package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code orthrus embed} on a sentence-transformers folder: the folder's pooling and normalisation, in batches. */
class EmbedCommandTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(EmbedCommandTest.class.getResource("/st/" + name + "/modules.json").toURI()).getParent();
    }

    @Test
    void aJsonlFileIsEmbeddedInBatchesWithTheFoldersPoolingAndBadLinesReported() throws Exception {
        Path folder = fixture("mean-normalize");
        JsonObject reference = JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
        JsonArray texts = reference.getAsJsonArray("texts");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            JsonObject line = new JsonObject();
            line.addProperty("id", i);
            line.add("text", texts.get(i));
            lines.append(line).append('\n');
            if (i == 2) {
                lines.append("{\"id\": \"bad\"}\n"); // line 4: refused alone, the batch around it goes on
            }
        }
        Path in = Files.writeString(dir.resolve("in.jsonl"), lines.toString()), out = dir.resolve("out.jsonl");
        Cli embed = Cli.expect(1, "embed", "--model", folder.toString(), "--input", in.toString(), "--output",
                out.toString(), "--batch-size", "3");
        assertTrue(embed.err().contains(in + ":4: no string field \"text\""), embed.err());
        List<String> written = Files.readAllLines(out);
        assertEquals(texts.size(), written.size());
        JsonArray expected = reference.getAsJsonArray("embeddings");
        for (int i = 0; i < written.size(); i++) {
            JsonObject line = JsonParser.parseString(written.get(i)).getAsJsonObject();
            assertEquals(i, line.get("id").getAsInt(), "the input order is kept");
            JsonArray vector = line.getAsJsonArray("embedding");
            for (int j = 0; j < vector.size(); j++) {
                assertEquals(expected.get(i).getAsJsonArray().get(j).getAsDouble(), vector.get(j).getAsDouble(), 1e-4);
            }
        }
        Cli pooled = Cli.expect(1, "embed", "--model", folder.toString(), "--pooling", "cls", "a cat");
        assertTrue(pooled.err().contains("leave out --pooling"), pooled.err());
        Cli prompt = Cli.expect(0, "embed", "--model", folder.toString(), "--prompt", "query: ", "a cat");
        JsonArray withPrompt = JsonParser.parseString(prompt.out().strip()).getAsJsonArray();
        JsonArray expectedPrompt = reference.getAsJsonArray("prompt_embeddings").get(1).getAsJsonArray();
        for (int j = 0; j < withPrompt.size(); j++) {
            assertEquals(expectedPrompt.get(j).getAsDouble(), withPrompt.get(j).getAsDouble(), 1e-4);
        }
    }
}
