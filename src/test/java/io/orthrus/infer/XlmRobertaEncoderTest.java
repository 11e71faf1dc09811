package io.orthrus.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.tokenize.EncoderTokenizer;
import io.orthrus.tokenize.TemplateTokenizer;
import io.orthrus.tokenize.Tokenizers;
import io.orthrus.tokenize.Unigram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An XLM-RoBERTa sentence encoder and its SentencePiece (Unigram) tokenizer against sentence-transformers and
 * {@code tokenizers}: {@code src/test/resources/xlm-roberta}, made by {@code src/test/python/make_xlm_roberta_fixtures.py}
 * (a SentencePiece model with XLM-RoBERTa's NFKC rules, converted by transformers' XLMRobertaConverter).
 */
class XlmRobertaEncoderTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(XlmRobertaEncoderTest.class.getResource("/xlm-roberta/" + name).toURI());
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    /**
     * The converter's tokenizer.json, the form of the hub's XLM-RoBERTa files (Precompiled + Strip + Replace,
     * Metaspace), with the charsmap it shares with the folder's put back.
     */
    private String hubTokenizer() throws Exception {
        JsonObject saved = JsonParser.parseString(Files.readString(resource("st-mean/tokenizer.json"))).getAsJsonObject();
        String charsmap = saved.getAsJsonObject("normalizer").get("precompiled_charsmap").getAsString();
        return Files.readString(resource("hub-tokenizer.json")).replace("@st-mean@", charsmap);
    }

    @Test
    void theUnigramTokenizerGivesTheIdsOfTokenizersOnVariedStrings() throws Exception {
        Path hubFile = dir.resolve("hub-tokenizer.json");
        Files.writeString(hubFile, hubTokenizer());
        JsonArray cases = JsonParser.parseString(Files.readString(resource("strings.json"))).getAsJsonArray();
        assertTrue(cases.size() > 400);
        for (String form : List.of("ids", "hub_ids")) {
            EncoderTokenizer tokenizer = (EncoderTokenizer) Tokenizers.load(form.equals("ids")
                    ? resource("st-mean/tokenizer.json") : hubFile);
            assertTrue(tokenizer instanceof TemplateTokenizer t && t.base() instanceof Unigram, tokenizer.toString());
            List<String> wrong = new ArrayList<>();
            for (JsonElement c : cases) {
                String text = c.getAsJsonObject().get("text").getAsString();
                int[] expected = ints(c.getAsJsonObject().getAsJsonArray(form));
                int[] actual = tokenizer.encode(text, 1 << 20).ids();
                if (!java.util.Arrays.equals(expected, actual)) {
                    wrong.add(text.replace("\n", "\\n") + ": expected " + java.util.Arrays.toString(expected) + " got "
                            + java.util.Arrays.toString(actual));
                }
            }
            assertEquals(List.of(), wrong, form + ": " + wrong.size() + " of " + cases.size() + " strings differ");
        }
    }

    @Test
    void anXlmRobertaSentenceEncoderGivesTheVectorsOfSentenceTransformers() throws Exception {
        Path folder = resource("st-mean");
        JsonObject reference = RobertaEncodersTest.reference(folder);
        SentenceEncoder encoder = SentenceEncoder.load(folder);
        List<String> texts = new ArrayList<>();
        reference.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(ints(reference.getAsJsonArray("ids").get(i).getAsJsonArray()),
                    encoder.tokenizer().encode(texts.get(i), encoder.maxSequenceLength()).ids(), texts.get(i));
        }
        RobertaEncodersTest.assertClose(reference.getAsJsonArray("embeddings"), encoder.withBatchSize(2).encode(texts));
        Path saved = dir.resolve("saved");
        encoder.save(saved);
        assertTrue(Files.readString(saved.resolve("config.json")).contains("\"xlm-roberta\""));
        RobertaEncodersTest.assertClose(reference.getAsJsonArray("embeddings"), SentenceEncoder.load(saved).encode(texts));
    }

    @Test
    void aBadUnigramTokenizerIsOneLineNamingTheField() throws Exception {
        String json = hubTokenizer();
        JsonObject parsed = JsonParser.parseString(json).getAsJsonObject();
        String charsmap = parsed.getAsJsonObject("normalizer").getAsJsonArray("normalizers").get(0).getAsJsonObject()
                .get("precompiled_charsmap").getAsString();
        String[][] cases = {
                {json.replace(charsmap, "not base64!"), "normalizer.normalizers[0].precompiled_charsmap is not base64"},
                {json.replace(charsmap, "AAAAAQ=="), "precompiled_charsmap gives a trie of"},
                {json.replace("\"Metaspace\"", "\"Whitespace\""), "pre_tokenizer type 'Whitespace' is not supported"},
                {json.replaceFirst("\"unk_id\":\\s*3", "\"unk_id\":null"), "model.unk_id must be a number"},
                {json.replaceFirst("\"byte_fallback\":\\s*false", "\"byte_fallback\":true"), "model.byte_fallback"},
                {json.replace("\"Strip\"", "\"StripAccents\""), "of type 'StripAccents' is not supported"},
        };
        for (String[] c : cases) {
            assertTrue(!c[0].equals(json), "the case changes the file: " + c[1]);
            Path file = dir.resolve("tokenizer.json");
            Files.writeString(file, c[0]);
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(file));
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void bf16WeightsLoadIntoTheSameEncoder() throws Exception {
        Path folder = resource("st-mean");
        Path half = dir.resolve("bf16");
        Files.createDirectories(half);
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (Files.isDirectory(f)) {
                    Files.createDirectories(half.resolve(f.getFileName().toString()));
                    try (var inner = Files.list(f)) {
                        for (Path g : inner.toList()) {
                            Files.copy(g, half.resolve(f.getFileName().toString()).resolve(g.getFileName().toString()));
                        }
                    }
                } else if (!f.getFileName().toString().equals("model.safetensors")) {
                    Files.copy(f, half.resolve(f.getFileName().toString()));
                }
            }
        }
        var weights = io.orthrus.io.Safetensors.read(folder.resolve("model.safetensors"));
        io.orthrus.io.Safetensors.write(half.resolve("model.safetensors"), weights.tensors(), weights.integers(),
                java.util.Map.of("format", "pt"), io.orthrus.io.Safetensors.Dtype.BF16, io.orthrus.io.Safetensors.Dtype.I64);
        List<String> texts = List.of("The dog barks.", "a cat", "東京は日本の首都です。");
        float[][] full = SentenceEncoder.load(folder).encode(texts), bf16 = SentenceEncoder.load(half).encode(texts);
        for (int i = 0; i < texts.size(); i++) {
            double dot = 0;
            for (int j = 0; j < full[i].length; j++) {
                dot += full[i][j] * bf16[i][j];
            }
            assertTrue(dot > 0.999, "unit vectors from bf16 weights point the same way: cosine " + dot);
        }
    }
}
