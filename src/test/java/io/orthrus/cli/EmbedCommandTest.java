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

    @Test
    void rerankPrintsTheBestFirstAndScoresAJsonlFile() throws Exception {
        Path folder = Path.of(EmbedCommandTest.class.getResource("/cross-encoder/one-label/config.json").toURI()).getParent();
        JsonObject reference = JsonParser.parseString(Files.readString(folder.resolve("reference.json"))).getAsJsonObject();
        String query = reference.get("query").getAsString();
        JsonArray documents = reference.getAsJsonArray("documents");
        JsonArray scores = reference.getAsJsonArray("scores");
        List<String> args = new java.util.ArrayList<>(List.of("rerank", "--model", folder.toString(), "--query", query,
                "--top", "2"));
        documents.forEach(d -> args.add(d.getAsString()));
        Cli printed = Cli.expect(0, args.toArray(String[]::new));
        List<String> lines = printed.out().lines().toList();
        assertEquals(2, lines.size(), printed.out());
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            best = scores.get(i).getAsDouble() > scores.get(best).getAsDouble() ? i : best;
        }
        assertTrue(lines.get(0).endsWith("\t" + documents.get(best).getAsString()), printed.out());

        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < documents.size(); i++) {
            jsonl.append("{\"text\": ").append(documents.get(i)).append("}\n");
        }
        Path in = Files.writeString(dir.resolve("docs.jsonl"), jsonl + "{\"text\": null}\n"), out = dir.resolve("scored.jsonl");
        Cli scored = Cli.expect(1, "rerank", "--model", folder.toString(), "--query", query, "--input", in.toString(),
                "--output", out.toString(), "--batch-size", "2");
        assertTrue(scored.err().contains(in + ":" + (documents.size() + 1) + ": no string field"), scored.err());
        List<String> written = Files.readAllLines(out);
        for (int i = 0; i < documents.size(); i++) {
            double score = JsonParser.parseString(written.get(i)).getAsJsonObject().get("score").getAsDouble();
            assertEquals(scores.get(i).getAsDouble(), score, 1e-4);
        }
    }

    @Test
    void robertaFamilyFoldersEmbedAsSentenceEncodersAndAsPlainEncoders() throws Exception {
        Path roberta = Path.of(EmbedCommandTest.class.getResource("/roberta/st-mean/modules.json").toURI()).getParent();
        JsonObject reference = JsonParser.parseString(Files.readString(roberta.resolve("reference.json"))).getAsJsonObject();
        Cli embedded = Cli.expect(0, "embed", "--model", roberta.toString(), "a cat");
        JsonArray vector = JsonParser.parseString(embedded.out().strip()).getAsJsonArray();
        JsonArray expected = reference.getAsJsonArray("embeddings").get(1).getAsJsonArray();
        for (int j = 0; j < vector.size(); j++) {
            assertEquals(expected.get(j).getAsDouble(), vector.get(j).getAsDouble(), 1e-4);
        }
        Path plain = dir.resolve("plain-roberta"); // the same encoder without modules.json: mean pooling, not normalised
        Files.createDirectories(plain);
        for (String name : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(roberta.resolve(name), plain.resolve(name));
        }
        Cli mean = Cli.expect(0, "embed", "--model", plain.toString(), "a cat");
        JsonArray raw = JsonParser.parseString(mean.out().strip()).getAsJsonArray();
        double norm = 0;
        for (int j = 0; j < raw.size(); j++) {
            norm += raw.get(j).getAsDouble() * raw.get(j).getAsDouble();
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < raw.size(); j++) {
            assertEquals(expected.get(j).getAsDouble(), raw.get(j).getAsDouble() / norm, 1e-4, "mean pooling, normalised here");
        }
    }
}
